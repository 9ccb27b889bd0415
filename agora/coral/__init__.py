"""Agora as one of Coral's external moderation phases.

Coral (coralproject.net) can ask an outside service to moderate each new or edited
comment: it POSTs the comment, signed with a shared secret, and applies the status and
flags the service answers with. See docs/coral.md.
"""
