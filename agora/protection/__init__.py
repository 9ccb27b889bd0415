"""Abuse protection: rate limits, flood and bot checks, security headers, login throttling.

Posting views hand one guard, ``agora.protection.posting.guard_posting`` built
from plain data by ``CommentForm.guard``, to ``post_comment``; the rest runs as
middleware and system checks. Nothing here imports the comments app: it is told
what it needs.
"""
