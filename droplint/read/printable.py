"""Text from a model file, made safe to print: a name holding escape sequences, bidi overrides or
newlines would otherwise reach the terminal (or an annotation, or SVG) as it stands. Such
characters become visible `\\uXXXX` text, once, where the readers decode strings."""

from __future__ import annotations

import re
from typing import Any

# JSON holds control characters only as escapes; non-ASCII may hide format characters.
_UNUSUAL_JSON = re.compile(r"\\[bfnrtu]|[^\x00-\x7e]")  # \x7f (DEL) may stand unescaped


_ASCII_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # what is not printable in ASCII text


def printable(text: str) -> str:
    if text.isprintable():
        return text
    if text.isascii():  # most text (a torch program's stack traces): one regex pass
        return _ASCII_CONTROL.sub(_escaped, text)
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


# A JSON string escape: \\uXXXX, \\b \\f \\n \\r \\t, or \\" \\\\ \\/ (matched so that an escaped
# backslash is never read as the start of another escape).
_ESCAPE = re.compile(r'\\(?:u([0-9a-fA-F]{4})|([bfnrt])|["\\/])')
_CONTROLS = {"b": 8, "f": 12, "n": 10, "r": 13, "t": 9}
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


class _Surrogate(Exception):
    pass


def printable_json_text(raw: str) -> str | None:
    """raw JSON whose strings decode to printable text: each escape of a character that is not
    printable (\\n, \\u001b, \\u202e) rewritten to decode to its visible \\uXXXX form. One regex
    pass over the text instead of a walk over every parsed string (a torch program's stack
    traces hold thousands of newlines). None where that cannot be done on the text: unprintable
    characters stored unescaped, or surrogate escapes (pairs decode to one character)."""
    if any(not run.isprintable() for run in _NON_ASCII.findall(raw)):
        return None
    try:
        text = _ESCAPE.sub(_visible, raw)
    except _Surrogate:
        return None
    return text.replace("\x7f", "\\\\u007f")  # DEL may stand unescaped in a JSON string


def _visible(match: re.Match[str]) -> str:
    hexa, letter = match.group(1), match.group(2)
    if letter:
        return f"\\\\u{_CONTROLS[letter]:04x}"
    if hexa:
        code = int(hexa, 16)
        if 0xD800 <= code <= 0xDFFF:
            raise _Surrogate
        if not chr(code).isprintable():
            return f"\\\\u{code:04x}"
    return match.group(0)


def printable_json(raw: str, parsed: Any) -> Any:
    """parsed (from raw) with every string key and value printable."""
    plain = raw.isascii() and "\\" not in raw and "\x7f" not in raw
    if plain or not _UNUSUAL_JSON.search(raw):  # fast tests first
        return parsed
    if isinstance(parsed, str):
        return printable(parsed)
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
