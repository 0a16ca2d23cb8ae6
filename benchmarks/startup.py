"""Start-up benchmark: `droplint MODEL` versus the frameworks' own loaders, as fresh processes.

Run from anywhere: `python benchmarks/startup.py [--runs N] [--output FILE] [--keep DIR]`;
the default output is benchmarks/STARTUP_RESULTS.md.
droplint runs from a virtualenv that holds only droplint and its runtime dependencies (no
TensorFlow, no Keras); the loaders run in the framework venv. Besides the seed samples it times
a generated 1,000-layer functional model and EfficientNetB0 (see keras_models.py), written to a
temporary folder or to --keep DIR. Not part of the test suite. `run_all.py` imports this.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import common
import keras_models

ROOT = common.ROOT
VENV = ROOT / "benchmarks" / ".venv-droplint"
DROPLINT = VENV / "bin" / "droplint"
TARGET_S = 0.25
TARGET_MODEL = "samples/keras3/seed2.keras"
MODELS = [
    TARGET_MODEL,
    "samples/keras3/seed2.h5",
    "samples/tfkeras/seed2.h5",
    "samples/tfkeras/seed2_savedmodel",
    "samples/keras3/output_family.keras",
]
# Loader programs; sys.argv[1] is the model path. Safe defaults (no safe_mode=False).
KERAS3_LOAD = "import sys, keras; keras.models.load_model(sys.argv[1])"
KERAS3_H5_LOAD = "import sys, keras; keras.models.load_model(sys.argv[1], compile=False)"
TFKERAS_LOAD = "import sys, tf_keras; tf_keras.models.load_model(sys.argv[1], compile=False)"
IMPORT_CHECK = """
for name in ("tensorflow", "keras"):
    try:
        __import__(name)
    except ModuleNotFoundError:
        print(f"  import {name}: ModuleNotFoundError (as required)")
    else:
        raise SystemExit(f"  import {name}: SUCCEEDED; the droplint venv is not clean")
"""


@dataclass
class Row:
    label: str  # Markdown
    kind: str  # file format
    size: int  # bytes (a SavedModel folder: all its files)
    lint: common.Timing
    load: common.Timing
    loader: str  # the loader call, for the table
    problem: str = ""  # from keras_models.verify, for the generated models


def run(cmd: list[str]) -> None:
    """Run a setup command, failing loudly."""
    print("$", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def ensure_venv() -> None:
    """Create the droplint-only venv, or refresh droplint in it so the current code is timed."""
    python = VENV / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "--quiet"]
    if not python.exists():
        run([sys.executable, "-m", "venv", "--clear", str(VENV)])
        run([*pip, str(ROOT)])
    else:
        run([*pip, "--force-reinstall", "--no-deps", str(ROOT)])
    run([str(python), "-c", IMPORT_CHECK])


def loader_program(model: str) -> str:
    if model.startswith("samples/tfkeras/"):
        return TFKERAS_LOAD
    return KERAS3_H5_LOAD if model.endswith(".h5") else KERAS3_LOAD


def loader_name(program: str) -> str:
    name = program.split("; ", 1)[1].split("(", 1)[0]
    return name + (", compile=False" if "compile=False" in program else "")


def kind_of(model: str) -> str:
    if model.endswith(".keras"):
        return "Keras 3 .keras"
    if model.endswith(".h5"):
        return "tf-keras .h5" if model.startswith("samples/tfkeras/") else "Keras 3 .h5"
    return "tf-keras SavedModel"


def size_of(path: Path) -> int:
    if path.is_dir():
        return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return path.stat().st_size


def time_model(path: str, label: str, kind: str, env: dict[str, str], runs: int) -> tuple[Row, str]:
    """droplint and the loader on one model; also droplint's JSON report."""
    print(f"timing {label} ...", flush=True)
    lint, report = common.measure(
        [str(DROPLINT), path, "--format", "json"], ROOT, env, {0, 1}, runs
    )
    program = loader_program(path)
    load, _ = common.measure(
        [str(common.FRAMEWORK_PYTHON), "-c", program, path], ROOT, env, {0}, runs
    )
    row = Row(label, kind, size_of(ROOT / path), lint, load, loader_name(program))
    print(f"  droplint {lint.median_s:.3f} s, loader {load.median_s:.2f} s", flush=True)
    return row, report


