"""The access log never holds a query string: keys to the Perspective-compatible API
arrive there (``?key=``)."""

import datetime
import importlib
from types import SimpleNamespace

from gunicorn.config import Config
from gunicorn.glogging import Logger


def test_the_access_log_line_has_the_path_but_not_the_key():
    conf = importlib.import_module("agora.gunicorn_conf")
    config = Config()
    config.set("access_log_format", conf.access_log_format)
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": "/v1alpha1/comments:analyze?key=agora_pk_secret",
        "PATH_INFO": "/v1alpha1/comments:analyze",
        "QUERY_STRING": "key=agora_pk_secret",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
    }
    response = SimpleNamespace(status="200 OK", response_length=42, sent=42, headers=[])
    request = SimpleNamespace(headers=[])
    atoms = Logger(config).atoms(response, request, environ, datetime.timedelta(seconds=0.01))
    line = conf.access_log_format % atoms
    assert "POST /v1alpha1/comments:analyze HTTP/1.1" in line and "203.0.113.9" in line
    assert "agora_pk_secret" not in line
    # Gunicorn's own default, with the request line, would have logged it.
    assert "agora_pk_secret" in Config().access_log_format % atoms
