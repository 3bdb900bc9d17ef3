"""JSON from outside (request bodies, admin form fields), parsed with a bound on nesting.

Python's parser recurses once per level: a 2 KB body nested 1,000 deep raises RecursionError, which would be a
500. Below that, a deep structure that does parse makes whatever walks it next (GraphQL's variable coercion,
validators, logging) recurse as deep. Nothing we accept needs more than MAX_DEPTH levels, so deeper input is
refused as invalid JSON, whatever the stack happens to allow.
"""

import json

MAX_DEPTH = 32


class NestedTooDeeply(json.JSONDecodeError):
    """Valid or not, the text nests arrays/objects more than MAX_DEPTH levels (a ValueError, like any bad JSON)."""


def nesting(value) -> int:
    """How many arrays/objects deep `value` goes (0 for a scalar); iterative, so any depth is safe to measure."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        pending.extend((child, level + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


class BoundedJSONDecoder(json.JSONDecoder):
    """json.JSONDecoder that raises NestedTooDeeply instead of RecursionError or a too-deep value. Also usable as
    the `decoder` of Django's forms.JSONField, which turns it into "Enter a valid JSON." on the field."""

    def decode(self, s, *args, **kwargs):
        try:
            value = super().decode(s, *args, **kwargs)
        except RecursionError:
            value = None
            too_deep = True
        else:
            too_deep = nesting(value) > MAX_DEPTH
        if too_deep:
            raise NestedTooDeeply(f"nested more than {MAX_DEPTH} levels", s, 0)
        return value


def loads(text: str | bytes):
    """json.loads with the nesting bound: NestedTooDeeply (a ValueError) past MAX_DEPTH levels."""
    return json.loads(text, cls=BoundedJSONDecoder)
