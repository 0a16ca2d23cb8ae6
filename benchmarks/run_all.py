"""All benchmarks in one command: droplint versus `keras.models.load_model` and `onnx.load`.

Run from anywhere with the framework venv:
`.venv/bin/python benchmarks/run_all.py [--runs N] [--keep DIR] [--all-chains]`.
Times whole fresh processes on the seed samples, a generated 1,000-layer functional Keras model,
EfficientNetB0, a 1 GiB ONNX model and a 100k-node ONNX graph (with --all-chains also the 10k
and 1M-node graphs, for the scaling check), prints one Markdown table of ratios with the
machine it ran on, writes it to benchmarks/RESULTS.md and exits 1 if a check fails. Uses
startup.py, keras_models.py, onnx_scale.py and common.py. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import common
import onnx_scale
import startup

ROOT = common.ROOT
ONNX_KEYS = ["1gib", "100k"]
ALL_CHAIN_KEYS = ["1gib", "10k", "100k", "1m"]


@dataclass
class Line:
    """One row of the combined table."""

    model: str
    kind: str
    size: int
    lint_s: float
    lint_mib: float
    load_s: float
    load_mib: float


def ratio(load_s: float, lint_s: float) -> str:
    r = load_s / lint_s
    return f"{r:.1f}x" if r < 10 else f"{r:.0f}x"


def time_onnx(
    workdir: Path, keys: list[str], runs: int, timeout: float
) -> tuple[list[tuple[onnx_scale.Model, common.Timing, common.Timing, Path]], str]:
    """Builds (or reuses) the ONNX models named by keys in workdir, in a child process, then
    times the clean-venv droplint and onnx.load on them and on the tiny ONNX sample."""
    subprocess.run(
        [
            str(common.FRAMEWORK_PYTHON),
            onnx_scale.__file__,
            "--build-into",
            str(workdir),
            "--only",
            ",".join(keys),
        ],
        check=True,
    )
    models, note = onnx_scale.load_models(workdir)
    onnx_scale.write_limits(workdir)
    models = [m for m in models if m.key == "tiny" or m.key in keys]
    env = common.clean_env()
    timings = []
    for m in models:
        print(f"timing ONNX {m.key} ({common.size_text(m.size)}) ...", flush=True)
        report_file = workdir / f"droplint_{m.key}.json"
        lint_cmd = [str(startup.DROPLINT), m.path, "--format", "json"]
        lint, _ = common.measure(lint_cmd, workdir, env, {0, 1}, runs, timeout, report_file)
        load_cmd = [str(common.FRAMEWORK_PYTHON), "-c", onnx_scale.ONNX_LOAD, m.path]
        load, _ = common.measure(load_cmd, workdir, env, {0}, runs, timeout, Path(os.devnull))
        timings.append((m, lint, load, report_file))
        print(f"  droplint {lint.median_s:.3f} s, onnx.load {load.median_s:.3f} s", flush=True)
    return timings, (note if "1m" in keys else "")


def onnx_label(m: onnx_scale.Model) -> str:
    if m.key == "tiny":
        return f"`{onnx_scale.TINY.relative_to(ROOT)}`"
    return f"{onnx_scale.label(m)} (generated, {m.nodes:,} nodes)"


def markdown(
    lines: list[Line],
    runs: int,
    checks: list[tuple[bool | None, str]],
    load_avg: tuple[float, float],
    floor: float,
    revision: str,
    note: str,
) -> str:
    out = [
        "# droplint benchmarks",
        "",
        f"{common.machine_line()}; load average (1 min) at the start {load_avg[0]:.2f}, "
        f"(5 min) at the end {load_avg[1]:.2f}",
        "",
        f"{onnx_scale.versions()}, Keras 3.15.1, tf-keras 2.21.0, TensorFlow 2.21.0; "
        f"{revision}. Written by `benchmarks/run_all.py --runs {runs}`.",
        "",
        f"Whole fresh processes, interpreter start-up included: median of {runs} runs after 1 "
        "warm-up (so the page cache is warm for both); peak RSS is the largest over the runs. "
        "droplint is `droplint MODEL --format json` from `benchmarks/.venv-droplint`, a venv "
        "with droplint and its runtime dependencies only (no TensorFlow, Keras or onnx). The "
        "loaders run in the framework venv: `keras.models.load_model(path)` for Keras 3 files "
        "(`compile=False` for .h5), `tf_keras.models.load_model(path, compile=False)` for "
        'tf-keras files, `python -c "import onnx; onnx.load(MODEL)"` for ONNX. The measuring '
        f"process peaked at {floor:.0f} MiB, a floor for every peak below (children are "
        "vforked; Linux counts the parent image's peak at exec).",
        "",
        "| model | kind | size | droplint median s | droplint peak MiB "
        "| loader median s | loader peak MiB | ratio (loader/droplint) |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in lines:
        out.append(
            f"| {r.model} | {r.kind} | {common.size_text(r.size)} | {r.lint_s:.3f} "
            f"| {r.lint_mib:.0f} | {r.load_s:.3f} | {r.load_mib:.0f} "
            f"| {ratio(r.load_s, r.lint_s)} |"
        )
    return common.report_text([*out, "", *([note, ""] if note else [])], checks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    parser.add_argument(
        "--keep", type=Path, help="write (and reuse) the generated models here, outside the repo"
    )
    parser.add_argument(
        "--all-chains",
        action="store_true",
        help="also time the 10k and 1M-node ONNX chains (scaling check (iii); ~2 more minutes)",
    )
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per process")
    args = parser.parse_args()

    load_start = os.getloadavg()[0]
    startup.ensure_venv()
    revision, before = onnx_scale.droplint_revision(), onnx_scale.source_digest()
    keys = ALL_CHAIN_KEYS if args.all_chains else ONNX_KEYS
    workdir = common.keep_dir(parser, args.keep) or Path(tempfile.mkdtemp(prefix="droplint-bench-"))
    try:
        keras_rows = startup.time_keras(args.runs, workdir)
        onnx_timings, note = time_onnx(workdir, keys, args.runs, args.timeout)
        load_end = os.getloadavg()[1]  # 5-minute average, over the ONNX part and more
        if onnx_scale.source_digest() != before:
            revision += " (droplint/ CHANGED after the droplint venv was installed)"
        floor = onnx_scale.own_peak_mib()  # before any JSON report is read into this process
        onnx_rows = [
            (m, lint, load, onnx_scale.verify(m, report.read_text()))
            for m, lint, load, report in onnx_timings
        ]
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)

    lines = [
        Line(
            r.label,
            r.kind,
            r.size,
            r.lint.median_s,
            r.lint.peak_mib,
            r.load.median_s,
            r.load.peak_mib,
        )
        for r in keras_rows
    ] + [
        Line(
            onnx_label(m),
            "ONNX",
            m.size,
            lint.median_s,
            lint.peak_mib,
            load.median_s,
            load.peak_mib,
        )
        for m, lint, load, _ in onnx_rows
    ]
    target_ok, target_line = startup.target_check(keras_rows)
    checks: list[tuple[bool | None, str]] = [
        (target_ok, f"Keras start-up (the check is the median): {target_line}"),
        startup.generated_check(keras_rows),
        *((ok, f"ONNX {text}") for ok, text in onnx_scale.checks(onnx_rows)),
    ]
    report = markdown(lines, args.runs, checks, (load_start, load_end), floor, revision, note)
    print(report)
    args.output.write_text(report)
    failed = [text for ok, text in checks if ok is False]
    for text in failed:
        print(f"FAILED: {text}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
