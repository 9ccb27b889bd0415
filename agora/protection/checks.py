from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def shared_cache_check(app_configs, **kwargs):
    """Rate limits and login lockouts only hold if every worker counts in one place."""
    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        return [
            checks.Warning(
                "The cache is this process's memory: each worker counts rate limits and "
                "failed logins on its own, and cached threads are not shared.",
                hint="Set AGORA_CACHE_URL=redis://host:6379/0, or db://agora_cache "
                "(then run `agora createcachetable`).",
                id="agora.W001",
            )
        ]
    return []
