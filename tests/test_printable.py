"""Names from a file are made printable where the readers decode JSON: on the text when it can
be (one regex pass), by a walk over the parsed strings otherwise. Both give what escaping every
string on its own gives."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from droplint.read import parse_json
from droplint.read.printable import printable, printable_json_text

TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=12) | st.sampled_from(
    ["a\nb", "\x1b[2J", "tab\there", "\x7f", "é\u202e", "\\n", '"\\"', "\u2028", "😀"]
)
OBJECTS = st.recursive(
    TEXT | st.integers() | st.booleans(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


def escaped(value: object) -> object:
    if isinstance(value, dict):
        return {printable(k): escaped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [escaped(v) for v in value]
    return printable(value) if isinstance(value, str) else value


@settings(max_examples=300, deadline=None)
@given(OBJECTS, st.booleans())
def test_parsed_json_is_printable_the_same_either_way(value: object, ascii_only: bool) -> None:
    raw = json.dumps(value, ensure_ascii=ascii_only)
    assert parse_json(raw, "test") == escaped(value)
    safe = printable_json_text(raw)
    if safe is not None:
        assert json.loads(safe) == escaped(value)


def test_a_torch_stack_trace_takes_the_fast_path() -> None:
    raw = json.dumps({"stack_trace": 'File "m.py", line 3\n    return self.drop(x)\n' * 50})
    safe = printable_json_text(raw)
    assert safe is not None and "\n" not in json.loads(safe)["stack_trace"]
