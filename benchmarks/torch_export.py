"""torch.export archives (.pt2): droplint against `torch.export.load`, whole processes.

    .venv/bin/python benchmarks/torch_export.py [--runs N] [--keep DIR] [--output FILE]

Run with a venv that has droplint and torch (the `frameworks` extra). The archives are exported
in another process (the measuring one must stay small: see common.measure_once), into a
temporary folder or --keep DIR: nn.TransformerEncoder stacks of 12, 48 and 96 layers
(d_model 256, 8 heads, dropout 0.1), exported in train mode, and the 48-layer one also after
run_decompositions(). For each, in turn A B A B ...:

- A: `droplint MODEL --format json`;
- B: what a user runs to look at the program instead: `torch.export.load(MODEL)` (which reads
  the same JSON, and the weights).

It checks that droplint finds every dropout of the model (3 per encoder layer: the attention's
dropout_p and the layer's dropout1, dropout2; plus the feed-forward's dropout) and writes a
Markdown table to --output (default benchmarks/TORCH_RESULTS.md). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import common

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
LOAD = "import sys, torch; torch.export.load(sys.argv[1])"
LAYERS = (12, 48, 96)
SITES_PER_LAYER = 4  # self_attn dropout_p, dropout (feed-forward), dropout1, dropout2
BUILD = """import sys, json, torch
from pathlib import Path
from torch import nn
out = Path(sys.argv[1])
made = {{}}
for layers in {layers!r}:
    for decomposed in (False, True):
        if decomposed and layers != 48:
            continue
        key = f"encoder_{{layers}}" + ("_decomposed" if decomposed else "")
        p = out / f"{{key}}.pt2"
        if not p.exists():
            torch.manual_seed(0)
            layer = nn.TransformerEncoderLayer(256, 8, 1024, dropout=0.1, batch_first=True)
            model = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False).train()
            ep = torch.export.export(model, (torch.randn(2, 16, 256),))
            if decomposed:
                ep = ep.run_decompositions()
            torch.export.save(ep, str(p))
        made[key] = [str(p), layers]
json.dump(made, open(out / "made.json", "w"))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path)
    parser.add_argument("--output", type=Path, default=HERE / "TORCH_RESULTS.md")
    args = parser.parse_args()
    workdir = common.keep_dir(parser, args.keep) or Path(tempfile.mkdtemp(prefix="torch-pt2-"))
    build = [sys.executable, "-c", BUILD.format(layers=LAYERS), str(workdir)]
    subprocess.run(build, check=True)
    made = json.loads((workdir / "made.json").read_text())
    env = common.clean_env()
    lines, ok = [], True
    for key, (path, layers) in made.items():
        lint = [str(BIN / "droplint"), path, "--format", "json"]
        load = [sys.executable, "-c", LOAD, path]
        report = subprocess.run(lint, capture_output=True, text=True, env=env).stdout
        sites = len(json.loads(report)["files"][0]["sites"])
        found = sites == SITES_PER_LAYER * layers
        ok &= found
        timed = common.paired(lint, load, workdir, env, args.runs)
        lines.append(_line(key, path, layers, sites, timed))
        print(lines[-1], flush=True)
    args.output.write_text(_report(lines, ok))
    return 0 if ok else 1


def _line(key: str, path: str, layers: int, sites: int, t: common.Paired) -> str:
    size = common.size_text(Path(path).stat().st_size)
    return (f"| {key} | {layers} | {size} | {sites} | {t.a_s:.3f} | {t.a_mib:.0f} | {t.b_s:.3f} | "
            f"{t.b_mib:.0f} | {t.b_over_a:.1f}x |")  # fmt: skip


def _report(lines: list[str], ok: bool) -> str:
    return "\n".join([
        "# torch.export archives: droplint and `torch.export.load`",
        "",
        common.machine_line(),
        "",
        "Whole fresh processes, in turn (droplint, loader, droplint, ...); median wall seconds, "
        "largest peak RSS; the ratio is the median of the pairs' loader/droplint. droplint is "
        "`droplint MODEL --format json`; the loader is `torch.export.load(MODEL)`. Written by "
        "`benchmarks/torch_export.py`.",
        "",
        "| model | encoder layers | size | sites | droplint s | droplint MiB | loader s "
        "| loader MiB | loader/droplint |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        *lines,
        "",
        f"Every dropout found ({SITES_PER_LAYER} per layer): {'yes' if ok else 'NO'}.",
    ]) + "\n"  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
