"""Per-request batch loading of what page content points at: documents, images, topics and linked pages.

StreamField and rich text hold bare ids (an image block stores an image id, a rich-text link stores a page id).
Resolving them one by one costs a query per block per page, and Wagtail's own resolution ignores privacy. Instead,
each list resolver registers the pages it returns; the first block or link resolved scans the raw content of all
registered pages (and their own image and document foreign keys), and loads every id of a kind in one query through
`pages.access` for the caller. Ids the caller may not see (private collection, draft or members-only page) are simply
absent from the maps.
"""

import threading
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import ForeignKey, Prefetch, prefetch_related_objects
from wagtail import blocks
from wagtail.documents import get_document_model
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.fields import RichTextField, StreamField
from wagtail.images import get_image_model
from wagtail.images.blocks import ImageBlock, ImageChooserBlock
from wagtail.models import Page, Site
from wagtail.rich_text.rewriters import FIND_A_TAG, extract_attrs
from wagtail.snippets.blocks import SnippetChooserBlock

from pages.access import active_user, user_is_member, visible_documents, visible_images, visible_pages
from pages.models import Topic

LOADER_ATTRIBUTE = "_graphql_loader"


def get_loader(info) -> "Loader":
    """The loader for this request (one per GraphQL execution context)."""
    context = info.context
    loader = getattr(context, LOADER_ATTRIBUTE, None)
    if loader is None:
        known = getattr(context, "graphql_caller", None)  # (caller, content version): read by the hit path
        loader = Loader(user=getattr(context, "user", None), version=known[1] if known else None)
        setattr(context, LOADER_ATTRIBUTE, loader)
    return loader


# Values that depend on the content alone, kept per process for the content version the request read: every
# request until the next publish (or site change, cms/content_version.py) reads them from here.
_per_version: dict[str, dict] = {}
_per_version_lock = threading.Lock()


def per_version(version: str | None, key: str, compute):
    """`compute()`, once per process and content `version` (every time when the version is unknown: the response
    cache is off)."""
    if version is None:
        return compute()
    with _per_version_lock:
        values = _per_version.get(version)
        if values is None:
            _per_version.clear()  # only the current version is ever asked for again
            values = _per_version[version] = {}
        if key in values:
            return values[key]
    value = compute()
    with _per_version_lock:
        values[key] = value
    return value


def default_root_url_path() -> str:
    root = Site.objects.filter(is_default_site=True).values_list("root_page__url_path", flat=True).first()
    return root or "/"


RELATED_TABLE_LIMIT = 2000  # longer related tables are read per request, only the rows a page links to


def related_table(model) -> tuple[dict, dict] | None:
    """({pk: row}, {pk: position in the model's default order}) for all of `model`'s rows, or None when there are
    more than RELATED_TABLE_LIMIT."""
    rows = list(model._default_manager.all()[: RELATED_TABLE_LIMIT + 1])
    if len(rows) > RELATED_TABLE_LIMIT:
        return None
    return {row.pk: row for row in rows}, {row.pk: index for index, row in enumerate(rows)}


def forget_per_version() -> None:
    """Drop what `per_version` keeps (tests: every rollback winds the content version back)."""
    with _per_version_lock:
        _per_version.clear()


def viewer(info):
    """The caller, as the privacy rule sees them (inactive or missing users are anonymous)."""
    return get_loader(info).user


MAX_ID = 2**63 - 1  # the largest primary key any supported database stores; larger ids overflow SQLite


def parse_id(value) -> int | None:
    """An id given by a caller (or found in stored HTML) as an int, or None when it cannot name a row."""
    text = str(value if value is not None else "").strip()
    if not text.isdigit() or not text.isascii() or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def rich_text_links(html: str) -> Iterable[tuple[str, int]]:
    """(linktype, id) for each internal link in stored rich text (`<a linktype="page" id="3">`)."""
    for attr_string in FIND_A_TAG.findall(html or ""):
        attrs = extract_attrs(attr_string)
        pk = parse_id(attrs.get("id"))
        if attrs.get("linktype") in ("page", "document") and pk is not None:
            yield attrs["linktype"], pk


