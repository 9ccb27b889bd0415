"""Agora: a self-hosted comment platform for news sites with pre-moderation."""
