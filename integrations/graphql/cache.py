"""The response cache of /graphql/: an answer is executed once per content version and caller class, then served
from the stored bytes; a matching If-None-Match is answered from the stored ETag without executing anything; and
Apollo's automatic persisted queries keep partners' GET URLs short and cacheable by a CDN.

What is shared, decided per query text when it is first validated (`plan`) from the fields the document selects:

- `shared`: every root field selected is declared shareable by its app (`declare_roots(shared=...)`: its answer
  depends only on the content and on which groups the caller belongs to). Keyed by caller class: "anonymous",
  or a token caller's groups + superuser flag (the privacy rule reads nothing else), so a member's answer never
  reaches an anonymous caller, a partner or a member of another group set.
- `per_user`: a shareable root, but a field declared per member (`declare_per_user`: a member's own calendar links
  for members-only events) is selected. Stored by class for anonymous callers and partners, who get the public
  value; executed every time for members.
- `uncached`: any root that is not declared shareable (the viewer, forum, TA requests, preview: data that
  changes without a publish, or that is one person's): always executed.

The key: content version, the normalised document (parsed, then printed: spacing and comments do not count),
the operation name, the variables (canonical JSON) and the caller class. Only 200 answers without errors are
stored. Mutations never reach this module.
"""

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from graphql import TypeInfo, TypeInfoVisitor, Visitor, print_ast, visit

from cms import response_cache
from pages.access import MEMBERS_GROUP

