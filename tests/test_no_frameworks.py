"""droplint never imports a framework, and a .keras file does not pay for h5py."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT, sample

PROBE = """
import sys
from droplint.entry import main
sys.argv = ["droplint", {path!r}, "--format", "json"]
try:
    main()
except SystemExit:
    pass
heavy = sorted(m for m in ("tensorflow", "keras", "tf_keras", "torch", "onnx", "h5py", "numpy")
               if m in sys.modules)
print("HEAVY", heavy, file=sys.stderr)
"""


def loaded(path: str) -> str:
    proc = subprocess.run([sys.executable, "-c", PROBE.format(path=path)],
                          capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    return next(line for line in proc.stderr.splitlines() if line.startswith("HEAVY"))


def test_keras_zip_loads_no_framework_and_no_h5py() -> None:
    assert loaded(str(sample("keras3/seed2.keras"))) == "HEAVY []"


def test_h5_loads_h5py_but_no_framework() -> None:
    assert loaded(str(sample("tfkeras/seed2.h5"))) == "HEAVY ['h5py', 'numpy']"


def test_source_never_imports_frameworks_or_unpickles() -> None:
    imports = re.compile(
        r"^\s*(import|from)\s+(tensorflow|keras|tf_keras|torch|pickle|marshal|dill)\b", re.M
    )
    # Calls, not words: messages say "pickle" and quote `model.eval()` for the user.
    calls = re.compile(
        r"\b(pickle|marshal)\.(loads?|Unpickler)\b|\bload_model\(|(?<![.\w])(eval|exec)\("
    )
    for path in (ROOT / "droplint").rglob("*.py"):
        text = path.read_text()
        assert not imports.search(text) and not calls.search(text), path
