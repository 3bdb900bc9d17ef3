"""The hardened /graphql/ endpoint.

Our own view rather than graphene-django's: its `validation_rules` replace the standard rules instead of adding
to them, and it has no size, cost, time or rate limits. Request flow, each step refusing with a
GraphQL-shaped JSON error and the right status (never a 500, never internal text):

Under DEBUG only, a browser's GET without a query gets the GraphiQL playground instead (`playground`).

CORS preflight → method (405) → bearer token (401) → rate limit (429) → body size and shape (413/415/400) →
parse with a token limit and validate with the standard rules + depth/alias/cost limits (400, cached per query
text) → GET only for queries (405) → the stored answer of this content version and caller class, if any
(cache.py; 304 on a matching If-None-Match, executing nothing) → execute as the token's user with a deadline (503
when it passes) → store → response with Cache-Control/ETag on GET.
"""

import hashlib
import json
import logging
import re
import time
from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView
from graphql import (
    GraphQLError,
    NoSchemaIntrospectionCustomRule,
    OperationType,
    execute,
    parse,
    specified_rules,
    validate,
)
from graphql.utilities import get_operation_ast

from cms import content_version, json_input, response_cache
from cms.client_ip import client_ip
from cms.middleware import DATABASE_DOWN
from cms.ratelimit import window_hit
from integrations.graphql import cache
from integrations.graphql.auth import TokenRejected, authenticate, cached_caller, remember
from integrations.graphql.examples import documented_examples
from integrations.graphql.limits import DeadlineExecutionContext, Limits, TimeLimitExceeded, limits_rule

logger = logging.getLogger(__name__)

SUGGESTION_RE = re.compile(r"\s*Did you mean .*\?$", re.DOTALL)
INTERNAL_ERROR = "Internal error while resolving this field; it has been logged."
ALLOWED_METHODS = "GET, POST, OPTIONS"
TOO_DEEP = f"JSON nested too deeply (more than {json_input.MAX_DEPTH} levels)"


