"""schema.graphql (what partners read) is exactly the schema the code serves."""

from pathlib import Path

from graphql import print_schema

from integrations.graphql.schema import schema

SCHEMA_FILE = Path(__file__).resolve().parents[3] / "schema.graphql"


def test_committed_schema_matches_the_code():
    committed = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""
    assert committed == print_schema(schema.graphql_schema), (
        "schema.graphql is out of date: run `make schema` "
        "(manage.py graphql_schema --out schema.graphql) and commit the result."
    )


def test_grapple_root_fields_are_not_exposed():
    root_fields = set(schema.graphql_schema.query_type.fields)
    assert (
        not {"pages", "documents", "images", "snippets", "redirects", "sites", "collections", "settings"} & root_fields
    )
    assert root_fields >= {"events", "event", "topics", "publications", "recordings", "courses", "page", "search"}
