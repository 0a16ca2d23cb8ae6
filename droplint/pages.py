"""Rule pages (rules/*.md): in the wheel as droplint/pages, in a source tree as rules/."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent
_PLACES = (_HERE / "pages", _HERE.parent / "rules")


def page(code: str) -> str | None:
    for folder in _PLACES:
        hits = sorted(folder.glob(f"{code}-*.md")) if folder.is_dir() else []
        if hits:
            return hits[0].read_text(encoding="utf-8")
    return None