SHARED, PER_USER, UNCACHED = "shared", "per_user", "uncached"
CONTENT_TYPE = "application/json"
APQ_NOT_FOUND = {"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}
APQ_MISMATCH = {"message": "provided sha does not match query", "extensions": {"code": "PERSISTED_QUERY_HASH_MISMATCH"}}
APQ_KEY = "graphql:apq:{}"
APQ_SECONDS = 30 * 24 * 3600  # re-registered by the client whenever it is gone

_root_policies: dict[str, str] = {}
_per_user_fields: set[tuple[str, str]] = set()


def declare_roots(*, shared=(), uncached=()) -> None:
    """Declare root query fields (schema names) as shareable by caller class, or never cached."""
    for name in shared:
        _root_policies[name] = SHARED
    for name in uncached:
        _root_policies[name] = UNCACHED


def declare_per_user(type_name: str, *fields: str) -> None:
    """Fields of `type_name` whose value is one member's own (never shared between members; anyone else gets the
    same value as every caller of their class)."""
    _per_user_fields.update((type_name, field) for field in fields)


def root_policies() -> dict[str, str]:
    return dict(_root_policies)


class _Coordinates(Visitor):
    def __init__(self, type_info: TypeInfo):
        super().__init__()
        self.type_info = type_info
        self.found: set[tuple[str, str]] = set()

    def enter_field(self, node, *_):
        parent = self.type_info.get_parent_type()
        if parent is not None:
            self.found.add((parent.name, node.name.value))


@dataclass(frozen=True)
class Plan:
    policy: str
    normalised: str


@lru_cache(maxsize=512)
def plan(query: str) -> Plan:
    """How answers to `query` (valid) may be stored (module docstring). Cached per query text, like validation."""
    from integrations.graphql.views import get_schema, prepare

    document, _ = prepare(query)
    schema = get_schema()
    type_info = TypeInfo(schema)
    coordinates = _Coordinates(type_info)
    visit(document, TypeInfoVisitor(type_info, coordinates))
    query_type = schema.query_type.name
    roots = {field for parent, field in coordinates.found if parent == query_type and not field.startswith("__")}
    if not roots or any(_root_policies.get(name) != SHARED for name in roots):
        return Plan(UNCACHED, "")
    policy = PER_USER if coordinates.found & _per_user_fields else SHARED
    return Plan(policy, print_ast(document))


@receiver(setting_changed)
def _clear_plans(*, setting, **_):
    if setting.startswith(("GRAPHQL_", "RESPONSE_CACHE")) or setting == "GRAPHENE":
        plan.cache_clear()


@dataclass(frozen=True)
class Caller:
    """What the cache needs to know about a caller: their visibility class (what the privacy rule reads about
    them), whether they are a member (per-user fields), and for a token what the hit path checks without the
    database (auth.cached_caller): its expiry and when its use was last recorded (epoch seconds)."""

    visibility: str
    member: bool = False
    token_pk: int | None = None
    expires_at: float | None = None
    last_used_at: float | None = None

    @property
    def anonymous(self) -> bool:
        return self.token_pk is None


ANONYMOUS = Caller("anonymous")


def describe(user, token) -> Caller:
    """The Caller for an authenticated request (auth.authenticate's answer): one query for a token's user groups."""
    if token is None:
        return ANONYMOUS
    from integrations.graphql.auth import token_expires_at

    groups = sorted(user.groups.values_list("pk", "name"))
    active = bool(user.is_active)
    expires_at = token_expires_at(token)
    return Caller(
        visibility=f"token:{int(user.is_superuser)}:{int(active)}:{','.join(str(pk) for pk, _ in groups)}",
        member=active and (user.is_superuser or any(name == MEMBERS_GROUP for _, name in groups)),
        token_pk=token.pk,
        expires_at=expires_at.timestamp() if expires_at else None,
        last_used_at=token.last_used_at.timestamp() if token.last_used_at else None,
    )


@dataclass
class Lookup:
    """A request's place in the cache: its key and ETag prefix, read once (one content-version query)."""

    key: str
    etag_prefix: str
    anonymous: bool

    def get(self) -> response_cache.Entry | None:
        return response_cache.get(self.key)

    def store(self, body: bytes) -> response_cache.Entry:
        etag = f'W/"{self.etag_prefix}-{hashlib.sha256(body).hexdigest()[:16]}"'
        entry = response_cache.entry_for(body, etag=etag, content_type=CONTENT_TYPE)
        response_cache.store(self.key, entry)
        return entry


def lookup(
    *, query: str, operation_name, variables, user=None, token=None, caller: Caller | None = None, version=None
) -> Lookup | None:
    """Where this request's answer is stored, or None when it must be executed every time. The caller is
    `caller` or described from `user` and `token`; the content version is `version` or read now."""
    if not settings.RESPONSE_CACHE:
        return None
    prepared = plan(query)
    if prepared.policy == UNCACHED:
        return None
    caller = caller or describe(user, token)
    if prepared.policy == PER_USER and not caller.anonymous and caller.member:
        return None
    canonical_variables = json.dumps(variables or {}, sort_keys=True, separators=(",", ":"))
    digest = response_cache.digest(prepared.normalised, operation_name, canonical_variables, caller.visibility)
    version = version or response_cache.content_version()
    return Lookup(key=f"graphql:{version}:{digest}", etag_prefix=f"{version}-{digest[:16]}", anonymous=caller.anonymous)


def stored_count(request, field_name: str, filters: dict, count) -> int:
    """A list's `pagination.total`: `count()`, stored once per content version, list, filters and caller class.

    Every page of a list, every selection of fields and every query text asking for the same list shares it, so
    paging through a list or a new query counts nothing the site has counted since the last publish (a count
    grows with the content: 13 ms at 10,000 events on SQLite). Only where the answer itself could be stored:
    the request's caller and version are known (the hit path read them, StoredAnswerMiddleware) and the response
    cache is on. Like a stored answer, a count that changes with the clock alone (an event no longer upcoming) is
    at most RESPONSE_CACHE_SECONDS old.
    """
    known = getattr(request, "graphql_caller", None)
    if not settings.RESPONSE_CACHE or known is None:
        return count()
    caller, version = known
    canonical_filters = json.dumps(filters, sort_keys=True, separators=(",", ":"), default=str)
    key = f"graphql:count:{version}:{response_cache.digest(field_name, canonical_filters, caller.visibility)}"
    total = response_cache.cache().get(key)
    if not isinstance(total, int):
        total = count()
        response_cache.cache().set(key, total, settings.RESPONSE_CACHE_SECONDS)
    return total


# --- automatic persisted queries (Apollo's protocol) ------------------------------------------------------------


class PersistedQueryError(Exception):
    def __init__(self, status: int, error: dict):
        super().__init__(error["message"])
        self.status = status
        self.error = error


def persisted_query(query: str | None, extensions) -> tuple[str | None, str | None]:
    """(the query to run, the hash to register it under once it validates) for a request's `extensions`.

    A hash alone: the stored query, or PersistedQueryNotFound (the client then sends hash + query). A hash with a
    query: the hash must be the query's SHA-256, and the pair is registered after validation.
    """
    if extensions is None:
        return query, None
    if not isinstance(extensions, dict):
        raise PersistedQueryError(400, {"message": "'extensions' must be a JSON object."})
    persisted = extensions.get("persistedQuery")
    if persisted is None:
        return query, None
    sha = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
    if not isinstance(sha, str) or len(sha) != 64 or persisted.get("version") != 1:
        raise PersistedQueryError(
            400, {"message": "persistedQuery needs version 1 and a sha256Hash of 64 hexadecimal digits."}
        )
    sha = sha.lower()
    if query is None:
        stored = response_cache.cache().get(APQ_KEY.format(sha))
        if not isinstance(stored, str):
            raise PersistedQueryError(200, APQ_NOT_FOUND)
        return stored, None
    if not isinstance(query, str) or hashlib.sha256(query.encode()).hexdigest() != sha:
        raise PersistedQueryError(400, APQ_MISMATCH)
    return query, sha


def register_persisted(sha: str, query: str) -> None:
    response_cache.cache().set(APQ_KEY.format(sha), query, APQ_SECONDS)
