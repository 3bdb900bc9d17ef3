"""The runnable GraphQL examples in docs/partners.md, read in one place for everything that shows or runs them
(the development playground's tabs, the test that runs every documented example against the demo content).

The format (each rule applies to the lines around a ```graphql fence):

- a ```graphql fenced block is an operation to run;
- a ```json fenced block right after it (only blank lines between) holds its variables object;
- `<!-- example-as: partner -->` or `<!-- example-as: member -->` on the line right before the fence: run it as
  that demo user (with their token); otherwise as an anonymous caller;
- `<!-- example: skip -->` on the line right before the fence: a schema excerpt, not an operation (`skip` set).
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

PARTNERS_DOC = Path(__file__).resolve().parents[2] / "docs" / "partners.md"
RUN_AS = ("partner", "member")

FENCE_OPEN = re.compile(r"^(\s*)```+\s*(\w*)\s*$")
FENCE_CLOSE = re.compile(r"^\s*```+\s*$")
MARKER = re.compile(r"^\s*<!--\s*(example|example-as):\s*(\S+)\s*-->\s*$")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")


@dataclass(frozen=True)
class Example:
    query: str
    variables: dict | None
    run_as: str | None  # "partner", "member", or None for an anonymous caller
    skip: bool
    heading: str  # the section it is documented in
    line: int  # 1-based line of its ```graphql fence, for error messages


def parse(markdown: str, source: str = "docs/partners.md") -> list[Example]:
    """Every ```graphql block of `markdown`, in order; ValueError naming the line when a marker or the variables
    are malformed."""
    lines = markdown.splitlines()
    examples, heading, index = [], "", 0
    while index < len(lines):
        line = lines[index]
        opened = FENCE_OPEN.match(line)
        if not opened:
            if found := HEADING.match(line):
                heading = found.group(1)
            index += 1
            continue
        start = index
        body, index = fenced(lines, start, opened.group(1))
        if opened.group(2) != "graphql":
            continue
        marker = MARKER.match(lines[start - 1]) if start else None
        run_as, skip = None, False
        if marker:
            kind, value = marker.groups()
            if kind == "example-as" and value in RUN_AS:
                run_as = value
            elif kind == "example" and value == "skip":
                skip = True
            else:
                raise ValueError(
                    f"{source}:{start}: use <!-- example-as: partner|member --> or <!-- example: skip -->, "
                    f"not {lines[start - 1].strip()}"
                )
        variables, index = following_variables(lines, index, source)
        examples.append(Example("\n".join(body).strip(), variables, run_as, skip, heading, start + 1))
    return examples


def fenced(lines: list[str], start: int, indent: str) -> tuple[list[str], int]:
    """The body of the fence opened at `start` (its indentation removed) and the index after its closing line."""
    body, index = [], start + 1
    while index < len(lines) and not FENCE_CLOSE.match(lines[index]):
        body.append(lines[index].removeprefix(indent))
        index += 1
    return body, index + 1


def following_variables(lines: list[str], index: int, source: str) -> tuple[dict | None, int]:
    """The variables of the ```json fence after `index` (only blank lines between), else None."""
    after = index
    while after < len(lines) and not lines[after].strip():
        after += 1
    opened = FENCE_OPEN.match(lines[after]) if after < len(lines) else None
    if not opened or opened.group(2) != "json":
        return None, index
    body, end = fenced(lines, after, opened.group(1))
    try:
        variables = json.loads("\n".join(body))
    except ValueError as error:
        raise ValueError(f"{source}:{after + 1}: the variables are not valid JSON ({error})") from None
    if not isinstance(variables, dict):
        raise ValueError(f"{source}:{after + 1}: the variables must be a JSON object")
    return variables, end


def documented_examples(path: Path = PARTNERS_DOC) -> list[Example]:
    """The runnable examples of docs/partners.md (schema excerpts left out)."""
    return [example for example in parse(path.read_text(encoding="utf-8")) if not example.skip]


def tagged_blocks(markdown: str, tag: str) -> list[tuple[str, str]]:
    """(language, body) of every fenced block marked `<!-- example: TAG -->` on the line before it, e.g. the
    webhook verification snippets a test runs."""
    lines = markdown.splitlines()
    blocks, index = [], 0
    while index < len(lines):
        opened = FENCE_OPEN.match(lines[index])
        if not opened:
            index += 1
            continue
        marker = MARKER.match(lines[index - 1]) if index else None
        body, end = fenced(lines, index, opened.group(1))
        if marker and marker.groups() == ("example", tag):
            blocks.append((opened.group(2), "\n".join(body)))
        index = end
    return blocks
