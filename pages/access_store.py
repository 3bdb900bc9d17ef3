"""The privacy rule's per-page decision, stored (`PageAccess`) so lists and counts read a row instead of deriving
the rule for every page on every request.

What is stored is what the rule (pages/access.py) derives from the page tree, for each page:
- `audience`: *hidden* when the page or an ancestor is not live; else *restricted* when a view restriction sits on
  the page or an ancestor (who passes it still depends on the viewer, so the rule checks those rows per viewer);
  else *public*;
- `expires_at`: the earliest expiry among the page and its ancestors (compared with the clock when read, so a page
  leaves every channel the moment it expires, with no write at that moment).

Database triggers keep it current, in the transaction of the write that changes an input, whatever makes the
write (Wagtail's publish, unpublish, move, delete, scheduled publishing, a view restriction's form, a queryset
`update()`, treebeard's raw path updates, SQL typed by hand):
- a page inserted: its own row (and its subtree's, when it arrives with children, as a fixture load may);
- a page's `live`, `expire_at` or `path` changed: its subtree (a move changes the paths of the whole subtree);
- a page deleted: its row goes;
- a view restriction inserted, deleted or moved to another page: the subtree of its page (old and new).
On PostgreSQL each recompute first takes one transaction-level advisory lock, and only then reads the tree: two
concurrent writes (unpublishing a section while a page is added below it) are serialised, and the later one reads
what the earlier one committed, so neither can leave a stale decision behind. SQLite has one writer at a time.

`drift()` recomputes every decision from scratch in Python, independently of the SQL, and reports (and by default
repairs) rows that differ; `manage.py page_access` runs it, and so does the migration that backfills the table.
"""

from dataclasses import dataclass
from datetime import datetime

STEPLEN = 4  # Wagtail's page tree (treebeard's materialised path): 4 characters per level
MAX_PATH = 255
LOCK_KEY = 0x5A6E_0018  # pg_advisory_xact_lock key of the recompute; any constant no other code uses

PUBLIC, RESTRICTED, HIDDEN = "public", "restricted", "hidden"

# The page and its ancestors, as a list of indexed path lookups (one per possible level; past the page's own depth
# SUBSTR returns the page's path again). No scan, and no reliance on `numchild`, which treebeard updates only after
# inserting a child.
_CHAIN = ", ".join(f"SUBSTR(d.path, 1, {end})" for end in range(STEPLEN, MAX_PATH + 1, STEPLEN))
# Built from constants only: no value from outside reaches this SQL.
_DECISION = f"""
SELECT d.id,
  CASE
    WHEN EXISTS (SELECT 1 FROM wagtailcore_page a WHERE a.path IN ({_CHAIN}) AND NOT a.live) THEN '{HIDDEN}'
    WHEN EXISTS (
      SELECT 1 FROM wagtailcore_pageviewrestriction r INNER JOIN wagtailcore_page a ON a.id = r.page_id
      WHERE a.path IN ({_CHAIN})
    ) THEN '{RESTRICTED}'
    ELSE '{PUBLIC}'
  END,
  (SELECT MIN(a.expire_at) FROM wagtailcore_page a WHERE a.path IN ({_CHAIN}))
FROM wagtailcore_page d
"""  # noqa: S608
_COLUMNS = "pages_pageaccess (page_id, audience, expires_at)"


def _upsert(vendor: str, where: str) -> str:
    """SQL storing the decision of every page matching `where` (on `d`, the page decided)."""
    if vendor == "postgresql":
        return (
            f"INSERT INTO {_COLUMNS} {_DECISION} WHERE {where} "
            "ON CONFLICT (page_id) DO UPDATE SET audience = EXCLUDED.audience, expires_at = EXCLUDED.expires_at"
        )
    return f"INSERT OR REPLACE INTO {_COLUMNS} {_DECISION} WHERE {where}"


