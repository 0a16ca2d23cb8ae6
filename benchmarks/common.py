"""Helpers the benchmark scripts share: timing whole fresh processes, the environment they run
in, droplint's JSON report, and the pieces of the printed tables.

The scripts run as `python benchmarks/NAME.py`, so this folder is on sys.path and they import
this module as `common`. It imports only the standard library: the measuring process must stay
small (see measure_once).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The venv the script runs with: it has the frameworks and droplint (`pip install -e
# ".[dev,frameworks]"`), and droplint's own clean venv is made by startup.py.
FRAMEWORK_BIN = Path(sys.executable).parent
FRAMEWORK_PYTHON = FRAMEWORK_BIN / "python"
GIB = 1 << 30


@dataclass
class Timing:
    """One command over several runs."""

    median_s: float  # wall
    max_s: float
    cpu_s: float  # median user + system CPU seconds: less sensitive to other load
    peak_mib: float  # the largest over the runs


def clean_env(quiet_tensorflow: bool = False) -> dict[str, str]:
    """This environment without PYTHONPATH and VIRTUAL_ENV, so that a child runs from its own
    venv only; quiet_tensorflow also silences TensorFlow's C++ log."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    if quiet_tensorflow:
        env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    return env


def compile_droplint() -> None:
    """Byte-compile droplint's sources, as installing its wheel does: an editable install where
    PYTHONDONTWRITEBYTECODE is set (as on the machine these ran on) compiles them again in
    every process, about 0.06 s that an installed droplint never pays."""
    droplint = ROOT / "droplint"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(droplint)], check=True)


def keep_dir(parser: argparse.ArgumentParser, keep: Path | None) -> Path | None:
    """--keep DIR, resolved, created, and refused inside the repo (the models are large)."""
    if keep is None:
        return None
    workdir = keep.resolve()
    if workdir == ROOT or ROOT in workdir.parents:
        parser.error(f"--keep must be outside the repo ({ROOT})")
    workdir.mkdir(parents=True, exist_ok=True)
    return workdir


def measure_once(
    cmd: list[str], cwd: Path, env: dict[str, str], ok: set[int], timeout: float | None = None
) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MiB) of one fresh process, from wait4: that
    child's own rusage. The process is killed after `timeout` seconds.

    Linux folds the RSS high-water mark of the memory image a process replaces at exec into its
    ru_maxrss, and subprocess starts children with vfork, i.e. in this process's image: a child
    never reports less than this process's own peak. Hence the models are built in another
    process and the measuring one imports no framework.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    timer = threading.Timer(timeout, proc.kill) if timeout is not None else None
    if timer is not None:
        timer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if timer is not None:
        timer.cancel()
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    if code not in ok:
        raise RuntimeError(f"exit {code} after {elapsed:.1f} s: {' '.join(cmd)}")
    cpu = usage.ru_utime + usage.ru_stime
    return elapsed, cpu, usage.ru_maxrss / 1024  # ru_maxrss is KiB on Linux


def measure(
    cmd: list[str],
    cwd: Path,
    env: dict[str, str],
    ok: set[int],
    runs: int,
    timeout: float | None = None,
    out: Path | None = None,
) -> tuple[Timing, str]:
    """One warm-up run (the script exits with its stderr if it fails), then `runs` timed runs.
    The warm-up's stdout is returned, or written to `out` instead: a large report read into
    this process would raise the floor of every later peak. Exit code 1 is normal for droplint
    (findings), so each caller names the codes it accepts."""
    try:
        if out is None:
            warm = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, timeout=timeout)
        else:
            with out.open("w") as stdout:
                warm = subprocess.run(
                    cmd, cwd=cwd, env=env, stdout=stdout, stderr=subprocess.PIPE, timeout=timeout
                )
    except subprocess.TimeoutExpired:
        sys.exit(f"timed out after {timeout:.0f} s: {' '.join(cmd)}")
    if warm.returncode not in ok:
        stderr = warm.stderr.decode(errors="replace")
        sys.exit(f"exit {warm.returncode}: {' '.join(cmd)}\n{stderr[-3000:]}")
    samples = [measure_once(cmd, cwd, env, ok, timeout) for _ in range(runs)]
    times = [t for t, _, _ in samples]
    cpu = statistics.median(c for _, c, _ in samples)
    timing = Timing(statistics.median(times), max(times), cpu, max(m for _, _, m in samples))
    return timing, warm.stdout.decode() if out is None else ""


def report_entry(report_json: str, layers: int, counted: str) -> tuple[dict[str, Any], str]:
    """droplint's JSON entry for the one file linted, and what is wrong with it ("" if
    nothing): no report, a read error, or other than `layers` layers (`counted` says, in the
    problem, what the model's number counts, e.g. "nodes in the graph")."""
    try:
        entry = json.loads(report_json)["files"][0]
    except (ValueError, KeyError, IndexError) as exc:
        return {}, f"no JSON report ({type(exc).__name__})"
    if entry.get("error"):
        return entry, f"droplint could not read it: {entry['error']}"
    if entry.get("layers") != layers:
        return entry, f"{entry.get('layers')} layers reported, {layers} {counted}"
    return entry, ""


@dataclass
class Paired:
    """Two commands timed in turn, A B A B ...: medians of wall seconds, the largest peaks, and
    the median of the pairs' ratio (pairing keeps it meaningful when the machine drifts)."""

    a_s: float
    b_s: float
    a_mib: float
    b_mib: float
    b_over_a: float
    a_over_b: float


def paired(
    a: list[str], b: list[str], cwd: Path, env: dict[str, str], runs: int,
    ok: tuple[set[int], set[int]] = ({0, 1}, {0}), between: Any = None,
) -> Paired:  # fmt: skip
    """A (droplint: exit 1 means findings) and B in turn, runs times; between() after each pair."""
    pairs = []
    for _ in range(runs):
        pairs.append((measure_once(a, cwd, env, ok[0]), measure_once(b, cwd, env, ok[1])))
        if between is not None:
            between()
    med = statistics.median
    return Paired(med(x[0] for x, _ in pairs), med(y[0] for _, y in pairs),
                  max(x[2] for x, _ in pairs), max(y[2] for _, y in pairs),
                  med(y[0] / x[0] for x, y in pairs),
                  med(x[0] / y[0] for x, y in pairs))  # fmt: skip


def cpu_model(default: str = "unknown CPU") -> str:
    """The CPU's model name from /proc/cpuinfo (Linux), else `default`."""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return default
    names = [line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")]
    return names[0] if names else default


def machine_line() -> str:
    """The machine a table was made on: timings mean little without it."""
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    now = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    return f"Machine: nproc={nproc}, {cpu_model()}, Python {platform.python_version()}, {now}"


def size_text(size: int) -> str:
    """Bytes as KiB, MiB or GiB, for the tables."""
    if size >= GIB:
        return f"{size / GIB:.3f} GiB"
    if size >= 1 << 20:
        return f"{size / 2**20:.1f} MiB"
    return f"{size / 1024:.1f} KiB"


def verdict(ok: bool | None) -> str:
    """A check's word in the tables; ok is None for a check that was not measured."""
    return "SKIP" if ok is None else "PASS" if ok else "FAIL"


def report_text(lines: list[str], results: list[tuple[bool | None, str]]) -> str:
    """A report's text: its lines, then "Checks:" and one `- VERDICT text` line a check."""
    checks = [f"- {verdict(ok)} {text}" for ok, text in results]
    return "\n".join([*lines, "Checks:", "", *checks, ""])
