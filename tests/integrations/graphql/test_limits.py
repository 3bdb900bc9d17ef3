"""Depth, alias and cost limits: measured in one linear pass, safe on undefined and cyclic fragments."""

import pytest
from graphql import parse, specified_rules, validate

from integrations.graphql.limits import Limits, analyse, limits_rule
from tests.integrations.graphql.tiny_schema import schema as tiny

SCHEMA = tiny.graphql_schema
LIMITS = Limits(
    max_depth=10, max_aliases=30, max_cost=5000, max_page_size=100, default_page_size=20, default_list_size=10
)


def measure(query: str):
    measures, visits = analyse(parse(query), SCHEMA, LIMITS)
    return next(iter(measures.values())), visits


def errors(query: str, limits: Limits = LIMITS) -> list[str]:
    return [error.message for error in validate(SCHEMA, parse(query), [*specified_rules, limits_rule(limits)])]


def nested(levels: int) -> str:
    return "{ node { " + "child { " * (levels - 1) + "name" + " }" * levels + " }"


def test_depth_counts_nested_fields():
    assert measure("{ node { name } }")[0].depth == 2
    assert measure(nested(5))[0].depth == 6


def test_depth_bomb_is_rejected():
    assert errors(nested(9)) == []
    assert errors(nested(12)) == ["Query is nested 13 levels deep; the limit is 10."]


def test_three_hundred_aliases_are_rejected():
    query = "{ " + " ".join(f"a{i}: viewer" for i in range(300)) + " }"
    assert "Query uses 300 aliases; the limit is 30." in errors(query)


def test_cost_multiplies_by_page_size_and_default_list_size():
    # events (1) + items (1 + 20 x (title 1 + topics (1 + 10 x name 1)))
    assert measure("{ events(perPage: 20) { items { title topics { name } } } }")[0].cost == 1 + 1 + 20 * (1 + 11)
    assert measure("query($n: Int) { events(perPage: $n) { items { title } } }")[0].cost == 1 + 1 + 100
    assert measure("{ events { total } }")[0].cost == 2
    assert measure("{ events { items { title } } }")[0].cost == 1 + 1 + 20  # the field's default page size


def test_huge_page_size_is_too_expensive():
    messages = errors("{ events(perPage: 1000000) { items { title } } }")
    assert any(
        message.startswith("Query is too expensive: cost 1000002 exceeds the limit of 5000") for message in messages
    )


def fan_out(levels: int) -> str:
    """Each fragment spreads the next one twice: 2**levels paths through a document under 1 KB."""
    fragments = [
        f"fragment F{i} on Node {{ child {{ ...F{i + 1} }} children {{ ...F{i + 1} }} }}" for i in range(levels)
    ]
    fragments.append(f"fragment F{levels} on Node {{ name }}")
    return "{ node { ...F0 } } " + " ".join(fragments)


def test_fragment_fan_out_is_measured_in_linear_work_and_rejected():
    query = fan_out(20)
    assert len(query.encode()) < 1024 * 2  # the bomb fits in well under a couple of KB
    measured, visits = measure(query)
    assert visits < 200  # 2**20 paths, yet each fragment is looked at once
    assert measured.depth == 22
    messages = errors(query)
    assert "Query is nested 22 levels deep; the limit is 10." in messages
    assert any(message.startswith("Query is too expensive") for message in messages)
    # Work grows linearly: twice the fragments, about twice the visits.
    assert measure(fan_out(40))[1] <= 2 * visits + 4


def test_undefined_fragment_is_reported_not_crashed_on():
    assert errors("{ node { ...Missing } }") == ["Unknown fragment 'Missing'."]


def test_fragment_cycle_is_reported_not_looped_on():
    messages = errors("{ node { ...A } } fragment A on Node { child { ...B } } fragment B on Node { child { ...A } }")
    assert any("Cannot spread fragment" in message for message in messages)


def test_several_operations_are_measured_separately():
    measures, _ = analyse(parse("query One { viewer } query Two " + nested(3)), SCHEMA, LIMITS)
    assert set(measures) == {"One", "Two"}


@pytest.mark.parametrize("query", ["{ events(perPage: -5) { items { title } } }", "{ nothing { at all } }"])
def test_odd_arguments_and_unknown_fields_do_not_break_the_measure(query):
    measured, _ = measure(query)
    assert measured.cost >= 1


def test_the_introspection_query_tools_send_fits_while_circular_introspection_is_refused():
    from graphql import get_introspection_query

    # GraphiQL's and codegen's query: 15 levels of ofType, bounded by the schema, not by our depth limit.
    assert errors(get_introspection_query(descriptions=True)) == []
    assert measure("{ __schema { types { name } } node { name } }")[0].depth == 2
    circular = "{ __schema { types { fields { type { fields { type { fields { type { name } } } } } } } } }"
    assert errors(circular) == ["Maximum introspection depth exceeded"]
    aliases = "{ " + " ".join(f'a{i}: __type(name: "Query") {{ name }}' for i in range(31)) + " }"
    assert "Query uses 31 aliases; the limit is 30." in errors(aliases)
