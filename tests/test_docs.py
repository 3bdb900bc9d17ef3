"""The documentation in docs/ builds with MkDocs in strict mode, as CI builds it: a broken link between pages, an
anchor that no heading makes, or a page left out of mkdocs.yml's nav fails here rather than on a reader."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_docs_build_strictly_without_warnings(tmp_path):
    config, site = str(ROOT / "mkdocs.yml"), str(tmp_path / "site")
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", config, "--site-dir", site],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    pages = {path.relative_to(ROOT / "docs").with_suffix("").as_posix() for path in (ROOT / "docs").glob("*.md")}
    assert {"index", "architecture", "operations", "partners", "editors", "members", "testing"} <= pages
    for page in pages:
        built_page = tmp_path / "site" / ("index.html" if page == "index" else f"{page}/index.html")
        assert built_page.is_file(), f"docs/{page}.md was not built"


# Built from pieces so that this file does not match itself.
OUTSIDE = re.compile(r"\.\./" + "shared/|" + "DESIGN" + r"\.md")


def test_no_file_refers_to_a_document_outside_the_repo():
    """The repo stands alone: no file points a reader at a design document or section it does not contain."""
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    offenders = []
    for name in tracked.split():
        path = ROOT / name
        if name.endswith(".lock") or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        offenders += [f"{name}:{n}" for n, line in enumerate(text.splitlines(), 1) if OUTSIDE.search(line)]
    assert not offenders, offenders