def time_keras(runs: int, workdir: Path) -> list[Row]:
    """Seed samples, then the generated models (built into workdir, or reused from it). Call
    ensure_venv() first."""
    env = common.clean_env(quiet_tensorflow=True)
    rows = [time_model(m, f"`{m}`", kind_of(m), env, runs)[0] for m in MODELS]
    for m in keras_models.build(workdir):
        row, report = time_model(m.path, m.label, "Keras 3 .keras", env, runs)
        row.problem = keras_models.verify(m, report) or ""
        rows.append(row)
    return rows


def target_check(rows: list[Row]) -> tuple[bool, str]:
    """The start-up target on the first row (TARGET_MODEL); the check is the median."""
    target = rows[0].lint
    held = target.median_s < TARGET_S and target.max_s < TARGET_S
    return target.median_s < TARGET_S, (
        f"Target {TARGET_S} s for `{TARGET_MODEL}` (median AND max): "
        f"{'HELD' if held else 'MISSED'} "
        f"(median {target.median_s:.3f} s, max {target.max_s:.3f} s)."
    )


def generated_check(rows: list[Row]) -> tuple[bool, str]:
    """droplint read every layer of the generated models and found every Dropout layer."""
    generated = rows[len(MODELS) :]
    problems = [f"{r.label}: {r.problem}" for r in generated if r.problem]
    return not problems, (
        "droplint's JSON on the generated Keras models: no read error, every layer counted, a "
        "site for every Dropout layer" + (f"; PROBLEMS: {'; '.join(problems)}" if problems else "")
    )


def markdown(rows: list[Row], runs: int, check_lines: list[str]) -> str:
    lines = [
        "# droplint start-up benchmark",
        "",
        common.machine_line(),
        "",
        f"Whole fresh processes; median and max of {runs} runs after 1 warm-up; peak RSS is the "
        "largest over the runs. droplint runs from a venv without TensorFlow or Keras; loaders "
        "from the framework venv (Keras 3.15.1, tf-keras 2.21.0, TensorFlow 2.21.0).",
        "",
        "| model | size | droplint median s | droplint max s | droplint peak MiB "
        "| loader median s | loader peak MiB | ratio (loader/droplint) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        d, load = r.lint, r.load
        lines.append(
            f"| {r.label} | {common.size_text(r.size)} | {d.median_s:.3f} | {d.max_s:.3f} "
            f"| {d.peak_mib:.0f} | {load.median_s:.2f} | {load.peak_mib:.0f} "
            f"| {load.median_s / d.median_s:.0f}x |"
        )
    return "\n".join([*lines, "", *check_lines, ""])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    # RESULTS.md is run_all.py's combined table.
    default = ROOT / "benchmarks" / "STARTUP_RESULTS.md"
    parser.add_argument("--output", type=Path, default=default)
    parser.add_argument("--keep", type=Path, help="write (and reuse) the generated models here")
    args = parser.parse_args()

    ensure_venv()
    workdir = common.keep_dir(parser, args.keep) or Path(tempfile.mkdtemp(prefix="droplint-keras-"))
    try:
        rows = time_keras(args.runs, workdir)
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    target_ok, target_line = target_check(rows)
    gen_ok, gen_line = generated_check(rows)
    lines = [target_line, "", f"{'PASS' if gen_ok else 'FAIL'} {gen_line}."]
    report = markdown(rows, args.runs, lines)
    print(report)
    args.output.write_text(report)
    return 0 if target_ok and gen_ok else 1


if __name__ == "__main__":
    sys.exit(main())
