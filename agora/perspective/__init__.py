"""A Perspective API-compatible scoring service on top of Agora's guideline engine.

Systems built for Google's Perspective API (Coral, moderation bots, research scripts) send
``comments:analyze`` and ``comments:suggestscore`` to a base URL they let an administrator
change; pointed at Agora's ``/v1alpha1``, they get Agora's calibrated scores instead.
See docs/perspective.md.
"""
