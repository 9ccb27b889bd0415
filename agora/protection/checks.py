from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def shared_cache_check(app_configs, **kwargs):
    """Cached threads are only right if every worker reads and invalidates one cache."""
    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        return [
            checks.Warning(
                "The cache is this process's memory: a thread cached by one worker is not "
                "refreshed when another worker publishes or withdraws a comment.",
                hint="Set AGORA_CACHE_URL=redis://host:6379/0, or db://agora_cache "
                "(then run `agora createcachetable`).",
                id="agora.W001",
            )
        ]
    return []
