"""Remote models: droplint on a URL against downloading the file and linting it locally.

    .venv/bin/python benchmarks/remote.py [--runs N] [--keep DIR] [--output FILE]

Run with a venv that has droplint[http], onnx and keras (the `dev` and `frameworks` extras). The
models are built in another process, into a temporary folder or --keep DIR: the 1 GiB ONNX model
of onnx_scale.py (four 256 MiB weights, five nodes, a Dropout), and a wide MLP (4 Dense layers of
4096 x 4096, 256 MiB of weights, a Dropout between each) saved by Keras 3 as .keras and .h5. A
loopback HTTP server (tests/remote_server.py, its own process) serves them with Range support.
For each model, whole fresh processes in turn:

- A: `droplint http://127.0.0.1:PORT/files/MODEL --format json`;
- B: what a user does without ranged reads: download the file (urllib, to a temporary file),
  then `droplint FILE --format json`.

It writes a Markdown table (--output, default benchmarks/REMOTE_RESULTS.md): size, bytes
droplint fetched (its JSON's remote.bytes_read) and their share of the file, median seconds of A
and B, and their ratio. Not part of the test suite.
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
SERVER = HERE.parent / "tests" / "remote_server.py"
DOWNLOAD = """import sys, urllib.request, subprocess
urllib.request.urlretrieve(sys.argv[1], sys.argv[2])
sys.exit(subprocess.run([sys.argv[3], sys.argv[2], "--format", "json"],
                        stdout=subprocess.DEVNULL).returncode)
"""
BUILD = """import sys, json
sys.path.insert(0, {here!r})
from pathlib import Path
out = Path(sys.argv[1])
from onnx_scale import build_big
if not (out / "big.onnx").exists():
    build_big(out / "big.onnx")
import os
os.environ["KERAS_BACKEND"] = "tensorflow"
import keras
if not (out / "wide.keras").exists():
    layers = [keras.Input((4096,))]
    for k in range(4):
        layers += [keras.layers.Dense(4096, name=f"dense_{{k}}"),
                   keras.layers.Dropout(0.2, name=f"drop_{{k}}")]
    model = keras.Sequential(layers, name="wide")
    model.save(out / "wide.keras")
    model.save(out / "wide.h5")
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path)
    parser.add_argument("--output", type=Path, default=HERE / "REMOTE_RESULTS.md")
    args = parser.parse_args()
    workdir = common.keep_dir(parser, args.keep) or Path(tempfile.mkdtemp(prefix="remote-"))
    subprocess.run([sys.executable, "-c", BUILD.format(here=str(HERE)), str(workdir)],
                   check=True, env=common.clean_env(quiet_tensorflow=True))  # fmt: skip
    (workdir / "download.py").write_text(DOWNLOAD)
    server = subprocess.Popen([sys.executable, str(SERVER), str(workdir)],
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        base = server.stdout.readline().strip()  # type: ignore[union-attr]
        lines = [_row(name, base, workdir, args.runs) for name in
                 ("big.onnx", "wide.keras", "wide.h5")]  # fmt: skip
    finally:
        server.terminate()
    args.output.write_text(_report(lines))
    print("\n".join(lines))
    return 0


def _row(name: str, base: str, workdir: Path, runs: int) -> str:
    url = f"{base}/files/{name}"
    env = common.clean_env()
    lint = [str(BIN / "droplint"), url, "--format", "json"]
    report = json.loads(subprocess.run(lint, capture_output=True, text=True, env=env).stdout)
    entry = report["files"][0]
    assert entry["error"] is None, entry["error"]
    fetched, size = entry["remote"]["bytes_read"], entry["remote"]["size"]
    target = workdir / f"downloaded-{name}"
    fetch = [sys.executable, str(workdir / "download.py"), url, str(target), str(BIN / "droplint")]
    t = common.paired(lint, fetch, workdir, env, runs, ({0, 1}, {0, 1}),
                      between=lambda: target.unlink(missing_ok=True))  # fmt: skip
    share, sites = 100 * fetched / size, len(entry["sites"])
    return (f"| `{name}` | {common.size_text(size)} | {common.size_text(fetched)} | {share:.3f} % "
            f"| {sites} | {t.a_s:.3f} | {t.b_s:.3f} | {t.b_over_a:.1f}x |")  # fmt: skip


def _report(lines: list[str]) -> str:
    return "\n".join([
        "# Remote models over loopback HTTP: ranged reads against download + lint",
        "",
        common.machine_line(),
        "",
        "Whole fresh processes, in turn; median wall seconds; the ratio is the median of the "
        "pairs' (download + lint) / droplint URL. Bytes fetched are droplint's own count "
        "(`remote.bytes_read` in its JSON). Served by `tests/remote_server.py` on 127.0.0.1: "
        "no network latency, so the time ratio is a floor; over a real network each fetched "
        "megabyte costs more. Written by `benchmarks/remote.py`.",
        "",
        "| model | size | fetched | share | sites | droplint URL s | download + lint s "
        "| ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        *lines,
    ]) + "\n"  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
