"""The WSGI application for any WSGI server; in production:

    gunicorn agora.wsgi -c python:agora.gunicorn_conf

(see docs/production.md).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agora.settings")
django_application = get_wsgi_application()

from django.conf import settings  # noqa: E402

from agora.comments.replay import ReplayReads  # noqa: E402 (needs Django set up)

# Reads of cached threads are answered again before Django's request cycle while the
# thread is unchanged (agora/comments/replay.py).
application = ReplayReads(django_application) if settings.AGORA_REPLAY_READS else django_application

# Load the guideline engine now, not on the first comment: no reader waits for it, and
# under gunicorn's preload (agora.gunicorn_conf, on by default) it is loaded once in the
# master and its models' memory is shared by every worker forked from it. The relevance
# model's ONNX session starts in each worker after the fork (post_worker_init in
# agora.gunicorn_conf): onnxruntime is not fork-safe (a worker that inherited a session
# from the master aborted on exit, and its sibling hung until gunicorn's graceful
# timeout; tests/test_deploy_check.py stops such a server).
import gc  # noqa: E402

from django.urls import get_resolver  # noqa: E402

from agora.comments import screening  # noqa: E402
from agora.guidelines.normalize import build_tables  # noqa: E402

screening.engine()
# Built here, not by each worker's first requests: the text normalisation tables, and the
# URL configuration, which imports every view and builds the API's schemas.
build_tables()
get_resolver().url_patterns  # noqa: B018
# Objects loaded so far live as long as the process: keep the garbage collector off them,
# so it neither scans them on every full collection nor writes to the pages the forked
# workers share with the master (which would copy those pages into each worker).
gc.freeze()
