"""Build the model of each rule page's example with the real framework, so that the output the
page shows can be checked against droplint's (tests/test_examples.py).

Run from the repository root:

    python samples/make_page_samples.py          # every page
    python samples/make_page_samples.py DL102    # one page

For each rules/<CODE>-*.md whose "Example" section holds a python block and a
`$ droplint ... FILE` command naming a file that is not in the repository, the python block is
run in an empty folder (Keras 3, TensorFlow backend) and FILE is copied to
samples/pages/<CODE>/FILE. Pages whose command names a committed sample need nothing here.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "pages"


def example(page: Path) -> tuple[str, str] | None:
    """(python code, model file) of the page's example, or None if it needs no model here."""
    text = page.read_text(encoding="utf-8")
    section = re.search(r"^## Example\n(.*?)^## ", text, re.M | re.S)
    if section is None:
        return None
    code = re.search(r"```python\n(.*?)```", section.group(1), re.S)
    command = re.search(r"^\$ droplint (.*)$", section.group(1), re.M)
    if code is None or command is None:
        return None
    target = command.group(1).split()[-1]
    if (ROOT / target).exists():
        return None
    return code.group(1), target


def build(page: Path) -> None:
    found = example(page)
    if found is None:
        return
    code, target = found
    rule = page.name.split("-", 1)[0]
    with tempfile.TemporaryDirectory() as tmp:
        here = Path.cwd()
        os.chdir(tmp)
        try:
            exec(compile(code, str(page), "exec"), {"__name__": f"page_{rule}"})
        finally:
            os.chdir(here)
        made = Path(tmp, target)
        folder = OUT / rule
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        copy = shutil.copytree if made.is_dir() else shutil.copyfile
        copy(made, folder / target)
    print(f"  wrote {(folder / target).relative_to(ROOT)}")


def main(codes: list[str]) -> None:
    pages = sorted((ROOT / "rules").glob("DL*.md"))
    for page in pages:
        if not codes or page.name.split("-", 1)[0] in codes:
            build(page)


if __name__ == "__main__":
    main(sys.argv[1:])
