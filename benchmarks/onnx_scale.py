"""ONNX scale benchmark: droplint versus `onnx.load` on a 1 GiB model and on very long graphs.

Run from anywhere with the framework venv (it needs onnx and numpy to write the models):
`.venv/bin/python benchmarks/onnx_scale.py [--runs N] [--output FILE] [--keep DIR]`.
Models are written to a temporary directory (or to --keep DIR, outside the repo, where they are
reused by later runs). Every measurement is a whole fresh process. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import common

ROOT = common.ROOT
DROPLINT = common.FRAMEWORK_BIN / "droplint"  # the editable install: the working tree is timed
ONNX_LOAD = "import sys, onnx; onnx.load(sys.argv[1])"
TINY = ROOT / "samples" / "onnx" / "helper" / "dropout_opset13_ratio_init_true.onnx"
MANIFEST = "manifest.json"

BIG_DIM = 8192  # 8192 x 8192 float32 = 256 MiB per weight
BIG_RATE = 0.25
CHAIN_DIM = 16  # 16x16 weights: too big for droplint to decode their values, as real weights
DROPOUT_EVERY = 1000
CHAIN_RATE = 0.1
SPEC = f"{BIG_DIM} {BIG_RATE} {CHAIN_DIM} {DROPOUT_EVERY} {CHAIN_RATE}"  # of the kept models
BUILD_BUDGET_S = 120.0  # the 1M-node graph is built only if it takes less than this

# The checks of the issue.
SPEED_FACTOR = 10.0  # (i) droplint at most 1/10 of onnx.load's time on the 1 GiB model
PEAK_MIB = 150.0  # (i) ... and under 150 MiB peak RSS
BIG_GRAPH_S = 3.0  # (ii) the 100k-node graph in under 3 s
SCALING = 12.0  # (iii) 10x more nodes costs at most 12x the time


def write_limits(workdir: Path) -> None:
    """The 1M-node chain is above droplint's default node budget (limits.nodes, 120,000): the
    models' folder gets a droplint.toml that raises it, found from each model's own folder."""
    (workdir / "droplint.toml").write_text("[limits]\nnodes = 2000000\n")


@dataclass
class Model:
    key: str  # "tiny", "1gib", "10k", "100k", "1m"
    path: str
    size: int  # bytes
    nodes: int
    dropouts: int
    rate: float
    build_s: float = 0.0


# ---------------------------------------------------------------------------------------------
# Models


def _graph_io(name: str, shape: list[int]):
    from onnx import TensorProto, helper

    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def _scalar_inits(rate: float):
    from onnx import TensorProto, helper

    return [
        helper.make_tensor("ratio", TensorProto.FLOAT, [], [rate]),
        helper.make_tensor("training_mode", TensorProto.BOOL, [], [True]),
    ]


def _save(model, path: Path) -> None:
    import onnx

    onnx.save(model, str(path), save_as_external_data=False)


def build_big(path: Path) -> Model:
    """X[1,8192] -> MatMul W0 -> MatMul W1 -> Dropout(0.25, training_mode=True) -> MatMul W2
    -> MatMul W3: four 256 MiB float32 initializers embedded in the file."""
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper

    start = time.perf_counter()
    weight = np.full((BIG_DIM, BIG_DIM), 0.001, dtype=np.float32)  # no slow random numbers
    inits = []
    for i in range(4):
        tensor = numpy_helper.from_array(weight, name=f"W{i}")
        inits.append(tensor)
    del weight
    nodes = [
        helper.make_node("MatMul", ["x", "W0"], ["h0"], name="mm0"),
        helper.make_node("MatMul", ["h0", "W1"], ["h1"], name="mm1"),
        helper.make_node("Dropout", ["h1", "ratio", "training_mode"], ["d"], name="drop"),
        helper.make_node("MatMul", ["d", "W2"], ["h2"], name="mm2"),
        helper.make_node("MatMul", ["h2", "W3"], ["y"], name="mm3"),
    ]
    graph = helper.make_graph(
        nodes,
        "big_1gib",
        [_graph_io("x", [1, BIG_DIM])],
        [_graph_io("y", [1, BIG_DIM])],
        [*inits, *_scalar_inits(BIG_RATE)],
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="onnx_scale.py"
    )
    model.ir_version = 8
    del inits, graph
    _save(model, path)
    del model
    onnx.checker.check_model(str(path))  # by path: the checker streams the file
    size = path.stat().st_size
    if size < common.GIB:
        raise SystemExit(f"{path} is {size} bytes, less than 1 GiB")
    return Model("1gib", str(path), size, 5, 1, BIG_RATE, time.perf_counter() - start)


def build_chain(path: Path, key: str, n_nodes: int, deadline: float | None = None) -> Model | None:
    """A chain of n_nodes nodes cycling MatMul (own 16x16 weight), Add, Relu, Reshape, with a
    Dropout(0.1, training_mode=True) as every 1000th node. None if the deadline passes."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper

    start = time.perf_counter()
    weight = np.full((CHAIN_DIM, CHAIN_DIM), 0.5, dtype=np.float32).tobytes()
    cycle = ("MatMul", "Add", "Relu", "Reshape")
    nodes, inits = [], []
    dropouts, k = 0, 0  # k indexes the non-Dropout ops
    for i in range(n_nodes):
        if i % 10_000 == 0 and deadline is not None and time.perf_counter() > deadline:
            return None
        src, dst = ("x" if i == 0 else f"t{i}"), ("y" if i == n_nodes - 1 else f"t{i + 1}")
        if i % DROPOUT_EVERY == DROPOUT_EVERY - 1:
            op, inputs = "Dropout", [src, "ratio", "training_mode"]
            dropouts += 1
        else:
            op = cycle[k % 4]
            k += 1
            if op == "MatMul":
                inputs = [src, f"w{i}"]
                inits.append(
                    TensorProto(
                        name=f"w{i}", dims=[CHAIN_DIM, CHAIN_DIM], data_type=1, raw_data=weight
                    )
                )
            elif op == "Add":
                inputs = [src, "bias"]
            elif op == "Reshape":
                inputs = [src, "shape"]
            else:
                inputs = [src]
        nodes.append(onnx.NodeProto(op_type=op, name=f"n{i}", input=inputs, output=[dst]))
    shared = [
        helper.make_tensor("bias", TensorProto.FLOAT, [CHAIN_DIM], [0.1] * CHAIN_DIM),
        helper.make_tensor("shape", TensorProto.INT64, [2], [1, CHAIN_DIM]),
        *_scalar_inits(CHAIN_RATE),
    ]
    graph = onnx.GraphProto(name=f"chain_{key}")
    graph.node.extend(nodes)
    graph.initializer.extend([*inits, *shared])
    graph.input.append(_graph_io("x", [1, CHAIN_DIM]))
    graph.output.append(_graph_io("y", [1, CHAIN_DIM]))
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="onnx_scale.py"
    )
    model.ir_version = 8
    if n_nodes <= 10_000:
        onnx.checker.check_model(model, full_check=True)  # shapes too; the longer ones alike
    _save(model, path)
    elapsed = time.perf_counter() - start
    return Model(key, str(path), path.stat().st_size, n_nodes, dropouts, CHAIN_RATE, elapsed)


