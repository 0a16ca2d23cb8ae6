"""Text from a model file, made safe to print: a name holding escape sequences, bidi overrides or
newlines would otherwise reach the terminal (or an annotation, or SVG) as it stands. Such
characters become visible `\\uXXXX` text, once, where the readers decode strings."""

from __future__ import annotations

import re
from typing import Any

# JSON holds control characters only as escapes; non-ASCII may hide format characters.
_UNUSUAL_JSON = re.compile(r"\\[bfnrtu]|[^\x00-\x7f]")


def printable(text: str) -> str:
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)


def printable_json(raw: str, parsed: Any) -> Any:
    """parsed (from raw) with every string key and value printable."""
    if (raw.isascii() and "\\" not in raw) or not _UNUSUAL_JSON.search(raw):  # fast tests first
        return parsed
    todo = [parsed]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            if not all(k.isprintable() for k in item):
                pairs = list(item.items())
                item.clear()
                item.update((printable(k), v) for k, v in pairs)
            for k, v in item.items():
                if isinstance(v, str):
                    item[k] = printable(v)
                elif isinstance(v, (dict, list)):
                    todo.append(v)
        elif isinstance(item, list):
            for i, v in enumerate(item):
                if isinstance(v, str):
                    item[i] = printable(v)
                elif isinstance(v, (dict, list)):
                    todo.append(v)
    return parsed
