"""The WSGI application for any WSGI server; in production:

    gunicorn agora.wsgi -c python:agora.gunicorn_conf

(see docs/production.md).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agora.settings")
application = get_wsgi_application()