def tiny_model() -> Model:
    return Model("tiny", str(TINY), TINY.stat().st_size, 2, 1, 0.2)


def prepare(workdir: Path, only: set[str] | None = None) -> None:
    """Build the models missing from workdir and record them in its manifest (run as a child
    process, so that the measuring parent stays small: see common.measure_once). `only`
    (run_all.py) builds just those keys, the 1M chain without the time budget."""
    manifest = workdir / MANIFEST
    known: dict[str, Model] = {}
    note = ""
    data = json.loads(manifest.read_text()) if manifest.is_file() else {}
    if (
        isinstance(data, dict) and data.get("spec") == SPEC
    ):  # models built with other parameters are rebuilt
        note = data["note"]
        for entry in data["models"]:
            m = Model(**entry)
            if Path(m.path).is_file() and Path(m.path).stat().st_size == m.size:
                known[m.key] = m
    if known:
        print(f"reusing {', '.join(known)} from {workdir}", flush=True)

    def save() -> None:
        data = {"spec": SPEC, "models": [asdict(m) for m in known.values()], "note": note}
        manifest.write_text(json.dumps(data, indent=1))

    def get(key: str, build) -> Model | None:
        if key in known:
            return known[key]
        print(f"building {key} ...", flush=True)
        model = build()
        if model is not None:
            print(f"  {key}: {model.size / 2**20:.1f} MiB, {model.build_s:.1f} s", flush=True)
            known[key] = model
            save()
        return model

    if only is not None:
        builders = {
            "1gib": lambda: build_big(workdir / "big_1gib.onnx"),
            "10k": lambda: build_chain(workdir / "chain_10k.onnx", "10k", 10_000),
            "100k": lambda: build_chain(workdir / "chain_100k.onnx", "100k", 100_000),
            "1m": lambda: build_chain(workdir / "chain_1m.onnx", "1m", 1_000_000),
        }
        for key, builder in builders.items():
            if key in only:
                get(key, builder)
        save()
        return

    get("1gib", lambda: build_big(workdir / "big_1gib.onnx"))
    get("10k", lambda: build_chain(workdir / "chain_10k.onnx", "10k", 10_000))
    c100k = get("100k", lambda: build_chain(workdir / "chain_100k.onnx", "100k", 100_000))
    assert c100k is not None
    estimate = c100k.build_s * 10
    if "1m" in known:
        note = f"The 1M-node graph was built in {known['1m'].build_s:.0f} s."
    elif estimate > BUILD_BUDGET_S:
        note = (
            f"The 1M-node graph was not built: 10x the 100k build ({estimate:.0f} s) exceeds "
            f"the {BUILD_BUDGET_S:.0f} s budget, so check (iii) compares 10k with 100k."
        )
    else:
        deadline = time.perf_counter() + BUILD_BUDGET_S
        c1m = get("1m", lambda: build_chain(workdir / "chain_1m.onnx", "1m", 1_000_000, deadline))
        if c1m is None or c1m.build_s > BUILD_BUDGET_S:
            known.pop("1m", None)
            note = (
                f"The 1M-node graph was not built within {BUILD_BUDGET_S:.0f} s, so check (iii) "
                "compares 10k with 100k."
            )
        else:
            note = f"The 1M-node graph was built in {c1m.build_s:.0f} s."
    save()


