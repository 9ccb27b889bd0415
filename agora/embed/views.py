import hashlib
from functools import lru_cache
from pathlib import Path

from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

EMBED_JS = Path(__file__).resolve().parent / "static" / "embed" / "embed.js"
# Publishers' pages load embed.js on every view: short enough for a fix to reach
# them within minutes, long enough to spare most requests; the ETag makes the rest cheap.
MAX_AGE = 600


@lru_cache(maxsize=1)
def read_script(modified: int) -> tuple[bytes, str]:
    """The script and its ETag; cached until the file changes (``modified`` is its mtime)."""
    content = EMBED_JS.read_bytes()
    return content, f'"{hashlib.sha256(content).hexdigest()[:32]}"'


@require_safe
@gzip_page
def embed_js(request):
    """The embed script publishers include with ``<script src=".../embed.js" async>``."""
    content, etag = read_script(EMBED_JS.stat().st_mtime_ns)
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(content, content_type="text/javascript; charset=utf-8")
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    # Loaded by other sites' pages, including ones that require this opt-in (COEP).
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
