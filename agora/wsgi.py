"""The WSGI application for any WSGI server; in production:

    gunicorn agora.wsgi -c python:agora.gunicorn_conf

(see docs/production.md).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agora.settings")
application = get_wsgi_application()

# Load the guideline engine now, not on the first comment: no reader waits for it, and
# under gunicorn's preload (agora.gunicorn_conf, on by default) it is loaded once in the
# master and its models' memory is shared by every worker forked from it. The relevance
# model's ONNX session starts on first use, in each worker (its threads must not be forked).
from agora.comments import screening  # noqa: E402

screening.engine()