def load_models(workdir: Path) -> tuple[list[Model], str]:
    data = json.loads((workdir / MANIFEST).read_text())
    order = ["1gib", "10k", "100k", "1m"]
    models = sorted((Model(**m) for m in data["models"]), key=lambda m: order.index(m.key))
    return [tiny_model(), *models], data["note"]


# ---------------------------------------------------------------------------------------------
# droplint's report (the measurements are in common.py)


def verify(model: Model, report_json: str) -> str:
    """Empty if droplint read the whole graph and found every Dropout site, else the problem."""
    entry, problem = common.report_entry(report_json, model.nodes, "nodes in the graph")
    if problem:
        return problem
    sites = entry.get("sites", [])
    good = [
        s
        for s in sites
        if s.get("class") == "Dropout"
        and s.get("active") == "always"
        and s.get("rate") is not None
        and abs(s["rate"] - model.rate) < 1e-6
    ]
    if len(sites) != model.dropouts or len(good) != model.dropouts:
        return (
            f"{len(sites)} sites ({len(good)} Dropout rate {model.rate} active always), "
            f"expected {model.dropouts}"
        )
    return ""


# ---------------------------------------------------------------------------------------------
# Report


def versions() -> str:
    """Versions from the framework venv, asked in a child: this process stays small."""
    program = (
        "import droplint, numpy, onnx; "
        "print(f'droplint {droplint.__version__}, onnx {onnx.__version__}, "
        "numpy {numpy.__version__}')"
    )
    return subprocess.run(
        [str(common.FRAMEWORK_PYTHON), "-c", program], capture_output=True, text=True
    ).stdout.strip()


def droplint_revision() -> str:
    """The commit timed, and whether droplint/ had uncommitted changes (the install is editable)."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
        return done.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "droplint")
    return f"droplint at commit {head}" + (
        " plus uncommitted changes in droplint/" if dirty else ""
    )


def source_digest() -> str:
    """A digest of droplint's sources, to notice edits made while the benchmark runs."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "droplint").rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def own_peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def label(m: Model) -> str:
    if m.key == "tiny":
        return f"`{TINY.relative_to(ROOT)}` (baseline)"
    names = {"1gib": "1 GiB embedded weights", "10k": "10k-node chain", "100k": "100k-node chain"}
    return names.get(m.key, "1M-node chain")


def checks(
    rows: list[tuple[Model, common.Timing, common.Timing, str]],
) -> list[tuple[bool | None, str]]:
    """(ok, text) per check; ok is None for (iii) when neither 10k nor 1M was timed."""
    by_key = {m.key: (lint, load, problem) for m, lint, load, problem in rows}
    out = []

    lint, load, _ = by_key["1gib"]
    limit = load.median_s / SPEED_FACTOR
    ok = lint.median_s <= limit and lint.peak_mib < PEAK_MIB
    out.append(
        (
            ok,
            f"(i) 1 GiB model: droplint {lint.median_s:.3f} s <= onnx.load {load.median_s:.3f} s "
            f"/ {SPEED_FACTOR:.0f} = {limit:.3f} s, and droplint peak {lint.peak_mib:.0f} MiB "
            f"< {PEAK_MIB:.0f} MiB",
        )
    )

    lint, _, _ = by_key["100k"]
    ok = lint.median_s < BIG_GRAPH_S
    out.append((ok, f"(ii) 100k-node graph: droplint {lint.median_s:.3f} s < {BIG_GRAPH_S:.0f} s"))

    small, large = ("100k", "1m") if "1m" in by_key else ("10k", "100k")
    if small in by_key and large in by_key:
        t_small, t_large = by_key[small][0].median_s, by_key[large][0].median_s
        factor = t_large / t_small
        out.append(
            (
                factor <= SCALING,
                f"(iii) 10x more nodes ({small} -> {large}): {t_small:.3f} s -> {t_large:.3f} s, "
                f"{factor:.1f}x <= {SCALING:.0f}x (whole-process times, start-up included)",
            )
        )
    else:
        out.append((None, "(iii) 10x more nodes: not measured (needs the 10k or 1M chain)"))

    problems = [f"{m.key}: {problem}" for m, _, _, problem in rows if problem]
    out.append(
        (
            not problems,
            "(iv) droplint's JSON: no read error, one layer per node, every Dropout site found "
            "with its rate and active 'always' (1 GiB model: 'drop', rate 0.25)"
            + (f"; PROBLEMS: {'; '.join(problems)}" if problems else ""),
        )
    )
    return out


