"""gzip or brotli for text responses: Django's GZipMiddleware, plus brotli when the client asks for it, minus
bodies that are compressed already.

Django's middleware compresses every response over 200 bytes, streams included, so a PDF or video a member
downloads through the document view would be gzipped on the fly by a web worker (CPU for next to nothing, and the
download loses its Content-Length). Feeds, GraphQL and REST JSON, HTML and other text shrink 5-12x: those only.

Brotli (the `brotli` package, Google's own binding, also what WhiteNoise uses for static files) at quality 5: about
gzip's speed and 10-20% smaller bodies. A response that already has a Content-Encoding is left alone: the response
caches (cms/response_cache.py) store each body with its gzip and brotli twins and answer with the right one.
"""

import re

from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_vary_headers
from django.utils.regex_helper import _lazy_re_compile

try:
    import brotli
except ImportError:  # pragma: no cover - declared in pyproject; gzip alone still works
    brotli = None

COMPRESSIBLE = re.compile(r"text/|application/(json|javascript|xml|[\w.+-]+\+(json|xml))\b|image/svg\+xml")
MIN_LENGTH = 200  # as Django's GZipMiddleware: shorter bodies grow when compressed
BROTLI_QUALITY = 5
ACCEPT_ITEM = _lazy_re_compile(r"\s*([\w*-]+)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$")


def accepted(request) -> set[str]:
    """The codings the client accepts (RFC 9110 §12.5.3): named, with a q-value above 0."""
    codings = set()
    for item in request.META.get("HTTP_ACCEPT_ENCODING", "").lower().split(","):
        match = ACCEPT_ITEM.match(item)
        if not match:
            continue
        try:
            quality = float(match[2]) if match[2] else 1.0
        except ValueError:
            continue
        if quality > 0:
            codings.add(match[1])
    return codings


def preferred(request, available) -> str | None:
    """ "br" or "gzip" (in that order) when the client accepts it and it is `available`; else None (identity)."""
    codings = accepted(request)
    for coding in ("br", "gzip"):
        if coding in available and coding in codings:
            return coding
    return None


def _brotli_stream(chunks):
    compressor = brotli.Compressor(quality=BROTLI_QUALITY)
    for chunk in chunks:
        data = compressor.process(chunk)
        if data:
            yield data
    yield compressor.finish()


class TextCompressionMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if not COMPRESSIBLE.match(response.get("Content-Type", "")):
            return response
        if brotli is None or response.has_header("Content-Encoding") or "br" not in accepted(request):
            return super().process_response(request, response)
        if response.streaming:
            if response.is_async:  # an async iterator: left to gzip's own handling
                return super().process_response(request, response)
            patch_vary_headers(response, ("Accept-Encoding",))
            response.streaming_content = _brotli_stream(response.streaming_content)
            del response["Content-Length"]
        else:
            if len(response.content) < MIN_LENGTH:
                return response
            patch_vary_headers(response, ("Accept-Encoding",))
            compressed = brotli.compress(response.content, quality=BROTLI_QUALITY)
            if len(compressed) >= len(response.content):
                return response
            response.content = compressed
            response["Content-Length"] = str(len(compressed))
        # The same representation in another coding: a strong validator would now be wrong (RFC 9110 §8.8.1).
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response["ETag"] = "W/" + etag
        response["Content-Encoding"] = "br"
        return response
