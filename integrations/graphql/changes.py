"""The partner API's compatibility rule: no breaking change to the schema unless CHANGELOG.md announces it.

`schema.released.graphql` is the schema of the last release, `schema.graphql` the current one. graphql-core's
`find_breaking_changes` compares them; each breaking change has a schema coordinate (`Type`, `Type.field`,
`Type.field(arg:)`, `Enum.VALUE`, `@directive`). A change is *listed* when its coordinate appears in backticks on
a bullet of the `### Breaking` list in CHANGELOG.md's `## [Unreleased]` section, e.g.

    - `TrainingEventPage.location`: removed; use `venue { name address }`.

Dangerous changes (`find_dangerous_changes`: an enum value or optional argument added, a default changed) need no
listing; the check shows them as warnings. Cutting a release (`cut_release`, `make release VERSION=x.y.z`) copies
`schema.graphql` to the released copy and turns the Unreleased section into the version's own.
"""

import re
import shutil
from datetime import date
from pathlib import Path

from graphql import BreakingChangeType, build_schema, find_breaking_changes, find_dangerous_changes

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "schema.graphql"
RELEASED_SCHEMA = ROOT / "schema.released.graphql"
CHANGELOG = ROOT / "CHANGELOG.md"
UNRELEASED = "## [Unreleased]"
VERSION_RE = re.compile(r"^\d+\.\d+\.\d+$")

# graphql-core describes each change in words; the coordinate is read back from them, per kind of change.
_NAME = r"[_A-Za-z][_0-9A-Za-z]*"
COORDINATE_PATTERNS = {
    BreakingChangeType.FIELD_REMOVED: (rf"^({_NAME})\.({_NAME}) ", "{0}.{1}"),
    BreakingChangeType.FIELD_CHANGED_KIND: (rf"^({_NAME})\.({_NAME}) ", "{0}.{1}"),
    BreakingChangeType.ARG_REMOVED: (rf"^({_NAME})\.({_NAME}) arg ({_NAME}) ", "{0}.{1}({2}:)"),
    BreakingChangeType.ARG_CHANGED_KIND: (rf"^({_NAME})\.({_NAME}) arg ({_NAME}) ", "{0}.{1}({2}:)"),
    BreakingChangeType.REQUIRED_ARG_ADDED: (rf"^A required arg ({_NAME}) on ({_NAME})\.({_NAME}) ", "{1}.{2}({0}:)"),
    BreakingChangeType.REQUIRED_INPUT_FIELD_ADDED: (
        rf"^A required field ({_NAME}) on input type ({_NAME}) ",
        "{1}.{0}",
    ),
    BreakingChangeType.VALUE_REMOVED_FROM_ENUM: (rf"^({_NAME}) was removed from enum type ({_NAME})\.", "{1}.{0}"),
    BreakingChangeType.TYPE_REMOVED_FROM_UNION: (rf"^({_NAME}) was removed from union type ({_NAME})\.", "{1}"),
    BreakingChangeType.IMPLEMENTED_INTERFACE_REMOVED: (rf"^({_NAME}) no longer implements ", "{0}"),
    BreakingChangeType.TYPE_CHANGED_KIND: (rf"^({_NAME}) changed from ", "{0}"),
    BreakingChangeType.TYPE_REMOVED: (rf"^(?:Standard scalar )?({_NAME}) was removed", "{0}"),
    BreakingChangeType.DIRECTIVE_REMOVED: (rf"^({_NAME}) was removed", "@{0}"),
    BreakingChangeType.DIRECTIVE_ARG_REMOVED: (rf"^({_NAME}) was removed from ({_NAME})\.", "@{1}({0}:)"),
    BreakingChangeType.REQUIRED_DIRECTIVE_ARG_ADDED: (
        rf"^A required arg ({_NAME}) on directive ({_NAME}) ",
        "@{1}({0}:)",
    ),
    BreakingChangeType.DIRECTIVE_REPEATABLE_REMOVED: (rf" from ({_NAME})\.$", "@{0}"),
    BreakingChangeType.DIRECTIVE_LOCATION_REMOVED: (rf" was removed from ({_NAME})\.$", "@{0}"),
}


def coordinate(change) -> str:
    """The schema coordinate a breaking change is about (its description when the words are not recognised)."""
    pattern, template = COORDINATE_PATTERNS.get(change.type, (None, None))
    found = re.search(pattern, change.description) if pattern else None
    return template.format(*found.groups()) if found else change.description


def listed_breaking_changes(changelog: str) -> set[str]:
    """The coordinates in backticks on the bullets of the Unreleased section's `### Breaking` list."""
    unreleased = changelog.partition(UNRELEASED)[2].split("\n## ", 1)[0]
    listed, in_breaking = set(), False
    for line in unreleased.splitlines():
        if line.startswith("### "):
            in_breaking = line[4:].strip().lower() == "breaking"
        elif in_breaking and re.match(r"\s*[-*] ", line):
            listed.update(re.findall(r"`([^`]+)`", line))
    return listed


def check(released_sdl: str, current_sdl: str, changelog: str) -> tuple[list[str], list[str]]:
    """(breaking changes the changelog does not list, dangerous changes), each as "coordinate: description"."""
    released, current = build_schema(released_sdl), build_schema(current_sdl)
    listed = listed_breaking_changes(changelog)
    unlisted = [
        f"{coordinate(change)}: {change.description}"
        for change in find_breaking_changes(released, current)
        if coordinate(change) not in listed
    ]
    dangerous = [change.description for change in find_dangerous_changes(released, current)]
    return unlisted, dangerous


def released_changelog(changelog: str, version: str, on: date) -> str:
    """`changelog` with the Unreleased section's entries moved under `## [version] - on`, Unreleased left empty."""
    if not VERSION_RE.match(version):
        raise ValueError(f"Give the version as MAJOR.MINOR.PATCH, e.g. 0.2.0 (not {version!r}).")
    if f"## [{version}]" in changelog:
        raise ValueError(f"CHANGELOG.md already has a {version} section.")
    head, marker, rest = changelog.partition(UNRELEASED)
    if not marker:
        raise ValueError(f"CHANGELOG.md has no '{UNRELEASED}' section.")
    return f"{head}{UNRELEASED}\n\n## [{version}] - {on.isoformat()}{rest}"


def cut_release(version: str, on: date, root: Path = ROOT) -> None:
    """Release the current schema: copy it to the released copy and date the Unreleased changelog entries."""
    changelog = root / CHANGELOG.name
    updated = released_changelog(changelog.read_text(encoding="utf-8"), version, on)
    shutil.copyfile(root / SCHEMA.name, root / RELEASED_SCHEMA.name)
    changelog.write_text(updated, encoding="utf-8")