def image_id(raw) -> int | None:
    """An ImageBlock stores {"image": id, "alt_text": ..., "decorative": ...}; older data may hold the bare id."""
    value = raw.get("image") if isinstance(raw, dict) else raw
    return value if isinstance(value, int) else None


def list_items(raw) -> list:
    """ListBlock raw data: [{"type": "item", "value": v, "id": ...}] (current) or [v, ...] (legacy)."""
    return [item["value"] if isinstance(item, dict) and item.get("type") == "item" else item for item in raw or []]


class Loader:
    def __init__(self, *, user, version: str | None = None):
        self.user = active_user(user)
        self.version = version
        self._pages: list[Page] = []
        self._scanned = 0
        self.documents: dict[int, object] = {}
        self.images: dict[int, object] = {}
        self.topics: dict[int, Topic] = {}
        self.page_paths: dict[int, str | None] = {}  # linked page id -> its path on the site (None: not visible)
        self._wanted_documents: set[int] = set()  # named by load_documents, fetched with the first asked for
        self._wanted_images: set[int] = set()
        self._root_url_path: str | None = None
        self._is_member: bool | None = None
        self._public: dict[int, bool] = {}  # page id -> visible to anonymous callers too
        self._memo: dict = {}

    def caller_is_member(self) -> bool:
        if self._is_member is None:
            self._is_member = user_is_member(self.user)
        return self._is_member

    def is_public(self, page: Page) -> bool:
        """Whether anyone may see `page`, checked for every registered page at once (anonymous callers only ever
        get public pages, so they cost no query)."""
        if not self.user.is_authenticated:
            return True
        if page.pk not in self._public:
            pending = {pk for pk in (p.pk for p in self._pages) if pk not in self._public} | {page.pk}
            public = set(visible_pages(Page.objects.filter(pk__in=pending), user=None).values_list("pk", flat=True))
            self._public.update({pk: pk in public for pk in pending})
        return self._public[page.pk]

    def once(self, key, compute):
        """`compute()`, run at most once per request under `key`: a per-caller value several fields read (an
        app's, such as the member's calendar link)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    # --- registration and scanning ----------------------------------------------------------------------

    def register(self, pages: Iterable[Page]) -> list[Page]:
        pages = list(pages)
        self._pages.extend(pages)
        return pages

    def prefetch(self, model: type, lookup: str) -> None:
        """Prefetch `lookup` for every registered `model` instance at once, the first time one is asked for.

        For relations that only some queries ask for (an event's sessions, a child page's topics), so lists that
        do not ask pay nothing and lists that do pay one query. Relations a selector already prefetched cost
        nothing (Django skips them). Unsaved pages (previews, built from a draft's JSON) keep their in-memory
        relations.
        """
        pending = [
            page
            for page in self._pages
            if isinstance(page, model)
            and not page._state.adding
            and lookup not in page.__dict__.setdefault("_graphql_prefetched", set())
        ]
        prefetch_related_objects(pending, lookup)
        for page in pending:
            page._graphql_prefetched.add(lookup)

    def related(self, instance, relation: str) -> list:
        """The rows of `instance`'s many-to-many `relation` (topics, people), fetched for every registered row of its
        type at once, the first time one is asked for: one query, of the link table when the related rows are kept
        for this content version (`_attach_related`), else Django's prefetch; kept as plain lists either way (Django's
        own per-row managers and querysets cost more than the query). The fetched rows' images and documents
        (a person's photo) are named for the loader's next fetch of those. A relation a selector prefetched is read
        as it is; an unsaved page (a preview, built from a draft's JSON) reads its in-memory relation."""
        attribute = f"_graphql_{relation}"
        if attribute not in instance.__dict__:
            prefetched = getattr(instance, "_prefetched_objects_cache", {}).get(relation)
            if prefetched is not None or instance._state.adding:
                return list(prefetched if prefetched is not None else getattr(instance, relation).all())
            pending = [
                page
                for page in self._pages
                if type(page) is type(instance) and not page._state.adding and attribute not in page.__dict__
            ]
            if not any(page is instance for page in pending):
                pending.append(instance)
            if not self._attach_related(pending, relation, attribute):
                prefetch_related_objects(pending, Prefetch(relation, to_attr=attribute))
            self._want_media({row for page in pending for row in getattr(page, attribute)})
        return getattr(instance, attribute)

    def _attach_related(self, pages: list, relation: str, attribute: str) -> bool:
        """Set `attribute` on `pages` to their `relation` rows from the related table as read once per content
        version (`per_version`: topics and people are short lists every request reads again), reading only the
        link table's id pairs; False (nothing set) when the version is unknown, the table is longer than
        RELATED_TABLE_LIMIT or a link names a row that table does not hold."""
        if self.version is None:
            return False
        field = type(pages[0])._meta.get_field(relation)
        related = field.related_model
        table = per_version(self.version, f"related:{related._meta.label}", lambda: related_table(related))
        if table is None:
            return False
        rows, position = table
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        links = field.remote_field.through.objects.filter(**{f"{source}__in": [page.pk for page in pages]})
        linked = defaultdict(list)
        for page_pk, row_pk in links.values_list(source, target):
            if row_pk not in rows:
                return False
            linked[page_pk].append(row_pk)
        for page in pages:
            setattr(page, attribute, [rows[pk] for pk in sorted(linked[page.pk], key=position.__getitem__)])
        return True

    def _want_media(self, rows) -> None:
        """Name the images and documents `rows` point at (a person's photo) for the next fetch of their kind."""
        wanted: dict[str, set[int]] = defaultdict(set)
        for row in rows:
            self._collect_media(row, wanted)
        self.load_documents(wanted["document"] - {None})
        self.load_images(wanted["image"] - {None})

    def _scan(self) -> None:
        """Load everything the registered-but-unscanned pages point at, one query per kind."""
        pending = self._pages[self._scanned :]
        self._scanned = len(self._pages)
        if not pending:
            return
        wanted: dict[str, set[int]] = defaultdict(set)
        for page in pending:
            deferred = page.get_deferred_fields()  # not requested, so nothing in them is resolved
            for field in page._meta.get_fields():
                if getattr(field, "attname", None) in deferred:
                    continue
                if isinstance(field, StreamField):
                    self._collect(field.stream_block, getattr(page, field.attname).raw_data, wanted)
                elif isinstance(field, RichTextField):
                    self._collect_links(getattr(page, field.attname), wanted)
            self._collect_media(page, wanted, deferred)
        self.load_documents(wanted["document"] - {None})
        self.load_images(wanted["image"] - {None})
        self._load_topics(wanted["topic"])
        self._load_page_paths(wanted["page"])

    @staticmethod
    def _media_kind(model) -> str | None:
        return {get_image_model(): "image", get_document_model(): "document"}.get(model)

    def _collect_media(self, row, wanted, deferred=frozenset()) -> None:
        """The images and documents `row`'s own foreign keys point at (a page's cover image, card image or PDF, a
        person's photo): they load with the blocks'."""
        for field in row._meta.concrete_fields:
            kind = isinstance(field, ForeignKey) and self._media_kind(field.related_model)
            if kind and field.attname not in deferred:
                wanted[kind].add(getattr(row, field.attname))

    def _collect(self, block, raw, wanted) -> None:
        if raw is None:
            return
        if isinstance(block, blocks.StreamBlock):
            for child in raw:
                child_block = block.child_blocks.get(child.get("type"))
                if child_block is not None:
                    self._collect(child_block, child.get("value"), wanted)
        elif isinstance(block, ImageBlock | ImageChooserBlock):
            if (pk := image_id(raw)) is not None:
                wanted["image"].add(pk)
        elif isinstance(block, blocks.ListBlock):
            for item in list_items(raw):
                self._collect(block.child_block, item, wanted)
        elif isinstance(block, blocks.StructBlock):
            for name, child_block in block.child_blocks.items():
                self._collect(child_block, raw.get(name), wanted)
        elif isinstance(block, DocumentChooserBlock) and isinstance(raw, int):
            wanted["document"].add(raw)
        elif isinstance(block, SnippetChooserBlock) and block.target_model is Topic and isinstance(raw, int):
            wanted["topic"].add(raw)
        elif isinstance(block, blocks.RichTextBlock):
            self._collect_links(raw, wanted)

    @staticmethod
    def _collect_links(html, wanted) -> None:
        for linktype, pk in rich_text_links(html):
            wanted[linktype].add(pk)

    # --- loading ----------------------------------------------------------------------------------------

    # Documents and images are loaded when the first of them is asked for, all of those wanted so far in one query
    # per kind: a list's `prepare` names what its rows point at, and a query that selects none of it (the contract
    # `events` query asks for no facilitator photo) pays nothing.

    def load_documents(self, ids: Iterable[int]) -> None:
        self._wanted_documents.update(ids)

    def load_images(self, ids: Iterable[int]) -> None:
        self._wanted_images.update(ids)

    def _fetch_documents(self) -> None:
        missing, self._wanted_documents = self._wanted_documents - self.documents.keys(), set()
        if missing:
            found = {doc.pk: doc for doc in visible_documents(user=self.user).filter(pk__in=missing)}
            self.documents.update({pk: found.get(pk) for pk in missing})

    def _fetch_images(self) -> None:
        missing, self._wanted_images = self._wanted_images - self.images.keys(), set()
        if missing:
            found = {
                image.pk: image
                # Every rendition of these images in one query: existing renditions then cost no query.
                for image in visible_images(user=self.user).filter(pk__in=missing).prefetch_renditions()
            }
            self.images.update({pk: found.get(pk) for pk in missing})

    def _load_topics(self, ids: set[int]) -> None:
        missing = ids - self.topics.keys()
        if missing:
            self.topics.update({topic.pk: topic for topic in Topic.objects.filter(pk__in=missing)})

    def _load_page_paths(self, ids: set[int]) -> None:
        missing = ids - self.page_paths.keys()
        if missing:
            found = dict(
                visible_pages(Page.objects.filter(pk__in=missing), user=self.user).values_list("pk", "url_path")
            )
            self.page_paths.update({pk: self.path_for(found.get(pk)) for pk in missing})

    # --- lookups used by resolvers -------------------------------------------------------------------------

    def document(self, pk):
        self._scan()
        if pk not in self.documents:
            self._wanted_documents.add(pk)
            self._fetch_documents()
        return self.documents[pk]

    def image(self, pk):
        self._scan()
        if pk not in self.images:
            self._wanted_images.add(pk)
            self._fetch_images()
        return self.images[pk]

    def topic(self, pk):
        self._scan()
        return self.topics.get(pk)

    def page_path(self, pk):
        self._scan()
        if pk not in self.page_paths:
            self._load_page_paths({pk})
        return self.page_paths[pk]

    def root_url_path(self) -> str:
        """The tree url_path of the default site's root page ("/home-cit/"), read once per content version."""
        if self._root_url_path is None:
            self._root_url_path = per_version(self.version, "root_url_path", default_root_url_path)
        return self._root_url_path

    def path_for(self, url_path: str | None) -> str | None:
        """A page's path on the public site ("/events/foo/"), from its tree url_path ("/home-cit/events/foo/")."""
        root = self.root_url_path()
        if url_path is None or not url_path.startswith(root):
            return None  # outside the public site
        return "/" + url_path[len(root) :]

    def tree_url_path(self, site_path: str) -> str:
        """The inverse of `path_for`: "/events/foo" -> "/home-cit/events/foo/"."""
        parts = [part for part in site_path.split("/") if part]
        return self.root_url_path() + "".join(f"{part}/" for part in parts)