def markdown(
    rows,
    runs: int,
    note: str,
    results: list[tuple[bool | None, str]],
    floor: float,
    load_avg: float,
    revision: str,
) -> str:
    lines = [
        "# droplint ONNX scale benchmark",
        "",
        f"{common.machine_line()}; load average (5 min) at the end of the timing: {load_avg:.2f}",
        "",
        f"{versions()}; {revision}. Whole fresh processes; median of {runs} runs after 1 "
        "warm-up (so the page cache is warm for both); CPU s is the median of user + system "
        "time; peak RSS is the largest over the runs. The checks use the wall-clock medians. "
        "droplint is `.venv/bin/droplint MODEL --format json`; onnx.load is "
        '`python -c "import onnx; onnx.load(MODEL)"`. Both include interpreter start-up. '
        f"The measuring process peaked at {floor:.0f} MiB while timing, a floor for every peak "
        "below (children are vforked; Linux counts the parent image's peak at exec).",
        "",
        "| model | size | nodes | droplint median s | droplint CPU s | droplint peak MiB "
        "| onnx.load median s | onnx.load CPU s | onnx.load peak MiB "
        "| ratio (onnx.load/droplint) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m, lint, load, _ in rows:
        lines.append(
            f"| {label(m)} | {common.size_text(m.size)} | {m.nodes:,} | {lint.median_s:.3f} "
            f"| {lint.cpu_s:.3f} | {lint.peak_mib:.0f} | {load.median_s:.3f} | {load.cpu_s:.3f} "
            f"| {load.peak_mib:.0f} "
            f"| {load.median_s / lint.median_s:.1f}x |"
        )
    return common.report_text([*lines, "", note, ""], results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "ONNX_RESULTS.md")
    parser.add_argument("--keep", type=Path, help="write (and reuse) the models here")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per process")
    parser.add_argument("--build-into", type=Path, help=argparse.SUPPRESS)  # the builder child
    parser.add_argument("--only", help=argparse.SUPPRESS)  # with --build-into: keys, a,b,...
    args = parser.parse_args()
    if args.build_into is not None:
        prepare(args.build_into, set(args.only.split(",")) if args.only else None)
        return 0

    workdir = common.keep_dir(parser, args.keep) or Path(
        tempfile.mkdtemp(prefix="droplint-onnx-scale-")
    )
    try:
        subprocess.run([sys.executable, __file__, "--build-into", str(workdir)], check=True)
        models, note = load_models(workdir)
        write_limits(workdir)
        env = common.clean_env()
        revision, before = droplint_revision(), source_digest()
        timings = []
        for m in models:
            print(f"timing {m.key} ({common.size_text(m.size)}, {m.nodes:,} nodes) ...", flush=True)
            report_file = workdir / f"droplint_{m.key}.json"
            lint_cmd = [str(DROPLINT), m.path, "--format", "json"]
            lint, _ = common.measure(
                lint_cmd, workdir, env, {0, 1}, args.runs, args.timeout, report_file
            )
            load_cmd = [str(common.FRAMEWORK_PYTHON), "-c", ONNX_LOAD, m.path]
            load, _ = common.measure(
                load_cmd, workdir, env, {0}, args.runs, args.timeout, Path(os.devnull)
            )
            timings.append((m, lint, load, report_file))
            print(f"  droplint {lint.median_s:.3f} s, onnx.load {load.median_s:.3f} s", flush=True)
        load_avg = os.getloadavg()[1]  # 5-minute average, over most of the timing
        if source_digest() != before:
            revision += " (CHANGED during the run: the rows may mix versions)"
        floor = own_peak_mib()  # before any JSON report is read into this process
        rows = [(m, lint, load, verify(m, f.read_text())) for m, lint, load, f in timings]
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)

    results = checks(rows)
    report = markdown(rows, args.runs, note, results, floor, load_avg, revision)
    print(report)
    args.output.write_text(report)
    return 0 if all(ok is not False for ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
