"""Agora's guideline engine: judges comments against the publisher's guidelines.

A plain Python package (it never imports Django), usable as a library and through
``agora train|score|evaluate``::

    engine = Engine.load(policy=Policy.default())
    verdict = engine.judge(CommentInput(text="...", lang=None, article=ArticleContext(...)))
"""

from agora.guidelines.engine import Engine
from agora.guidelines.policy import Policy
from agora.guidelines.verdict import (
    GUIDELINES,
    IDENTITY_SUBKEYS,
    ArticleContext,
    CommentInput,
    Evidence,
    Reason,
    Verdict,
)

__all__ = [
    "GUIDELINES",
    "IDENTITY_SUBKEYS",
    "ArticleContext",
    "CommentInput",
    "Engine",
    "Evidence",
    "Policy",
    "Reason",
    "Verdict",
]
