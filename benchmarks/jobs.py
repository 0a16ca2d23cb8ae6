"""--jobs benchmark: `droplint FOLDER --jobs 2` against `--jobs 1` on a folder that takes at least
10 s to analyse serially, with byte-identical JSON output.

Run with the framework venv (onnx and numpy write the generated models):
`.venv/bin/python benchmarks/jobs.py [--target-s 16] [--keep DIR]`.

The folder (in a temporary directory, or --keep DIR) holds three copies of every sample model
(samples/, the broken ones included) plus generated ONNX chains of CHAIN_NODES nodes, as many as
make the estimated serial time reach --target-s. Each command is timed as a whole fresh process,
RUNS times, in pairs run back to back; the speed-up is the median of the pairs' ratios, since
the speed of a shared virtual machine drifts over a minute more than between two neighbouring
runs (the fastest run of each is printed too). Each run also shows the CPU time other processes
took meanwhile. Exits 1 when the median serial run took under 10 s, the speed-up is under 1.6x,
or the outputs differ. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
MODEL_SUFFIXES = (".h5", ".hdf5", ".keras", ".onnx")
CHAIN_NODES = 12_000
DROPOUT_EVERY = 100
MIN_SERIAL_S = 10.0
MIN_SPEEDUP = 1.6
RUNS = 5
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def build_chain(path: Path, n_nodes: int) -> None:
    """MatMul (own 4x4 weight) followed by 15 parameter-free nodes, repeated, with a
    training-mode Dropout(0.1) every DROPOUT_EVERY nodes: a graph as long as a large model's,
    with a site and a finding per Dropout and a coverage entry per MatMul."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper

    weight = np.full((4, 4), 0.5, dtype=np.float32).tobytes()
    cycle = ("MatMul", *("Add", "Relu", "Reshape") * 5)  # one weighted node in 16, as in a
    # transformer export; the JSON output (a coverage entry per MatMul) stays a small part
    extra = {"Add": "bias", "Reshape": "shape"}
    nodes, inits = [], []
    for i in range(n_nodes):
        src, dst = ("x" if i == 0 else f"t{i}"), ("y" if i == n_nodes - 1 else f"t{i + 1}")
        op = "Dropout" if i % DROPOUT_EVERY == DROPOUT_EVERY - 1 else cycle[i % len(cycle)]
        inputs = [src]
        if op == "Dropout":
            inputs += ["ratio", "training_mode"]
        elif op == "MatMul":
            inputs.append(f"w{i}")
            inits.append(TensorProto(name=f"w{i}", dims=[4, 4], data_type=1, raw_data=weight))
        elif op in extra:
            inputs.append(extra[op])
        nodes.append(onnx.NodeProto(op_type=op, name=f"n{i}", input=inputs, output=[dst]))
    graph = onnx.GraphProto(name=path.stem)
    graph.node.extend(nodes)
    graph.initializer.extend(inits)
    graph.initializer.extend([
        helper.make_tensor("bias", TensorProto.FLOAT, [4], [0.1] * 4),
        helper.make_tensor("shape", TensorProto.INT64, [2], [1, 4]),
        helper.make_tensor("ratio", TensorProto.FLOAT, [], [0.1]),
        helper.make_tensor("training_mode", TensorProto.BOOL, [], [True]),
    ])  # fmt: skip
    graph.input.append(helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4]))
    graph.output.append(helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4]))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    path.write_bytes(model.SerializeToString())


def copy_samples(folder: Path, copies: int) -> int:
    count = 0
    for k in range(copies):
        for src in sorted(SAMPLES.rglob("*")):
            if src.suffix.lower() in MODEL_SUFFIXES and src.is_file():
                dst = folder / f"samples{k}" / src.relative_to(SAMPLES)
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dst)
                count += 1
    return count


def seconds_per_chain(chain: Path) -> float:
    """What one chain adds to a serial run: analysis and its share of the JSON output."""
    tiny = SAMPLES / "keras3" / "seed1.keras"
    with_chain = min(timed(chain, 1)[0] for _ in range(2))
    without = min(timed(tiny, 1)[0] for _ in range(2))
    return max(with_chain - without, 0.01)


