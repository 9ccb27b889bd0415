"""A fictional publisher's site for trying the embed cross-origin (``agora embeddemo``).

A plain ``http.server`` on another port than Agora, so the browser treats it as
another site: the embed's requests are cross-origin and need Agora's CORS answer,
exactly as on a real publisher's pages.
"""

from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from django.template.loader import render_to_string

PAGES = {
    "/": "index.html",
    "/index.html": "index.html",
    "/ar.html": "ar.html",
    "/new.html": "new.html",
}


class DemoHostHandler(BaseHTTPRequestHandler):
    server_version = "ZerdavaCourier/1"

    def do_GET(self):
        page = PAGES.get(urlsplit(self.path).path)
        if page is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        body = render_to_string(
            f"embed/demo_host/{page}",
            {"agora": self.server.agora_url, "host": self.server.host_url},
        ).encode()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        if not self.server.quiet:
            super().log_message(format, *args)


class DemoHostServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, agora_url: str, quiet: bool = False):
        super().__init__(address, DemoHostHandler)
        self.agora_url = agora_url.rstrip("/")
        host, port = self.server_address[:2]
        self.host_url = f"http://{host}:{port}"
        self.quiet = quiet


def make_server(agora_url: str, host: str = "127.0.0.1", port: int = 8001, quiet: bool = False):
    """The demo publisher's server on ``host:port`` (port 0 picks a free one), not yet serving."""
    return DemoHostServer((host, port), agora_url, quiet=quiet)
