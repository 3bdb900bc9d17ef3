"""Bounds on what one GraphQL request may ask for: depth, aliases, cost, and time.

graphene's `depth_limit_validator` walks every fragment spread again (exponential on fragment fan-out, a sub-KB
query kept it busy for minutes) and crashes on an undefined fragment. `analyse()` visits each
fragment once per page size it is spread under and memoises the result, so the work is linear in the size of the
document whatever the fan-out; undefined and cyclic fragments count as empty (the standard rules report them).

Introspection (`__schema`, `__type`; only answered when GRAPHQL_INTROSPECTION is on) counts as one field of depth 1:
its work is bounded by the schema's size, its circular paths by graphql-core's MaxIntrospectionDepthRule (one of
the standard rules), and the introspection query tools such as GraphiQL send is 15 levels deep. Aliases in it count.

Cost model: every field costs 1; a list field multiplies the cost of what is selected under it by how many items
it can return: the page size asked for on the field or its paginated parent (`perPage`, `limit`, `first`; the
maximum page size when it comes from a variable, the default page size when the field takes one but none
is given), else DEFAULT_LIST_SIZE. `events(perPage: 20) { items { title } }`
costs 1 + (1 + 20 * 1).
"""

import time
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
    get_named_type,
)
from graphql.execution import ExecutionContext

PAGE_SIZE_ARGUMENTS = ("perPage", "limit", "first")
INTROSPECTION_FIELDS = ("__schema", "__type")


@dataclass(frozen=True)
class Limits:
    max_depth: int
    max_aliases: int
    max_cost: int
    max_page_size: int  # what a page size given by a variable is assumed to be
    default_page_size: int  # what a paginated field returns when no page size is asked for
    default_list_size: int  # what an unpaginated list is assumed to hold


@dataclass(frozen=True)
class Measure:
    depth: int = 0
    aliases: int = 0
    cost: int = 0


class _Analysis:
    def __init__(self, document: DocumentNode, schema: GraphQLSchema, limits: Limits):
        self.schema = schema
        self.limits = limits
        self.fragments = {
            node.name.value: node for node in document.definitions if isinstance(node, FragmentDefinitionNode)
        }
        self.memo: dict[tuple[str, int | None], Measure] = {}
        self.visits = 0  # selections looked at: tests assert this stays linear in the document size

    def page_size(self, field: FieldNode, definition) -> int | None:
        for argument in field.arguments or ():
            if argument.name.value in PAGE_SIZE_ARGUMENTS:
                if isinstance(argument.value, IntValueNode):
                    return max(int(argument.value.value), 0)
                if isinstance(argument.value, VariableNode):
                    return self.limits.max_page_size
        if definition is not None and any(name in definition.args for name in PAGE_SIZE_ARGUMENTS):
            return self.limits.default_page_size
        return None

    def selection_set(self, node: SelectionSetNode | None, parent_type, page_size: int | None) -> Measure:
        if node is None:
            return Measure()
        depth = aliases = cost = 0
        for selection in node.selections:
            self.visits += 1
            if isinstance(selection, FieldNode):
                measure = self.field(selection, parent_type, page_size)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                fragment_type = self.schema.get_type(condition.name.value) if condition else parent_type
                measure = self.selection_set(selection.selection_set, fragment_type, page_size)
            elif isinstance(selection, FragmentSpreadNode):
                measure = self.fragment(selection.name.value, page_size)
            else:  # pragma: no cover - the three kinds above are all GraphQL has
                continue
            depth = max(depth, measure.depth)
            aliases += measure.aliases
            cost += measure.cost
        return Measure(depth, aliases, cost)

    def fragment(self, name: str, page_size: int | None) -> Measure:
        key = (name, page_size)
        if key in self.memo:
            return self.memo[key]
        definition = self.fragments.get(name)
        self.memo[key] = Measure()  # undefined or cyclic: NoFragmentCyclesRule/KnownFragmentNamesRule report it
        if definition is not None:
            fragment_type = self.schema.get_type(definition.type_condition.name.value)
            self.memo[key] = self.selection_set(definition.selection_set, fragment_type, page_size)
        return self.memo[key]

    def field(self, node: FieldNode, parent_type, page_size: int | None) -> Measure:
        fields = getattr(parent_type, "fields", None) or {}
        definition = fields.get(node.name.value)
        return_type = definition.type if definition is not None else None
        if isinstance(return_type, GraphQLNonNull):
            return_type = return_type.of_type
        own_size = self.page_size(node, definition)
        if isinstance(return_type, GraphQLList):
            multiplier = page_size if page_size is not None else own_size
            multiplier = self.limits.default_list_size if multiplier is None else multiplier
            inner = self.selection_set(node.selection_set, get_named_type(return_type), None)
        else:
            # A paginated wrapper (`events(perPage: 20) { items ... }`) hands its page size to the list below it.
            multiplier = 1
            named = get_named_type(return_type) if return_type is not None else None
            inner = self.selection_set(node.selection_set, named, own_size)
        if node.name.value in INTROSPECTION_FIELDS:
            return Measure(depth=1, aliases=inner.aliases + (1 if node.alias else 0), cost=1)
        return Measure(
            depth=inner.depth + 1,
            aliases=inner.aliases + (1 if node.alias else 0),
            cost=1 + multiplier * inner.cost,
        )


