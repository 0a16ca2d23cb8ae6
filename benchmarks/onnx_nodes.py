"""Node-heavy ONNX graphs: droplint against what a user would write instead, and where droplint's
time goes.

    .venv/bin/python benchmarks/onnx_nodes.py [--runs N] [--keep DIR] [--output FILE]

Run with a venv that has droplint, onnx and numpy (torch too, for the transformer export). The
models are built in another process (the measuring one must stay small: see common.measure_once),
in a temporary folder or --keep DIR. For each model, whole fresh processes in turn, A B A B ...:

- A: `droplint MODEL --format json` (with a config raising limits.nodes above the model's size);
- B: the script a user would write: `onnx.load(p)`, then a loop over `m.graph.node` reading
  `op_type`, `input` and `output`, and picking the Dropout nodes.

Then droplint's stages are timed in one process each (read, graph, sites, flow, rules, JSON),
with the garbage collector off as the command has it. It writes a Markdown report (--output,
default benchmarks/ONNX_NODES_RESULTS.md) and a log-log picture of time against nodes
(benchmarks/onnx_nodes.svg). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

import common

ROOT = common.ROOT
HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
WALK = """import sys, onnx
m = onnx.load(sys.argv[1])
drops = [n.name for n in m.graph.node if n.op_type == "Dropout"]
for n in m.graph.node:
    _ = (n.op_type, list(n.input), list(n.output))
print(len(drops))
"""
STAGE_NAMES = ("import", "read", "graph", "sites", "flow", "rules", "json")
CHAINS = (10_000, 30_000, 100_000, 300_000, 1_000_000)
BUILD = """import sys, json
sys.path.insert(0, {here!r})
from pathlib import Path
from jobs import build_chain
out = Path(sys.argv[1])
made = {{}}
for n in {chains!r}:
    p = out / f"chain_{{n}}.onnx"
    if not p.exists():
        build_chain(p, n)
    made[f"chain_{{n}}"] = [str(p), n]
try:
    import torch
    from torch import nn
    p = out / "transformer.onnx"
    if not p.exists():
        torch.manual_seed(0)
        layer = nn.TransformerEncoderLayer(64, 4, 128, dropout=0.1, batch_first=True)
        model = nn.TransformerEncoder(layer, num_layers=48, enable_nested_tensor=False).train()
        torch.onnx.export(model, (torch.randn(2, 16, 64),), str(p), dynamo=True)
    import onnx
    made["transformer"] = [str(p), len(onnx.load(str(p)).graph.node)]
except Exception as exc:
    print("no transformer export:", exc, file=sys.stderr)
json.dump(made, open(out / "made.json", "w"))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path)
    parser.add_argument("--output", type=Path, default=HERE / "ONNX_NODES_RESULTS.md")
    args = parser.parse_args()
    workdir = common.keep_dir(parser, args.keep) or Path(tempfile.mkdtemp(prefix="onnx-nodes-"))
    subprocess.run([sys.executable, "-c", BUILD.format(here=str(HERE), chains=CHAINS),
                    str(workdir)], check=True)  # fmt: skip
    made = json.loads((workdir / "made.json").read_text())
    common.compile_droplint()
    (workdir / "walk.py").write_text(WALK)
    (workdir / "droplint.toml").write_text("[limits]\nnodes = 5000000\n")
    env = common.clean_env()
    rows = []
    for key, (path, nodes) in made.items():
        lint = [str(BIN / "droplint"), path, "--format", "json", "--config",
                str(workdir / "droplint.toml")]  # fmt: skip
        walk = [sys.executable, str(workdir / "walk.py"), path]
        pairs = common.paired(lint, walk, workdir, env, args.runs)
        timed = [sys.executable, str(HERE / "onnx_stages.py"), path]
        stages = json.loads(
            subprocess.run(timed, capture_output=True, text=True, check=True).stdout
        )
        rows.append(_row(key, path, nodes, pairs, stages))
        print(rows[-1]["line"], flush=True)
    args.output.write_text(_report(rows))
    (HERE / "onnx_nodes.svg").write_text(_svg([r for r in rows if r["key"].startswith("chain")]))
    return 0


