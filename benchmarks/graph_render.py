"""How fast `droplint graph` pictures are made and open in headless Chromium.

Run from anywhere: `python benchmarks/graph_render.py [--runs N] [--blocks 100,400,1000]
[--output benchmarks/GRAPH_RESULTS.md] [--screenshot docs/seed2-graph.png]`.

Models: the seed sample; EfficientNetB0 built with keras.applications (weights=None) when keras
is importable, saved with its config only (the full .keras is 20+ MB and never committed);
ONNX residual stacks of 9 nodes per block with a Dropout in every block, made with onnx.helper.
For each: seconds to analyse and to lay out and write the page (in this process), and in
Chromium the page's own mark (performance.now() once the layout is done and two frames are
drawn; target: under 3 s), navigation to that mark, and the whole browser process, start to
exit. The last row draws the largest stack with --expand, for information. Not part of the
test suite; the numbers depend on the machine and on how busy it is.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import common

ROOT = common.ROOT
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

from big_models import efficientnet_b0, onnx_stack  # noqa: E402
from chromium import find_chromium, load  # noqa: E402

from droplint.analysis import analyze_file  # noqa: E402
from droplint.picture.command import render  # noqa: E402

TARGET_MS = 3000.0
SEED = ROOT / "samples" / "keras3" / "seed2.keras"


def models(folder: Path, blocks: list[int]) -> list[tuple[str, Path]]:
    found = [("seed2.keras", SEED)]
    try:
        found.append(("EfficientNetB0", efficientnet_b0(folder / "efficientnetb0.keras")))
    except ImportError:
        print("keras is not importable: EfficientNetB0 skipped", file=sys.stderr)
    for n in blocks:
        path = folder / f"stack{n}.onnx"
        nodes = onnx_stack(path, blocks=n)
        found.append((f"ONNX stack, {nodes} nodes", path))
    return found


def measure(name: str, model: Path, folder: Path, runs: int, collapse: bool) -> dict:
    started = time.perf_counter()
    report = analyze_file(model)
    analysed = time.perf_counter() - started
    started = time.perf_counter()
    text, summary = render(report, "html", collapse=collapse)
    page = folder / f"{model.stem}{'' if collapse else '-expanded'}.html"
    page.write_text(text, encoding="utf-8")
    drawn = time.perf_counter() - started
    loads = [load(page) for _ in range(runs)]
    errors = [e for r in loads for e in r.errors]
    if errors:
        raise SystemExit(f"{name}: script errors in the page: {errors[:3]}")
    return {
        "model": name + ("" if collapse else " (--expand)"),
        "layers": report.layers,
        "boxes": summary.split(" in ")[1].split(" boxes")[0],
        "analyse_s": analysed,
        "draw_s": drawn,
        "kib": page.stat().st_size / 1024,
        "render_ms": statistics.median(r.render_ms for r in loads),
        "render_max_ms": max(r.render_ms for r in loads),
        "load_s": statistics.median(r.load_s for r in loads),
        "wall_s": statistics.median(r.wall_s for r in loads),
    }


def table(rows: list[dict]) -> str:
    head = (
        "| model | layers | boxes | analyse s | lay out + write s | page KiB | render ms (median"
        " / max) | navigate→rendered s | chromium process s |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    body = [
        f"| {r['model']} | {r['layers']} | {r['boxes']} | {r['analyse_s']:.2f} | "
        f"{r['draw_s']:.2f} | {r['kib']:.0f} | {r['render_ms']:.0f} / {r['render_max_ms']:.0f} "
        f"| {r['load_s']:.2f} | {r['wall_s']:.2f} |"
        for r in rows
    ]
    return "\n".join([head, *body])


def machine() -> str:
    cpu = common.cpu_model(platform.processor() or "?")
    return (
        f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, "
        f"{datetime.date.today().isoformat()}"
    )


def screenshot(target: Path) -> None:
    """The README's picture of the seed model: the HTML page, fitted, at 1:1."""
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(ROOT)  # the page names the model as the README's commands do
        text, _ = render(analyze_file(SEED.relative_to(ROOT)), "html")
        page = Path(tmp) / "seed2.html"
        page.write_text(text, encoding="utf-8")
        target.parent.mkdir(parents=True, exist_ok=True)
        load(page, screenshot=target, size=(1280, 330))
    print(f"wrote {target} ({target.stat().st_size / 1024:.0f} KiB)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--blocks", default="100,400,1000", help="ONNX stack sizes, in blocks")
    parser.add_argument("--output", type=Path, help="also write the table to this file")
    parser.add_argument("--screenshot", type=Path, help="write the seed model's picture here")
    args = parser.parse_args()
    if find_chromium() is None:
        print("no chromium on PATH (apt-get install chromium)", file=sys.stderr)
        return 2
    if args.screenshot:
        screenshot(args.screenshot.resolve())
    blocks = [int(b) for b in args.blocks.split(",") if b]
    with tempfile.TemporaryDirectory(prefix="droplint-graph-bench-") as tmp:
        folder = Path(tmp)
        rows = []
        for name, path in models(folder, blocks):
            rows.append(measure(name, path, folder, args.runs, collapse=True))
            print(f"  {rows[-1]['model']}: {rows[-1]['render_ms']:.0f} ms", file=sys.stderr)
        biggest = max(blocks, default=0)
        if biggest:
            name = f"ONNX stack, {9 * biggest} nodes"
            rows.append(measure(name, folder / f"stack{biggest}.onnx", folder, args.runs, False))
    worst = max(r["render_max_ms"] for r in rows if "--expand" not in r["model"])
    verdict = (
        f"Target (every default page, runs collapsed, rendered in under {TARGET_MS / 1000:.0f} s;"
        f" the --expand row is for information): {'held' if worst < TARGET_MS else 'MISSED'}, "
        f"slowest {worst:.0f} ms."
    )
    text = f"{machine()}, {find_chromium()}\n\n{table(rows)}\n\n{verdict}\n"
    print(text)
    if args.output:
        args.output.write_text(f"# `droplint graph` render times\n\n{text}", encoding="utf-8")
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
