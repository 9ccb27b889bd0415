"""Gunicorn settings for Agora, read from the environment.

    gunicorn agora.wsgi -c python:agora.gunicorn_conf

Every worker is a separate process with its own database connections and a
copy of the guideline engine; nothing another worker or server needs lives in
one worker's memory (comments and rate-limit counters are in the database,
cached threads in the shared cache), so workers and servers can be added freely.
"""

import os

bind = os.environ.get("AGORA_BIND", "127.0.0.1:8000").split(",")
# Scoring a comment is CPU work, so more workers than cores buys little; the
# threads overlap database and network waits and keep connections alive (the
# relevance model runs for one of them at a time: agora/guidelines/relevance.py).
workers = int(os.environ.get("AGORA_WORKERS", max(2, os.cpu_count() or 1)))
worker_class = "gthread"
threads = int(os.environ.get("AGORA_THREADS", "4"))
keepalive = 5
# A request that takes longer than this is stuck; the worker is replaced.
timeout = int(os.environ.get("AGORA_WORKER_TIMEOUT", "30"))
graceful_timeout = 30
# Shared memory, not the container's disk, for the workers' heartbeat files.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Load the application (and the guideline engine, see agora.wsgi) once in the master
# and fork: workers share its memory. AGORA_PRELOAD=0 loads it in each worker instead.
preload_app = os.environ.get("AGORA_PRELOAD", "1") == "1"
# Recycle workers after this many requests (0: never), with jitter so they do
# not all restart at once.
max_requests = int(os.environ.get("AGORA_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
# Access log on stdout: method, path, status and size; never bodies, so
# never an email address or a comment's text.
accesslog = os.environ.get("AGORA_ACCESS_LOG", "-") or None
# Gunicorn's usual format with the path in place of the request line, which holds the query
# string (where the Perspective-compatible API's clients send their key, ?key=).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(f)s" "%(a)s"'
# Leaves out every query string (the request line's and the referrer's) and redacts
# email addresses: agora/privacy/accesslog.py says what a line holds.
logger_class = "agora.privacy.accesslog.PrivateLogger"
errorlog = "-"
# Trust X-Forwarded-* only from the reverse proxy's addresses.
forwarded_allow_ips = os.environ.get("AGORA_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


def post_worker_init(worker):
    """In each worker, once it has the application: start the relevance model (a session
    inherited from the master would not survive the fork; see agora/wsgi.py)."""
    from agora.comments import screening

    screening.warm_up_relevance()
