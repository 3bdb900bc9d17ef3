"""Per-request batch loading of what page content points at: documents, images, topics and linked pages.

StreamField and rich text hold bare ids (an image block stores an image id, a rich-text link stores a page id).
Resolving them one by one costs a query per block per page, and Wagtail's own resolution ignores privacy. Instead,
each list resolver registers the pages it returns; the first block or link resolved scans the raw content of all
registered pages (and their own image and document foreign keys), and loads every id of a kind in one query through
`pages.access` for the caller. Ids the caller may not see (private collection, draft or members-only page) are simply
absent from the maps.
"""

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
        loader = Loader(user=getattr(context, "user", None))
        setattr(context, LOADER_ATTRIBUTE, loader)
    return loader


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
    def __init__(self, *, user):
        self.user = active_user(user)
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
        type at once, the first time one is asked for: one query, kept as plain lists (Django's own prefetch builds a
        manager and a queryset per row, which cost more than the query). The fetched rows' images and documents
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
            prefetch_related_objects(pending, Prefetch(relation, to_attr=attribute))
            self._want_media({row for page in pending for row in getattr(page, attribute)})
        return getattr(instance, attribute)

    def _want_media(self, rows) -> None:
        """Name the images and documents `rows` point at (a person's photo) for the next fetch of their kind."""
        for row in rows:
            for field in row._meta.concrete_fields:
                kind = isinstance(field, ForeignKey) and self._media_kind(field.related_model)
                if kind and (pk := getattr(row, field.attname)):
                    (self._wanted_images if kind == "image" else self._wanted_documents).add(pk)

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
                elif isinstance(field, ForeignKey) and (kind := self._media_kind(field.related_model)):
                    wanted[kind].add(getattr(page, field.attname))
        self.load_documents(wanted["document"] - {None})
        self.load_images(wanted["image"] - {None})
        self._load_topics(wanted["topic"])
        self._load_page_paths(wanted["page"])

    @staticmethod
    def _media_kind(model) -> str | None:
        """A page's own image or document foreign keys (cover and card images, PDFs) load with the blocks'."""
        return {get_image_model(): "image", get_document_model(): "document"}.get(model)

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
        """The tree url_path of the default site's root page ("/home-cit/"), read once per request."""
        if self._root_url_path is None:
            root = Site.objects.filter(is_default_site=True).values_list("root_page__url_path", flat=True).first()
            self._root_url_path = root or "/"
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
