"""Start-up benchmark: `droplint MODEL` versus the frameworks' own loaders, as fresh processes.

Run from anywhere: `python benchmarks/startup.py [--runs N] [--output benchmarks/RESULTS.md]`.
droplint runs from a virtualenv that holds only droplint and its runtime dependencies (no
TensorFlow, no Keras); the loaders run in the framework venv. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "benchmarks" / ".venv-droplint"
DROPLINT = VENV / "bin" / "droplint"
FRAMEWORK_PYTHON = Path("/work/venv/bin/python")
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
class Timing:
    median_s: float
    max_s: float
    peak_mib: float


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


def measure_once(cmd: list[str], env: dict[str, str], ok_codes: set[int]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one fresh process; wait4 gives that child's own rusage."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    if code not in ok_codes:
        raise RuntimeError(f"exit {code}: {' '.join(cmd)}")
    return elapsed, usage.ru_maxrss / 1024  # ru_maxrss is KiB on Linux


def measure(cmd: list[str], env: dict[str, str], ok_codes: set[int], runs: int) -> Timing:
    """One warm-up run (output shown if it fails), then `runs` timed runs."""
    warm = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if warm.returncode not in ok_codes:
        sys.exit(f"exit {warm.returncode}: {' '.join(cmd)}\n{warm.stderr[-3000:]}")
    samples = [measure_once(cmd, env, ok_codes) for _ in range(runs)]
    times = [t for t, _ in samples]
    return Timing(statistics.median(times), max(times), max(m for _, m in samples))


def machine_line() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    names = [line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")]
    cpu = names[0] if names else "unknown CPU"
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    now = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    return f"Machine: nproc={nproc}, {cpu}, Python {platform.python_version()}, {now}"


def markdown(rows: list[tuple[str, Timing, Timing]], runs: int, target_line: str) -> str:
    lines = [
        "# droplint start-up benchmark",
        "",
        machine_line(),
        "",
        f"Whole fresh processes; median and max of {runs} runs after 1 warm-up; peak RSS is the "
        "largest over the runs. droplint runs from a venv without TensorFlow or Keras; loaders "
        "from the framework venv (Keras 3.15.1, tf-keras 2.21.0, TensorFlow 2.21.0).",
        "",
        "| model | droplint median s | droplint max s | droplint peak MiB "
        "| loader median s | loader peak MiB | ratio (loader/droplint) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for model, d, load in rows:
        lines.append(
            f"| `{model}` | {d.median_s:.3f} | {d.max_s:.3f} | {d.peak_mib:.0f} "
            f"| {load.median_s:.2f} | {load.peak_mib:.0f} | {load.median_s / d.median_s:.0f}x |"
        )
    return "\n".join([*lines, "", target_line, ""])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    args = parser.parse_args()

    ensure_venv()
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    rows = []
    for model in MODELS:
        print(f"timing {model} ...", flush=True)
        lint = measure([str(DROPLINT), model, "--format", "json"], env, {0, 1}, args.runs)
        load_cmd = [str(FRAMEWORK_PYTHON), "-c", loader_program(model), model]
        load = measure(load_cmd, env, {0}, args.runs)
        rows.append((model, lint, load))

    target = rows[0][1]
    held = target.median_s < TARGET_S and target.max_s < TARGET_S
    target_line = (
        f"Target {TARGET_S} s for `{TARGET_MODEL}` (median AND max): "
        f"{'HELD' if held else 'MISSED'} "
        f"(median {target.median_s:.3f} s, max {target.max_s:.3f} s)."
    )
    report = markdown(rows, args.runs, target_line)
    print(report)
    args.output.write_text(report)
    return 1 if target.median_s >= TARGET_S else 0


if __name__ == "__main__":
    sys.exit(main())