_PAGE_INPUTS_CHANGED = (
    "OLD.live {ne} NEW.live OR OLD.expire_at {ne} NEW.expire_at OR OLD.path {ne} NEW.path"  # null-safe comparisons
)


def _postgresql_install() -> list[str]:
    subtree = _upsert("postgresql", "d.path LIKE root_path || '%'")
    single = _upsert("postgresql", "d.path = root_path")
    return [
        f"""
CREATE OR REPLACE FUNCTION pages_access_recompute(root_path text, whole_subtree boolean) RETURNS void AS $$
BEGIN
  IF root_path IS NULL THEN RETURN; END IF;
  PERFORM pg_advisory_xact_lock({LOCK_KEY});
  IF whole_subtree THEN {subtree}; ELSE {single}; END IF;
END $$ LANGUAGE plpgsql""",
        """
CREATE OR REPLACE FUNCTION pages_access_page_changed() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM pages_pageaccess WHERE page_id = OLD.id;
  ELSE
    PERFORM pages_access_recompute(NEW.path, TG_OP = 'UPDATE' OR NEW.numchild > 0);
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
        """
CREATE OR REPLACE FUNCTION pages_access_restriction_changed() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM pages_access_recompute((SELECT path FROM wagtailcore_page WHERE id = OLD.page_id), true);
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    PERFORM pages_access_recompute((SELECT path FROM wagtailcore_page WHERE id = NEW.page_id), true);
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
        (
            "CREATE TRIGGER pages_access_page_insert AFTER INSERT ON wagtailcore_page "
            "FOR EACH ROW EXECUTE FUNCTION pages_access_page_changed()"
        ),
        (
            "CREATE TRIGGER pages_access_page_update AFTER UPDATE OF live, expire_at, path ON wagtailcore_page "
            f"FOR EACH ROW WHEN ({_PAGE_INPUTS_CHANGED.format(ne='IS DISTINCT FROM')}) "
            "EXECUTE FUNCTION pages_access_page_changed()"
        ),
        (
            "CREATE TRIGGER pages_access_page_delete AFTER DELETE ON wagtailcore_page "
            "FOR EACH ROW EXECUTE FUNCTION pages_access_page_changed()"
        ),
        (
            "CREATE TRIGGER pages_access_restriction AFTER INSERT OR UPDATE OR DELETE "
            "ON wagtailcore_pageviewrestriction FOR EACH ROW EXECUTE FUNCTION pages_access_restriction_changed()"
        ),
    ]


def _sqlite_install() -> list[str]:
    def subtree(page: str) -> str:
        return _upsert("sqlite", f"d.path LIKE ({page}) || '%'")

    restriction_page = "SELECT path FROM wagtailcore_page WHERE id = {row}.page_id"
    return [
        (
            "CREATE TRIGGER pages_access_page_insert AFTER INSERT ON wagtailcore_page BEGIN "
            + _upsert("sqlite", "d.id = NEW.id OR (NEW.numchild > 0 AND d.path LIKE NEW.path || '%')")
            + "; END"
        ),
        (
            "CREATE TRIGGER pages_access_page_update AFTER UPDATE OF live, expire_at, path ON wagtailcore_page "
            f"WHEN {_PAGE_INPUTS_CHANGED.format(ne='IS NOT')} BEGIN {subtree('NEW.path')}; END"
        ),
        (
            "CREATE TRIGGER pages_access_page_delete AFTER DELETE ON wagtailcore_page BEGIN "
            "DELETE FROM pages_pageaccess WHERE page_id = OLD.id; END"
        ),
        (
            "CREATE TRIGGER pages_access_restriction_insert AFTER INSERT ON wagtailcore_pageviewrestriction BEGIN "
            f"{subtree(restriction_page.format(row='NEW'))}; END"
        ),
        (
            "CREATE TRIGGER pages_access_restriction_delete AFTER DELETE ON wagtailcore_pageviewrestriction BEGIN "
            f"{subtree(restriction_page.format(row='OLD'))}; END"
        ),
        (
            "CREATE TRIGGER pages_access_restriction_update AFTER UPDATE ON wagtailcore_pageviewrestriction BEGIN "
            f"{subtree(restriction_page.format(row='OLD'))}; {subtree(restriction_page.format(row='NEW'))}; END"
        ),
    ]