def _row(key: str, path: str, nodes: int, t: common.Paired, stages: dict) -> dict:
    a_s, b_s, a_m, b_m, ratio = t.a_s, t.b_s, t.a_mib, t.b_mib, t.a_over_b
    size = Path(path).stat().st_size
    line = (f"| {key} | {nodes:,} | {common.size_text(size)} | {a_s:.3f} | {a_m:.0f} | {b_s:.3f} | "
            f"{b_m:.0f} | {ratio:.2f}x |")  # fmt: skip
    return {"key": key, "nodes": nodes, "droplint_s": a_s, "script_s": b_s, "line": line,
            "stages": stages}  # fmt: skip


def _report(rows: list[dict]) -> str:
    head = [
        "# Node-heavy ONNX graphs: droplint and `onnx.load` + a walk",
        "",
        common.machine_line(),
        "",
        "Whole fresh processes, in turn (droplint, script, droplint, ...); median wall seconds, "
        "largest peak RSS; the ratio is the median of the pairs' droplint/script. droplint is "
        "`droplint MODEL --format json` (limits.nodes raised); the script is `onnx.load` and a "
        "loop over the nodes reading op_type, input and output. Written by "
        "`benchmarks/onnx_nodes.py`; the picture is `onnx_nodes.svg`.",
        "",
        "| model | nodes | size | droplint s | droplint MiB | script s | script MiB "
        "| droplint/script |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        *[r["line"] for r in rows],
        "",
        "Where droplint's time goes (one process each, seconds; the command's start-up is about "
        "0.07 s on top):",
        "",
        "| model | import | read | graph | sites | flow | rules | json |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        s = r["stages"]
        cells = " | ".join(f"{s[k]:.3f}" for k in STAGE_NAMES)
        head.append(f"| {r['key']} | {cells} |")
    chains = {r["nodes"]: r for r in rows if r["key"].startswith("chain")}
    if 100_000 in chains and 1_000_000 in chains:
        growth = chains[1_000_000]["droplint_s"] / chains[100_000]["droplint_s"]
        head += ["", f"Growth from 100k to 1M nodes: droplint {growth:.1f}x."]
    return "\n".join(head) + "\n"


def _svg(rows: list[dict]) -> str:
    """Time against nodes, both on log axes: a straight line of slope 1 is linear time."""
    width, height, pad = 560, 380, 60
    xs = [math.log10(r["nodes"]) for r in rows]
    ys = [math.log10(v) for r in rows for v in (r["droplint_s"], r["script_s"])]
    x0, x1 = math.floor(min(xs)), math.ceil(max(xs))
    y0, y1 = math.floor(min(ys)), math.ceil(max(ys))

    def pos(n: float, s: float) -> tuple[float, float]:
        x = pad + (math.log10(n) - x0) / (x1 - x0) * (width - 2 * pad)
        y = height - pad - (math.log10(s) - y0) / (y1 - y0) * (height - 2 * pad)
        return x, y

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             'font-family="sans-serif" font-size="12">',
             f'<rect width="{width}" height="{height}" fill="white"/>']  # fmt: skip
    for e in range(x0, x1 + 1):
        x, _ = pos(10**e, 10**y0)
        parts.append(f'<line x1="{x}" y1="{pad}" x2="{x}" y2="{height - pad}" stroke="#ddd"/>')
        parts.append(f'<text x="{x}" y="{height - pad + 18}" text-anchor="middle">'
                     f'{10**e:,}</text>')  # fmt: skip
    for e in range(y0, y1 + 1):
        _, y = pos(10**x0, 10**e)
        parts.append(f'<line x1="{pad}" y1="{y}" x2="{width - pad}" y2="{y}" stroke="#ddd"/>')
        parts.append(f'<text x="{pad - 8}" y="{y + 4}" text-anchor="end">{10**e:g} s</text>')
    for key, colour in (("droplint_s", "#d35400"), ("script_s", "#2c3e50")):
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (pos(r["nodes"], r[key]) for r in rows))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                     'stroke-width="2"/>')  # fmt: skip
        for r in rows:
            x, y = pos(r["nodes"], r[key])
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
    parts += [
        f'<text x="{width / 2}" y="{height - 15}" text-anchor="middle">nodes (ONNX chain)</text>',
        f'<text x="{pad}" y="25" fill="#d35400">droplint --format json</text>',
        f'<text x="{pad + 200}" y="25" fill="#2c3e50">onnx.load + walk</text>',
        "</svg>",
    ]
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    sys.exit(main())
