"""Search input as the database's full-text search may be given it, for every channel that searches (GraphQL's
`search`/`publications(search:)`, REST v2's `?search=`)."""

import re

MAX_SEARCH_LENGTH = 200
# Words only: quotes and other punctuation reach the database's full-text syntax (an unbalanced quote made SQLite
# answer "unterminated string", a 5xx), and no search our callers need depends on them.
_NOISE = re.compile(r"[^\w\s'-]")


def search_words(query: str | None) -> str:
    """`query` reduced to its words, single-spaced ("" when nothing searchable is left)."""
    return " ".join(_NOISE.sub(" ", query or "").split())