class Rejection(Exception):
    """A request refused before execution: `message` is shown to the caller with `status`."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@lru_cache(maxsize=1)
def get_schema():
    """The executable graphql-core schema named by GRAPHENE["SCHEMA"] (a graphene Schema or a GraphQLSchema)."""
    schema = import_string(getattr(settings, "GRAPHENE", {}).get("SCHEMA", "integrations.graphql.schema.schema"))
    return getattr(schema, "graphql_schema", schema)


@lru_cache(maxsize=512)
def prepare(query: str):
    """(document, errors) for `query`: parsed with a token limit, validated with the standard rules plus ours.

    Cached by query text: partners send the same few queries over and over, and parsing + validation is a large
    part of a small query's cost. Cleared whenever a GraphQL setting changes (tests).
    """
    try:
        document = parse(query, max_lexical_tokens=settings.GRAPHQL_MAX_TOKENS, max_comments=100)
    except GraphQLError as error:
        return None, [error]
    rules = [
        *specified_rules,
        limits_rule(
            Limits(
                max_depth=settings.GRAPHQL_MAX_DEPTH,
                max_aliases=settings.GRAPHQL_MAX_ALIASES,
                max_cost=settings.GRAPHQL_MAX_COST,
                max_page_size=settings.GRAPHQL_MAX_PER_PAGE,
                default_page_size=settings.GRAPHQL_PER_PAGE,
                default_list_size=settings.GRAPHQL_DEFAULT_LIST_SIZE,
            )
        ),
    ]
    if not settings.GRAPHQL_INTROSPECTION:
        rules.append(NoSchemaIntrospectionCustomRule)
    # max_errors bounds the work spent describing a hostile document's faults.
    return document, validate(get_schema(), document, rules, max_errors=20)


@receiver(setting_changed)
def _clear_prepared(*, setting, **_):
    if setting.startswith("GRAPHQL_") or setting == "GRAPHENE":
        prepare.cache_clear()
        get_schema.cache_clear()


def error_payload(errors) -> list[dict]:
    """Errors as the caller sees them: resolver exceptions masked, schema suggestions stripped in production."""
    formatted = []
    for error in errors:
        original = getattr(error, "original_error", None)
        if original is not None and not isinstance(original, GraphQLError):
            logger.error("GraphQL resolver error at %s", error.path, exc_info=original)
            entry = {"message": INTERNAL_ERROR}
            if error.path:
                entry["path"] = error.path
        else:
            entry = error.formatted
            # Only our own error code survives (mutations.AccessDenied): clients branch on it.
            code = (entry.pop("extensions", None) or {}).get("code")
            if code:
                entry["extensions"] = {"code": code}
            if not settings.GRAPHQL_INTROSPECTION:
                entry["message"] = SUGGESTION_RE.sub("", entry["message"])
        formatted.append(entry)
    return formatted


def timed_out(error: GraphQLError) -> bool:
    # At the root the deadline error arrives as raised; below it, wrapped with the field's path.
    return isinstance(error, TimeLimitExceeded) or isinstance(error.original_error, TimeLimitExceeded)


def json_response(payload: dict, status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return HttpResponse(body, status=status, content_type="application/json", headers=headers)


def check_rate(identity: str, limit: int) -> None:
    """429 with Retry-After once `identity` is over `limit` requests in the current window."""
    if limit <= 0:
        return
    window = settings.GRAPHQL_RATE_LIMIT_WINDOW_SECONDS
    count, retry_after = window_hit(f"graphql:rate:{identity}", window)
    if count > limit:
        raise Rejection(
            429,
            f"Rate limit exceeded: {limit} requests per {window} s. Retry in {retry_after} s.",
            {"Retry-After": str(retry_after)},
        )


def _json_param(params, name: str):
    value = params.get(name) or None
    if value is None:
        return None
    try:
        return json_input.loads(value)
    except json_input.NestedTooDeeply:
        raise Rejection(400, f"The '{name}' parameter is {TOO_DEEP}.") from None
    except ValueError:
        raise Rejection(400, f"The '{name}' parameter is not valid JSON.") from None


def read_params(request: HttpRequest) -> tuple[str, dict | None, str | None]:
    """(query, variables, operationName) from the query string (GET) or a JSON body (POST); the query of an
    automatic persisted query (`extensions.persistedQuery`) comes from the cache (integrations/graphql/cache.py).
    Read once per request, refusal included: the hit path (stored_answer) reads them before the view, and a body
    can be read only once."""
    params = getattr(request, "graphql_params", None)
    if params is None:
        try:
            params = _read_params(request)
        except (Rejection, cache.PersistedQueryError) as refusal:
            params = refusal
        request.graphql_params = params
    if isinstance(params, Exception):
        raise params
    return params


def _read_params(request: HttpRequest) -> tuple[str, dict | None, str | None]:
    if request.method == "GET":
        params = request.GET
        payload = {
            "query": params.get("query"),
            "variables": _json_param(params, "variables"),
            "operationName": params.get("operationName"),
            "extensions": _json_param(params, "extensions"),
        }
    else:
        content_type = request.content_type or ""
        if content_type != "application/json":
            raise Rejection(415, "Send the request as JSON with 'Content-Type: application/json'.")
        limit = settings.GRAPHQL_MAX_BODY_BYTES
        too_big = Rejection(413, f"Request body too large: the limit is {limit} bytes.")
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise Rejection(400, "Invalid Content-Length header.") from None
        if declared > limit:
            raise too_big  # refused before reading a byte of it
        body = request.read(limit + 1)
        if len(body) > limit:
            raise too_big
        try:
            payload = json_input.loads(body)
        except json_input.NestedTooDeeply:
            raise Rejection(400, f"The request body is {TOO_DEEP}.") from None
        except ValueError:
            raise Rejection(400, "The request body is not valid JSON.") from None
        if isinstance(payload, list):
            raise Rejection(400, "Batched requests are not supported: send one operation per request.")
        if not isinstance(payload, dict):
            raise Rejection(400, "The request body must be a JSON object with a 'query'.")
    query, variables, operation_name = payload.get("query"), payload.get("variables"), payload.get("operationName")
    request.graphql_persist_as = None
    if payload.get("extensions") is not None:
        query, request.graphql_persist_as = cache.persisted_query(query, payload["extensions"])
    if not isinstance(query, str) or not query.strip():
        raise Rejection(400, "Missing 'query': send a GraphQL query string.")
    if variables is not None and not isinstance(variables, dict):
        raise Rejection(400, "'variables' must be a JSON object.")
    if operation_name is not None and not isinstance(operation_name, str):
        raise Rejection(400, "'operationName' must be a string.")
    return query, variables, operation_name


def cors_headers(request: HttpRequest) -> dict[str, str]:
    origin = request.headers.get("Origin")
    if origin is None or origin not in settings.GRAPHQL_CORS_ALLOWED_ORIGINS:
        return {}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Methods": ALLOWED_METHODS,
        "Access-Control-Allow-Headers": "Authorization, Content-Type",
        "Access-Control-Expose-Headers": "ETag, Retry-After",
        "Access-Control-Max-Age": "600",
    }


def wants_playground(request: HttpRequest) -> bool:
    """A developer's browser opening /graphql/ under DEBUG: a GET with no query that prefers HTML (graphene-django's
    own test, which also lets `?raw` ask for JSON). Never in production or test settings (DEBUG off)."""
    return (
        settings.DEBUG
        and request.method == "GET"
        and "query" not in request.GET
        and GraphQLView.can_display_graphiql(request, {})
    )


PLACEHOLDER_TOKENS = {
    "partner": "PASTE-A-PARTNER-TOKEN (manage.py api_token create --user partner)",
    "member": "PASTE-A-MEMBER-TOKEN (the login mutation's token)",
}


def example_tabs() -> list[dict]:
    """docs/partners.md's runnable examples as GraphiQL tabs; an example that runs as a partner or member gets an
    Authorization header to fill in (no real token is ever put in the page)."""
    try:
        examples = documented_examples()
    except (OSError, ValueError):
        logger.warning("The playground shows no examples: docs/partners.md could not be read", exc_info=True)
        return []
    return [
        {
            "query": f"# docs/partners.md, {example.heading} (line {example.line})\n{example.query}\n",
            "variables": json.dumps(example.variables, indent=2) if example.variables else None,
            "headers": (
                json.dumps({"Authorization": f"Bearer {PLACEHOLDER_TOKENS[example.run_as]}"}, indent=2)
                if example.run_as
                else None
            ),
        }
        for example in examples
    ]


def playground(request: HttpRequest) -> HttpResponse:
    """GraphiQL, loaded from the CDN at the versions (and subresource-integrity hashes) graphene-django pins for its
    own GraphiQL page, with the header editor on and the documented examples as tabs. Queries go through this
    same view, with its token, limits and privacy rule."""
    view = GraphQLView
    context = {
        "graphiql_version": view.graphiql_version,
        "graphiql_sri": view.graphiql_sri,
        "graphiql_css_sri": view.graphiql_css_sri,
        "react_version": view.react_version,
        "react_sri": view.react_sri,
        "react_dom_sri": view.react_dom_sri,
        "settings": {"endpoint": request.path, "tabs": example_tabs()},
    }
    response = render(request, "graphql/graphiql.html", context)
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt  # no cookies are read: a cross-site request can only act as the token it carries
def graphql_view(request: HttpRequest) -> HttpResponse:
    if wants_playground(request):
        return playground(request)
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
        response["Allow"] = ALLOWED_METHODS
    else:
        try:
            response = run(request)
        except Rejection as rejection:
            response = refused(rejection)
        except cache.PersistedQueryError as refusal:
            response = json_response({"errors": [refusal.error]}, refusal.status, {"Cache-Control": "no-store"})
    return finish(request, response)


def refused(rejection: Rejection) -> HttpResponse:
    response = json_response({"errors": [{"message": rejection.message}]}, rejection.status, rejection.headers)
    response["Cache-Control"] = "no-store"
    return response


def finish(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """The headers every answer of /graphql/ carries, from the view or from the hit path."""
    for name, value in cors_headers(request).items():
        response[name] = value
    # Accept-Encoding also on 304s, which GZipMiddleware leaves alone: every answer has a gzip twin.
    response["Vary"] = "Authorization, Origin, Accept-Encoding"
    return response


def stored_answer(request: HttpRequest) -> HttpResponse | None:
    """A stored answer (or its 304) for `request`, answered before the session, authentication and messages
    middleware run (StoredAnswerMiddleware); None lets the full stack and the view answer it (a miss, anything
    refused or malformed, a mutation, the playground, a token this process cannot vouch for from the cache).

    The same decisions as `run`: the parsed and validated query (cached per text), then the content and access
    versions (one query), the caller (anonymous without an Authorization header, whatever cookies come with it:
    this endpoint never reads a session; a token from the token cache, keyed on the access version, else the
    database), the stored entry, then the rate limit. What it learns on the way (the parameters, the token's user,
    the caller, the version, the cache key) is kept on the request, so a miss reads none of it twice.
    """
    if request.method not in ("GET", "POST") or not settings.RESPONSE_CACHE or wants_playground(request):
        return None
    # First what costs no query, so that what is never stored (mutations, the viewer...) costs what it did.
    try:
        query, variables, operation_name = read_params(request)
    except (Rejection, cache.PersistedQueryError):
        return None
    document, errors = prepare(query)
    if errors or request.graphql_persist_as:
        return None
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation != OperationType.QUERY or cache.plan(query).policy == cache.UNCACHED:
        return None
    header = request.META.get("HTTP_AUTHORIZATION")
    try:
        versions = content_version.read()
        caller = cached_caller(header, versions.access)
        if caller is None:
            user, token = authenticate(header)
            caller = cache.describe(user, token)
            remember(header, versions.access, caller)
            request.graphql_auth = user, token
    except (TokenRejected, *DATABASE_DOWN):
        return None  # the view says why (401), or the database middleware answers 503
    request.graphql_caller = caller, versions.content  # for the view, should this not be a hit
    stored = cache.lookup(
        query=query, operation_name=operation_name, variables=variables, caller=caller, version=versions.content
    )
    if stored is None:
        return None
    request.graphql_lookup = stored
    entry = stored.get()
    if entry is None:
        return None
    try:
        check_caller_rate(request, caller.token_pk)
    except Rejection as rejection:
        return finish(request, refused(rejection))
    return finish(request, answer(request, entry, caller.token_pk))


def check_caller_rate(request: HttpRequest, token_pk: int | None) -> None:
    if token_pk is None:
        check_rate(f"ip:{client_ip(request)}", settings.GRAPHQL_RATE_LIMIT_ANONYMOUS)
    else:
        check_rate(f"token:{token_pk}", settings.GRAPHQL_RATE_LIMIT_TOKEN)


def run(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "POST"):
        raise Rejection(405, "Use GET (queries) or POST.", {"Allow": ALLOWED_METHODS})
    try:
        # The hit path may have authenticated this request already (a token it had not cached).
        user, token = getattr(request, "graphql_auth", None) or authenticate(request.META.get("HTTP_AUTHORIZATION"))
    except TokenRejected as rejected:
        # Bad tokens count against the caller's IP, so guessing tokens is rate-limited too.
        check_rate(f"ip:{client_ip(request)}", settings.GRAPHQL_RATE_LIMIT_ANONYMOUS)
        raise Rejection(401, str(rejected), {"WWW-Authenticate": 'Bearer realm="graphql"'}) from None
    check_caller_rate(request, token.pk if token is not None else None)

    query, variables, operation_name = read_params(request)
    document, errors = prepare(query)
    if errors:
        return json_response({"errors": error_payload(errors)}, 400, {"Cache-Control": "no-store"})
    if request.graphql_persist_as:
        cache.register_persisted(request.graphql_persist_as, query)
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        message = f"Unknown operation '{operation_name}'." if operation_name else "Name the operation to run."
        raise Rejection(400, message)
    if operation.operation != OperationType.QUERY:
        if request.method == "GET":
            raise Rejection(405, "Only queries can be sent with GET; use POST.", {"Allow": "POST, OPTIONS"})
        if operation.operation != OperationType.MUTATION:
            raise Rejection(400, f"{operation.operation.value.capitalize()} operations are not supported.")

    stored = None
    if operation.operation == OperationType.QUERY:
        # Where the hit path looked already (same caller, same version read), else looked up now.
        caller, version = getattr(request, "graphql_caller", (None, None))
        stored = getattr(request, "graphql_lookup", None) or cache.lookup(
            query=query,
            operation_name=operation_name,
            variables=variables,
            user=user,
            token=token,
            caller=caller,
            version=version,
        )
    if stored is not None:
        entry = stored.get()
        if entry is not None:
            return answer(request, entry, token)  # a hit (or a 304) executes nothing

    # The resolvers' privacy rule reads info.context.user: the token's user, never the session's.
    request.user = user
    request.api_token = token  # the token itself, for mutations that act on it (logout)
    request.graphql_deadline = time.monotonic() + settings.GRAPHQL_TIME_LIMIT_SECONDS
    result = execute(
        get_schema(),
        document,
        context_value=request,
        variable_values=variables,
        operation_name=operation_name,
        execution_context_class=DeadlineExecutionContext,
    )
    # A lost database is an outage, not a field error: the middleware answers 503 (see the fault suite).
    outage = next((e.original_error for e in result.errors or () if isinstance(e.original_error, DATABASE_DOWN)), None)
    if outage is not None:
        raise outage
    timeouts = [error for error in result.errors or () if timed_out(error)]
    if timeouts:  # partial data from a stopped query would look complete to a partner; send none
        return json_response({"errors": [{"message": timeouts[0].message}]}, 503, {"Cache-Control": "no-store"})
    payload = {"data": result.data}
    if result.errors:
        payload["errors"] = error_payload(result.errors)
    # No data at all means the request itself was wrong (e.g. bad variables), not a resolver failing.
    status = 400 if result.data is None and result.errors else 200
    response = json_response(payload, status)
    if status != 200 or result.errors:
        response["Cache-Control"] = "no-store"
        return response
    if stored is not None:
        return answer(request, stored.store(response.content), token)
    if request.method != "GET":
        response["Cache-Control"] = "no-store"
        return response
    # Not stored (per-user or uncached fields): validated by its bytes. Weak, as every ETag here: the same answer
    # goes out plain or compressed, and one validator must name both (RFC 9110 §8.8.1).
    etag = 'W/"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
    return conditional(request, response, etag, token)


def answer(request: HttpRequest, entry, token) -> HttpResponse:
    """A stored answer: its bytes in the client's preferred encoding, or 304 for a GET whose If-None-Match names it."""
    response = response_cache.respond(request, entry)
    if request.method != "GET":
        response["Cache-Control"] = "no-store"
        return response
    return conditional(request, response, entry.etag, token)


def conditional(request: HttpRequest, response: HttpResponse, etag: str, token) -> HttpResponse:
    # Anonymous answers may sit in a CDN for GRAPHQL_GET_MAX_AGE (the strategy: docs/operations.md, "Caching");
    # a token holder's only in their own client, revalidated every time (a 304 from the stored ETag is cheap).
    response["Cache-Control"] = (
        f"public, max-age={settings.GRAPHQL_GET_MAX_AGE}" if token is None else "private, no-cache"
    )
    response["ETag"] = etag
    # Django's precondition evaluation, as the calendar feeds use it: If-None-Match compares weakly (§13.1.2) and
    # the 304 keeps the ETag and Cache-Control (graphql_view adds Vary to it afterwards).
    return get_conditional_response(request, etag=etag, response=response)
