"""gzip for text responses: Django's GZipMiddleware, minus bodies that are compressed already.

Django's middleware compresses every response over 200 bytes, streams included, so a PDF or video a member
downloads through the document view would be gzipped on the fly by a web worker (CPU for next to nothing, and the
download loses its Content-Length). Feeds, GraphQL and REST JSON, HTML and other text shrink 5-12x: those only.
"""

import re

from django.middleware.gzip import GZipMiddleware

COMPRESSIBLE = re.compile(r"text/|application/(json|javascript|xml|[\w.+-]+\+(json|xml))\b|image/svg\+xml")


class TextGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if not COMPRESSIBLE.match(response.get("Content-Type", "")):
            return response
        return super().process_response(request, response)
