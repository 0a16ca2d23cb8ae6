"""The example outputs the documentation shows are droplint's real output.

Every ```text block in README.md and rules/*.md that starts with `$ droplint ...` is run: on the
committed sample it names, or on the model the rule page's own example code builds
(samples/make_page_samples.py writes those to samples/pages/<CODE>/). A line `…` in the block
stands for any lines; otherwise each part of the block must appear in the real output, in
order, the same words with line breaks anywhere (the pages wrap lines by hand). A block without
`…` is the whole output.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from conftest import ROOT, droplint_command

DOCS = [ROOT / "README.md", *sorted((ROOT / "rules").glob("DL*.md"))]
BLOCK = re.compile(r"^```text\n(\$ droplint [^\n]*)\n(.*?)^```", re.M | re.S)


def examples() -> list[tuple[str, str, str]]:
    found = []
    for doc in DOCS:
        for match in BLOCK.finditer(doc.read_text(encoding="utf-8")):
            found.append((doc.name, match.group(1), match.group(2)))
    return found


EXAMPLES = examples()


def where(doc: str, args: list[str]) -> Path:
    """The folder to run in: the repository for committed samples, else the page's models."""
    paths = [a for a in args if not a.startswith("-") and ("/" in a or "." in a)]
    if paths and all((ROOT / p).exists() for p in paths):
        return ROOT
    return ROOT / "samples" / "pages" / doc.split("-", 1)[0]


def words(text: str) -> str:
    return " ".join(text.split())


def test_there_are_examples_to_check() -> None:
    assert len(EXAMPLES) >= 25
    assert {doc for doc, _, _ in EXAMPLES} >= {"README.md", "DL102-double-masked-rnn-input.md"}


@pytest.mark.parametrize(("doc", "command", "shown"), EXAMPLES, ids=lambda v: str(v)[:40])
def test_example_output_is_real(doc: str, command: str, shown: str) -> None:
    import os
    import subprocess

    args = shlex.split(command)[2:]  # after "$ droplint"
    cwd = where(doc, args)
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
    proc = subprocess.run(
        [*droplint_command(), *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=60
    )
    real = words(proc.stdout)
    parts = re.split(r"^\s*…\s*$", shown, flags=re.M)
    if len(parts) == 1:  # no "…": the whole output, nothing left out
        assert real == words(shown), f"{doc}: the real output differs:\n{proc.stdout}"
    position = 0
    for part in parts:
        expected = words(part)
        if not expected:
            continue
        found = real.find(expected, position)
        assert found >= 0, f"{doc}: not in the real output:\n{expected}\n\nreal:\n{proc.stdout}"
        position = found + len(expected)