def analyse(document: DocumentNode, schema: GraphQLSchema, limits: Limits) -> tuple[dict[str, Measure], int]:
    """Depth, aliases and cost of each operation in `document`, and how many selections were visited."""
    analysis = _Analysis(document, schema, limits)
    measures = {}
    for index, node in enumerate(document.definitions):
        if isinstance(node, OperationDefinitionNode):
            root_type = schema.get_root_type(node.operation)
            name = node.name.value if node.name else f"operation {index + 1}"
            measures[name] = analysis.selection_set(node.selection_set, root_type, None)
    return measures, analysis.visits


def limits_rule(limits: Limits) -> type[ValidationRule]:
    """A validation rule class enforcing `limits` on every operation of a document."""

    class QueryLimitsRule(ValidationRule):
        def __init__(self, context: ValidationContext):
            super().__init__(context)
            measures, _ = analyse(context.document, context.schema, limits)
            for measure in measures.values():
                if measure.depth > limits.max_depth:
                    context.report_error(
                        GraphQLError(f"Query is nested {measure.depth} levels deep; the limit is {limits.max_depth}.")
                    )
                if measure.aliases > limits.max_aliases:
                    context.report_error(
                        GraphQLError(f"Query uses {measure.aliases} aliases; the limit is {limits.max_aliases}.")
                    )
                if measure.cost > limits.max_cost:
                    context.report_error(
                        GraphQLError(
                            f"Query is too expensive: cost {measure.cost} exceeds the limit of {limits.max_cost}. "
                            "Ask for fewer items (perPage) or fewer nested fields."
                        )
                    )

    return QueryLimitsRule


class TimeLimitExceeded(GraphQLError):
    """Raised between selection sets once the request's deadline has passed."""


class DeadlineExecutionContext(ExecutionContext):
    """Checks the request's deadline (`context.graphql_deadline`, a time.monotonic() value) before resolving each
    object's fields: cheaper than a per-field middleware, and a query can only grow by resolving more objects.
    A single slow resolver is not interrupted (see README).

    Every resolver is synchronous (the Django ORM), so graphql-core's check of each resolved value for an awaitable
    (about 1,500 per 20-item events page) is skipped."""

    is_awaitable = staticmethod(lambda value: False)

    def execute_fields(self, parent_type, source_value, path, fields):
        deadline = getattr(self.context_value, "graphql_deadline", None)
        if deadline is not None and time.monotonic() > deadline:
            raise TimeLimitExceeded("The query took too long and was stopped. Ask for fewer items or fields.")
        return super().execute_fields(parent_type, source_value, path, fields)
