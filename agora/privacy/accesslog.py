"""Gunicorn's access and error logs, without what could name a reader.

An access log line holds the client's address, the time, the method and path
(never the query string), the status, the size, the referring page's path (never
its query string) and the browser's user agent. Query strings are left out
everywhere because they can carry what a person typed: a moderator's admin search
for an address (``/admin/comments/comment/?q=nisa%40example.org``), the
moderation queue's filters, or a Perspective-compatible client's ``?key=``; the
same page then appears in the ``Referer`` of the next request. Anything shaped
like an email address that is still left, plain or percent-encoded, becomes
``[email]`` (agora.privacy.logfilter).
"""

from urllib.parse import urlsplit, urlunsplit

from gunicorn.glogging import Logger

from agora.privacy.logfilter import RedactEmails

REDACT = RedactEmails()
# Atoms a custom access_log_format could use that carry a query string.
WITH_QUERY = ("{referer}i", "{raw_uri}e", "{query_string}e", "{http_referer}e")


def without_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query="", fragment=""))


class PrivateLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            log.addFilter(REDACT)

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["q"] = ""
        atoms["r"] = f"{atoms['m']} {atoms['U']} {atoms['H']}"
        atoms["f"] = without_query(atoms["f"])
        for name in WITH_QUERY:
            if name in atoms:
                atoms[name] = without_query(atoms[name])
        return atoms
