"""Abuse protection: rate limits, flood and bot checks, security headers, login throttling.

Views call one function, ``agora.protection.posting.guard_posting``; the rest
runs as middleware and system checks.
"""