def prepare(folder: Path, target_s: float) -> str:
    samples = copy_samples(folder, 3)
    chains = folder / "chains"
    chains.mkdir(exist_ok=True)
    first = chains / "chain000.onnx"
    if not first.exists():
        build_chain(first, CHAIN_NODES)
    per_chain = seconds_per_chain(first)
    count = max(2, round(target_s / per_chain))
    for i in range(1, count):
        path = chains / f"chain{i:03d}.onnx"
        if not path.exists():
            shutil.copyfile(first, path)
    for stale in sorted(chains.glob("chain*.onnx"))[count:]:
        stale.unlink()
    return (
        f"{samples} sample files (3 copies) + {count} ONNX chains of {CHAIN_NODES} nodes "
        f"(~{per_chain:.2f} s each)"
    )


class OtherWork:
    """CPU seconds that processes outside the timed command's session use while it runs, sampled
    from /proc every 0.2 s (Linux; None elsewhere). A parallel run needs both cores: anything
    else running makes it look worse, so each run shows this next to its time."""

    def __init__(self, session: int) -> None:
        self.session, self.first, self.last = session, {}, {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def stop(self) -> float | None:
        self.done.set()
        self.thread.join()
        if not self.last:
            return None
        return sum(self.last[k] - self.first[k] for k in self.last)

    def _watch(self) -> None:
        while not self.done.wait(0.2):
            for key, cpu in _processes(exclude=(self.session, os.getsid(0))).items():
                self.first.setdefault(key, cpu)
                self.last[key] = cpu


def _processes(exclude: tuple[int, ...]) -> dict[tuple[int, int], float]:
    """(pid, start time) -> CPU seconds, for processes outside the excluded sessions."""
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        session, utime, stime, start = int(fields[3]), int(fields[11]), int(fields[12]), fields[19]
        if session not in exclude:
            out[(int(stat.parent.name), int(start))] = (utime + stime) / CLOCK_TICKS
    return out


def timed(path: Path, jobs: int) -> tuple[float, bytes, float | None]:
    """Wall time, output, and the CPU seconds other work on the machine took meanwhile."""
    cmd = [sys.executable, "-m", "droplint", str(path), "--format", "json", "--jobs", str(jobs)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)  # fmt: skip
    watch = OtherWork(proc.pid) if Path("/proc/self/stat").exists() else None
    out, err = proc.communicate()
    elapsed = time.perf_counter() - start
    others = watch.stop() if watch else None
    if proc.returncode not in (0, 1, 2) or not out:
        sys.exit(f"droplint --jobs {jobs} failed ({proc.returncode}): {err.decode()}")
    return elapsed, out, others


def _run_text(run: tuple[float, bytes, float | None]) -> str:
    others = "" if run[2] is None else f" (other work: {max(run[2], 0):.1f} CPU-s)"
    return f"{run[0]:.2f} s{others}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target-s", type=float, default=16.0, help="serial time to aim for")
    parser.add_argument("--keep", type=Path, help="build the folder here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="droplint-jobs-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        print("folder:", prepare(folder, args.target_s), flush=True)
        serial, parallel = [], []
        for _ in range(RUNS):
            serial.append(timed(folder, 1))
            parallel.append(timed(folder, 2))
            print(f"  --jobs 1: {_run_text(serial[-1])}   --jobs 2: {_run_text(parallel[-1])}")
    one, two = min(t for t, _, _ in serial), min(t for t, _, _ in parallel)
    outputs = {out for _, out, _ in serial + parallel}
    ratios = sorted(a[0] / b[0] for a, b in zip(serial, parallel, strict=True))
    ratio = statistics.median(ratios)
    print(f"cpus: {os.cpu_count()}  load now: {os.getloadavg()[0]:.2f}")
    print(f"fastest: --jobs 1: {one:.2f} s   --jobs 2: {two:.2f} s   ({one / two:.2f}x)")
    print(f"speed-up per pair: {', '.join(f'{r:.2f}x' for r in ratios)}; median {ratio:.2f}x")
    print(f"JSON output: {len(serial[0][1]):,} bytes, identical: {len(outputs) == 1}")
    problems = []
    if statistics.median(t for t, _, _ in serial) < MIN_SERIAL_S:
        problems.append(f"the serial run took under {MIN_SERIAL_S:g} s (raise --target-s)")
    if ratio < MIN_SPEEDUP:
        problems.append(f"speed-up under {MIN_SPEEDUP}x")
    if len(outputs) != 1:
        problems.append("the outputs differ")
    for problem in problems:
        print("FAIL:", problem)
    if not problems:
        print(f"OK: at least {MIN_SPEEDUP}x with identical output")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