def install(connection) -> None:
    """Create the triggers (the migration runs this) and store every page's decision."""
    statements = _postgresql_install() if connection.vendor == "postgresql" else _sqlite_install()
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
        cursor.execute(_upsert(connection.vendor, "1 = 1"))


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER IF EXISTS pages_access_restriction ON wagtailcore_pageviewrestriction")
            for name in ("insert", "update", "delete"):
                cursor.execute(f"DROP TRIGGER IF EXISTS pages_access_page_{name} ON wagtailcore_page")
            for function in ("page_changed()", "restriction_changed()", "recompute(text, boolean)"):
                cursor.execute(f"DROP FUNCTION IF EXISTS pages_access_{function}")
        else:
            for name in (
                "page_insert",
                "page_update",
                "page_delete",
                "restriction_insert",
                "restriction_delete",
                "restriction_update",
            ):
                cursor.execute(f"DROP TRIGGER IF EXISTS pages_access_{name}")


# --- the same decision, from scratch, in Python -------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    audience: str
    expires_at: datetime | None


def decisions_from_scratch(page_model, restriction_model) -> dict[int, Decision]:
    """Every page's decision, derived top-down from the tree (parents before children, by path)."""
    restricted_pages = set(restriction_model.objects.values_list("page_id", flat=True))
    by_path: dict[str, Decision] = {}
    decided = {}
    for pk, path, live, expire_at in page_model.objects.order_by("path").values_list("pk", "path", "live", "expire_at"):
        parent = by_path.get(path[:-STEPLEN]) if len(path) > STEPLEN else None
        if len(path) > STEPLEN and parent is None:
            parent = Decision(HIDDEN, None)  # an orphan (a broken tree) is shown to nobody
        hidden = not live or (parent is not None and parent.audience == HIDDEN)
        restricted = pk in restricted_pages or (parent is not None and parent.audience == RESTRICTED)
        expiries = [when for when in (expire_at, parent and parent.expires_at) if when is not None]
        decision = Decision(HIDDEN if hidden else RESTRICTED if restricted else PUBLIC, min(expiries, default=None))
        by_path[path] = decided[pk] = decision
    return decided


def drift(page_model, restriction_model, access_model, *, repair: bool = True) -> list[tuple[int, str, str]]:
    """(page id, stored, expected) for every page whose stored decision differs from the rule derived from scratch;
    with `repair`, the expected decisions are written (and rows of pages that no longer exist removed)."""
    expected = decisions_from_scratch(page_model, restriction_model)
    stored = {
        pk: Decision(audience, expires_at)
        for pk, audience, expires_at in access_model.objects.values_list("page_id", "audience", "expires_at")
    }
    differing = [
        (pk, _describe(stored.get(pk)), _describe(decision))
        for pk, decision in expected.items()
        if stored.get(pk) != decision
    ]
    orphans = stored.keys() - expected.keys()
    differing += [(pk, _describe(stored[pk]), "no page") for pk in sorted(orphans)]
    if repair and differing:
        access_model.objects.filter(page_id__in=orphans).delete()
        access_model.objects.bulk_create(
            [
                access_model(page_id=pk, audience=expected[pk].audience, expires_at=expected[pk].expires_at)
                for pk, _stored, wanted in differing
                if wanted != "no page"
            ],
            update_conflicts=True,
            unique_fields=["page"],
            update_fields=["audience", "expires_at"],
        )
    return differing


def _describe(decision: Decision | None) -> str:
    if decision is None:
        return "missing"
    return decision.audience + (f", expires {decision.expires_at.isoformat()}" if decision.expires_at else "")
