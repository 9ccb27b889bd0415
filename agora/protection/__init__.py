"""Abuse protection: rate limits, flood and bot checks, security headers, login throttling.

Posting views hand one guard, ``agora.protection.posting.guard_posting``, to
``post_comment``; the rest runs as middleware and system checks.
"""
