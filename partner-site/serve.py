"""Serve the reference partner site (public/) on a port, pointed at a CMS: `python serve.py --cms URL --port 3000`.

Standard library only, so it runs wherever Python 3 does. The pages are static files; the one thing this server adds
is /config.js, written from --cms (or CMS_URL), so the same files run against any CMS without editing. Deployed on a
static host instead, public/config.js is the file to edit.
"""

import argparse
import http.server
import io
import json
import os
import sys
from functools import partial
from pathlib import Path

PUBLIC = Path(__file__).resolve().parent / "public"
# Images and the API may live on another origin (the CMS, its media storage); scripts and styles are this site's.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' http: https: data:; "
    "connect-src 'self' http: https:; object-src 'none'; base-uri 'none'; form-action 'self'"
)


class PartnerSiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files from public/, /config.js from the command line; no directory listings, GET and HEAD only.

    SimpleHTTPRequestHandler already keeps paths inside the directory (`..` and absolute segments are dropped) and
    redirects /preview to /preview/ with the query string kept, which is where the CMS sends editors.
    """

    cms_url = "http://127.0.0.1:8000"

    def send_head(self):
        if self.path.split("?", 1)[0] == "/config.js":
            return self.send_config()
        return super().send_head()

    def send_config(self):
        body = f"export const CMS_URL = {json.dumps(self.cms_url)};\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/javascript; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        return io.BytesIO(body)

    def list_directory(self, path):
        self.send_error(404, "Not found")

    def end_headers(self):
        # Scripts only from this origin, never inline: an event handler slipped into HTML from the API cannot run.
        self.send_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "strict-origin-when-cross-origin")
        super().end_headers()

    def log_message(self, format, *args):
        if os.environ.get("PARTNER_SITE_QUIET") != "1":
            super().log_message(format, *args)


def make_server(host: str, port: int, cms_url: str) -> http.server.ThreadingHTTPServer:
    """The server, bound but not yet serving (port 0 picks a free one: see server.server_address)."""
    handler = type("Handler", (PartnerSiteHandler,), {"cms_url": cms_url.rstrip("/")})
    return http.server.ThreadingHTTPServer((host, port), partial(handler, directory=str(PUBLIC)))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cms", default=os.environ.get("CMS_URL", "http://127.0.0.1:8000"), help="the CMS's origin")
    parser.add_argument("--host", default=os.environ.get("FRONTEND_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("FRONTEND_PORT", "3000")))
    args = parser.parse_args(argv)
    server = make_server(args.host, args.port, args.cms)
    host, port = server.server_address[:2]
    print(f"Partner site: http://{'localhost' if host == '127.0.0.1' else host}:{port}/  (CMS: {args.cms})", flush=True)  # noqa: T201
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    sys.exit(main())
