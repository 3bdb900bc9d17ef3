"""The runnable examples in a Markdown page, in the format docs/partners.md describes: a ```graphql block is an
operation, a ```json block right after it (blank lines between at most) its variables, and an HTML comment on the
line just before the fence says who runs it (`<!-- example-as: partner -->`) or that it is not runnable
(`<!-- example: skip -->`). Other fenced blocks can be tagged too (`<!-- example: webhook-verification -->`)."""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

FENCE = re.compile(r"^```(\w*)\s*$")
TAG = re.compile(r"^<!--\s*example(-as)?:\s*([\w-]+)\s*-->\s*$")
CALLERS = ("anonymous", "partner", "member")


@dataclass
class Block:
    language: str
    text: str
    line: int  # 1-based line of the opening fence
    closing_line: int  # 1-based line of the closing fence
    tag: str | None = None  # from `<!-- example: TAG -->`
    caller: str = "anonymous"  # from `<!-- example-as: CALLER -->`


@dataclass
class Example:
    query: str
    line: int
    caller: str = "anonymous"
    variables: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return f"line {self.line} as {self.caller}"


def fenced_blocks(markdown: str) -> list[Block]:
    lines = markdown.splitlines()
    blocks, index = [], 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        end = next((n for n in range(index + 1, len(lines)) if lines[n].strip() == "```"), None)
        if end is None:
            raise ValueError(f"line {index + 1}: a fenced block that never closes")
        block = Block(opening.group(1), "\n".join(lines[index + 1 : end]), index + 1, end + 1)
        tag = TAG.match(lines[index - 1]) if index else None
        if tag and tag.group(1):
            if tag.group(2) not in CALLERS:
                raise ValueError(f"line {index}: unknown caller {tag.group(2)!r} (one of {', '.join(CALLERS)})")
            block.caller = tag.group(2)
        elif tag:
            block.tag = tag.group(2)
        blocks.append(block)
        index = end + 1
    return blocks


def graphql_examples(markdown: str) -> list[Example]:
    """Every runnable GraphQL example, with its variables and caller; skipped ones left out."""
    blocks = fenced_blocks(markdown)
    lines = markdown.splitlines()
    examples = []
    for position, block in enumerate(blocks):
        if block.language != "graphql" or block.tag == "skip":
            continue
        example = Example(block.text, block.line, block.caller)
        following = blocks[position + 1] if position + 1 < len(blocks) else None
        between = lines[block.closing_line : following.line - 1] if following else []
        if following and following.language == "json" and not "".join(between).strip():
            try:
                example.variables = json.loads(following.text)
            except ValueError as error:
                raise ValueError(f"line {following.line}: the variables are not JSON ({error})") from None
            if not isinstance(example.variables, dict):
                raise ValueError(f"line {following.line}: the variables must be a JSON object")
        examples.append(example)
    return examples


def tagged(markdown: str, tag: str) -> list[Block]:
    return [block for block in fenced_blocks(markdown) if block.tag == tag]


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")
