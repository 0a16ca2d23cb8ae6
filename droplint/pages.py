"""Rule pages (rules/*.md): in the wheel as droplint/pages, in a source tree as rules/."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent
_PLACES = (_HERE / "pages", _HERE.parent / "rules")


def page(code: str) -> str | None:
    path = page_path(code)
    return path.read_text(encoding="utf-8") if path else None


def page_path(code: str) -> Path | None:
    """The rule's page file, e.g. rules/DL102-double-masked-rnn-input.md."""
    for folder in _PLACES:
        hits = sorted(folder.glob(f"{code}-*.md")) if folder.is_dir() else []
        if hits:
            return hits[0]
    return None
