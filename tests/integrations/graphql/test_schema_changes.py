"""The compatibility check: schema.graphql against the last released schema, breaking changes only when
CHANGELOG.md lists them (integrations/graphql/changes.py), and the release step that moves both forward."""

import warnings
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from integrations.graphql import changes
from integrations.graphql.changes import check, cut_release, listed_breaking_changes, released_changelog

RELEASED = """
type Query {
  events(topic: String, year: Int): [Event!]!
}
type Event {
  title: String!
  location: String!
  capacity: Int
  status: EventStatus!
}
enum EventStatus { SCHEDULED POSTPONED CANCELLED }
"""
# `location` removed, `year` removed, POSTPONED removed, and a required argument added: four breaking changes.
CURRENT = """
type Query {
  events(topic: String, kind: String!): [Event!]!
}
type Event {
  title: String!
  capacity: Int
  status: EventStatus!
}
enum EventStatus { SCHEDULED CANCELLED }
"""
BREAKING = {"Event.location", "Query.events(year:)", "EventStatus.POSTPONED", "Query.events(kind:)"}


def changelog(*bullets: str) -> str:
    return (
        "# Changelog\n\n## [Unreleased]\n\n### Breaking\n\n"
        + "".join(f"- {b}\n" for b in bullets)
        + (
            "\n### Added\n\n- `Event.location`: mentioned outside Breaking, which lists nothing.\n\n"
            "## [0.1.0] - 2026-12-02\n\n### Breaking\n\n- `Query.events(year:)`: an older release's entry.\n"
        )
    )


def coordinates(unlisted: list[str]) -> set[str]:
    return {entry.partition(": ")[0] for entry in unlisted}


def test_the_current_schema_breaks_nothing_the_changelog_does_not_list():
    unlisted, dangerous = check(
        changes.RELEASED_SCHEMA.read_text(encoding="utf-8"),
        changes.SCHEMA.read_text(encoding="utf-8"),
        changes.CHANGELOG.read_text(encoding="utf-8"),
    )
    for change in dangerous:  # allowed, but a partner's client may notice: shown in the test summary
        warnings.warn(f"Dangerous schema change since the last release: {change}", stacklevel=1)
    assert not unlisted, (
        "Breaking changes since the last release (schema.released.graphql) that CHANGELOG.md does not list under "
        "'## [Unreleased]' → '### Breaking' as a bullet starting with the coordinate in backticks. Deprecate "
        "instead (deprecation_reason=), or list each:\n  " + "\n  ".join(unlisted)
    )


def test_an_unlisted_breaking_change_fails_the_check_by_its_coordinate():
    unlisted, _dangerous = check(RELEASED, CURRENT, changelog())
    assert coordinates(unlisted) == BREAKING
    assert "Event.location: Event.location was removed." in unlisted


def test_a_listed_breaking_change_passes_and_the_others_still_fail():
    unlisted, _dangerous = check(
        RELEASED, CURRENT, changelog("`Event.location`: removed; use `venue`.", "`EventStatus.POSTPONED` removed.")
    )
    assert coordinates(unlisted) == {"Query.events(year:)", "Query.events(kind:)"}
    unlisted, _dangerous = check(
        RELEASED,
        CURRENT,
        changelog(
            "`Event.location`, `EventStatus.POSTPONED`: gone.", "`Query.events(year:)` and `Query.events(kind:)`"
        ),
    )
    assert unlisted == []


def test_dangerous_changes_are_reported_but_do_not_fail():
    current = RELEASED.replace("CANCELLED }", "CANCELLED ARCHIVED }")
    unlisted, dangerous = check(RELEASED, current, changelog())
    assert unlisted == []
    assert dangerous == ["ARCHIVED was added to enum type EventStatus."]


def test_deprecating_and_describing_are_not_breaking():
    current = RELEASED.replace(
        "location: String!", '"Venue and address." location: String! @deprecated(reason: "Use `venue`.")'
    )
    assert check(RELEASED, current, changelog()) == ([], [])


