"""Every rule code has exactly one page in rules/, and every page belongs to a rule."""

from __future__ import annotations

from conftest import ROOT

from droplint.rules import RULES


def test_rule_codes_and_pages_are_one_to_one() -> None:
    pages = {p.name.split("-", 1)[0]: p.name for p in (ROOT / "rules").glob("DL*.md")}
    assert set(pages) == set(RULES)
    for code, rule in RULES.items():
        assert pages[code] == f"{code}-{rule.name}.md"
        text = (ROOT / "rules" / pages[code]).read_text()
        for section in ("## What it does", "## Why is this bad?", "## Example", "## How to fix"):
            assert section in text, f"{pages[code]} lacks {section}"
