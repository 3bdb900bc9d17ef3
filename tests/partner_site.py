"""The reference partner site (partner-site/) for the tests: its server in a thread, pointed at a CMS."""

import importlib.util
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PARTNER_SITE = Path(__file__).resolve().parent.parent / "partner-site"


def load_server_module(folder: Path = PARTNER_SITE):
    """partner-site/serve.py as a module (the folder is a starter to copy, not a package)."""
    spec = importlib.util.spec_from_file_location(f"partner_site_serve_{id(folder)}", folder / "serve.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextmanager
def running_partner_site(cms_url: str, folder: Path = PARTNER_SITE) -> Iterator[str]:
    """The site served on a free port of 127.0.0.1; yields its origin as the admin's preview URL names it
    (http://localhost:PORT)."""
    server = load_server_module(folder).make_server("127.0.0.1", 0, cms_url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