def test_only_the_unreleased_breaking_list_counts():
    assert listed_breaking_changes(changelog("`A.b`: gone.")) == {"A.b"}
    assert listed_breaking_changes("# Changelog\n\n## [0.1.0]\n\n### Breaking\n\n- `A.b`\n") == set()


def test_a_release_moves_the_unreleased_entries_under_the_version():
    released = released_changelog(changelog("`Event.location`: removed."), "0.2.0", date(2027, 1, 15))
    assert "## [Unreleased]\n\n## [0.2.0] - 2027-01-15\n\n### Breaking\n\n- `Event.location`: removed." in released
    assert listed_breaking_changes(released) == set()  # the next release starts with nothing listed
    for version, refusal in (("v0.2", "MAJOR"), ("0.2.0; rm -rf /", "MAJOR"), ("0.1.0", "already has")):
        with pytest.raises(ValueError, match=refusal):
            released_changelog(changelog(), version, date(2027, 1, 15))


def test_cutting_a_release_copies_the_schema_and_dates_the_changelog(tmp_path, monkeypatch):
    (tmp_path / "schema.graphql").write_text(CURRENT, encoding="utf-8")
    (tmp_path / "schema.released.graphql").write_text(RELEASED, encoding="utf-8")
    (tmp_path / "CHANGELOG.md").write_text(changelog("`Event.location`: removed."), encoding="utf-8")
    cut_release("0.2.0", date(2027, 1, 15), root=tmp_path)
    assert (tmp_path / "schema.released.graphql").read_text(encoding="utf-8") == CURRENT
    assert "## [0.2.0] - 2027-01-15" in (tmp_path / "CHANGELOG.md").read_text(encoding="utf-8")
    assert check(CURRENT, CURRENT, (tmp_path / "CHANGELOG.md").read_text(encoding="utf-8")) == ([], [])


def test_the_release_command_refuses_a_malformed_version_and_changes_nothing():
    before = changes.CHANGELOG.read_text(encoding="utf-8"), changes.RELEASED_SCHEMA.read_text(encoding="utf-8")
    with pytest.raises(CommandError, match=r"MAJOR\.MINOR\.PATCH"):
        call_command("graphql_release", "next")
    assert (
        changes.CHANGELOG.read_text(encoding="utf-8"),
        changes.RELEASED_SCHEMA.read_text(encoding="utf-8"),
    ) == before


@pytest.mark.parametrize(
    ("released", "current", "expected"),
    [
        (
            "type Query { a: A } type A { x: String } type B { y: String }",
            "type Query { a: A } type A { x: String }",
            "B",
        ),
        (
            "type Query { a: A, b(a: B): Int } type A { x: String } input B { y: Int }",
            "type Query { a: A, b(a: B): Int } type A { x: String } enum B { Y }",
            "B",
        ),
        ("type Query { a: String }", "type Query { a: Int }", "Query.a"),
        ("type Query { a(x: Int): Int }", "type Query { a(x: String): Int }", "Query.a(x:)"),
        (
            "type Query { a(i: I): String } input I { x: Int }",
            "type Query { a(i: I): String } input I { x: Int y: Int! }",
            "I.y",
        ),
        (
            "type Query { a: A } interface N { id: ID } type A implements N { id: ID }",
            "type Query { a: A } interface N { id: ID } type A { id: ID }",
            "A",
        ),
        (
            "type Query { u: U } union U = A | B type A { x: Int } type B { y: Int }",
            "type Query { u: U, b: B } union U = A type A { x: Int } type B { y: Int }",
            "U",
        ),
        ("directive @cached on FIELD type Query { a: Int }", "type Query { a: Int }", "@cached"),
    ],
)
def test_each_kind_of_breaking_change_is_named_by_its_coordinate(released, current, expected):
    unlisted, _dangerous = check(released, current, changelog())
    assert coordinates(unlisted) == {expected}
    assert check(released, current, changelog(f"`{expected}`: gone.")) == ([], [])
