"""Hostile inputs, by what they attack: each gives its answer (DL001 and exit 2, or an analysis
for a valid if unusual model) within 5 s and 300 MiB, as strict JSON with no traceback, while a
well-formed model named in the same run is still reported; and nothing in a file is ever run.

Time and memory are measured by tests/hostile/measure.py, a small process that starts droplint:
the peak memory the kernel reports for a child includes its parent's, so the test runner (which
may hold frameworks by then) must not be the parent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest
from bounded import (
    BOUNDED,
    _onnx,
    keras_dropout_chain,
    keras_dropout_chain_reversed,
    keras_forward_order,
    keras_reverse_order,
    onnx_chain,
)
from bounded import Maker as BoundedMaker
from corpus import CORPUS, HEAVY, SAMPLES, Maker, _field, _node, _varint

from droplint.analysis import analyze_file
from droplint.config import Config
from droplint.inputs import collect

LIMIT_SECONDS = 5.0
LIMIT_MIB = 300
KILL_SECONDS = 60
COMPANION = SAMPLES / "keras3/seed2.keras"  # analysed in the same run: 3 findings
MEASURE = Path(__file__).with_name("measure.py")


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float
    peak_mib: float

    def files(self) -> list[dict]:
        """The JSON report's files; strict JSON (NaN or Infinity fail the test)."""
        data = json.loads(self.out, parse_constant=lambda c: pytest.fail(f"JSON holds {c}"))
        return data["files"]


def droplint(*paths: Path, fmt: str = "json") -> Run:
    """One droplint process on paths, with its wall time and peak memory."""
    cmd = [sys.executable, str(MEASURE), str(KILL_SECONDS), sys.executable, "-m", "droplint",
           *map(str, paths), "--format", fmt]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=KILL_SECONDS + 30)
    *err, last = proc.stderr.rstrip("\n").split("\n")
    measured = json.loads(last)
    return Run(measured["code"], proc.stdout, "\n".join(err), measured["seconds"],
               measured["peak_mib"])  # fmt: skip


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile")


def within_limits(run: Run) -> None:
    assert "Traceback" not in run.err, run.err
    assert run.seconds < LIMIT_SECONDS, run.seconds
    assert run.peak_mib < LIMIT_MIB, run.peak_mib


def companion_reported(files: list[dict]) -> None:
    (other,) = [f for f in files if f["path"] == str(COMPANION)]
    assert other["error"] is None and len(other["findings"]) == 3


@pytest.mark.parametrize("make", CORPUS, ids=lambda m: m.__name__)
def test_hostile_input(make: Maker, corpus_dir: Path) -> None:
    run = droplint(make(corpus_dir), COMPANION)
    assert run.code == 2, (run.out, run.err)
    files = run.files()  # reported in path order: the companion may come first
    first = next(f for f in files if f["path"] != str(COMPANION))
    assert first["error"]["code"] == "DL001"
    assert "\n" not in first["error"]["message"]
    companion_reported(files)
    within_limits(run)


@pytest.mark.parametrize("make", BOUNDED, ids=lambda m: m.__name__)
def test_bounded_input(make: BoundedMaker, corpus_dir: Path) -> None:
    path, answer = make(corpus_dir)
    run = droplint(path, COMPANION)
    files = run.files()
    first = next(f for f in files if f["path"] != str(COMPANION))
    if answer == "DL001":
        assert run.code == 2 and first["error"]["code"] == "DL001", first["error"]
        message = first["error"]["message"]
        assert "\n" not in message and len(message) < 400, message
    else:
        assert run.code in (0, 1) and first["error"] is None, first["error"]
    companion_reported(files)
    within_limits(run)


@pytest.mark.parametrize("make", HEAVY, ids=lambda m: m.__name__)
def test_heavy_valid_input(make: Maker, corpus_dir: Path) -> None:
    run = droplint(make(corpus_dir))
    assert run.code == 1, (run.out, run.err)
    (report,) = run.files()
    assert report["error"] is None and report["sites"]
    within_limits(run)


LARGE = [keras_reverse_order, keras_dropout_chain, keras_dropout_chain_reversed]


@pytest.mark.parametrize("make", LARGE, ids=lambda m: m.__name__)
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_large_models_lint_in_two_seconds(make: BoundedMaker, fmt: str, corpus_dir: Path) -> None:
    """A 20,000-layer model listed backwards, 3,000 dropouts in a row, listed either way."""
    path, _ = make(corpus_dir)
    run = droplint(path, fmt=fmt)
    assert run.code in (0, 1) and run.seconds < 2.0, run.seconds


def test_time_grows_linearly(tmp_path: Path) -> None:
    """From 10,000 to 100,000 layers or nodes, time grows at most 12-fold (the best of two runs
    each, the start-up included)."""
    cases = [
        (keras_forward_order(tmp_path, 10_000)[0], keras_forward_order(tmp_path, 100_000)[0]),
        (onnx_chain(tmp_path, 10_000, "a.onnx", "Dropout"),
         onnx_chain(tmp_path, 100_000, "b.onnx", "Dropout")),
    ]  # fmt: skip
    for small, large in cases:
        seconds = [min(droplint(p).seconds for _ in range(2)) for p in (small, large)]
        assert seconds[1] <= 12 * seconds[0], (large.name, seconds)


def test_lambda_is_analysed_and_never_run() -> None:
    marker = Path(tempfile.gettempdir(), "droplint-lambda-ran")
    marker.unlink(missing_ok=True)
    path = SAMPLES / "hostile/lambda_writes_file.h5"
    run = droplint(path)
    (report,) = run.files()
    assert report["error"] is None
    assert "DL003" in [f["code"] for f in report["findings"]]
    assert run.code == 1 and run.seconds < LIMIT_SECONDS and "Traceback" not in run.err
    assert not marker.exists(), "droplint ran the Lambda's code"


# -- files that change or refuse to be read while droplint reads them ------------------------------


def test_a_file_that_shrinks_while_read_is_dl001_not_a_crash(tmp_path: Path) -> None:
    """The reader never memory-maps: a file truncated meanwhile (a training job rewriting a
    checkpoint) is a short read - one sentence - where a mapping would die of SIGBUS."""
    weights = _field(1, _varint(1 << 3) + _varint(10_000_000)) + _varint(2 << 3) + _varint(1)
    weights += _field(8, b"w") + _field(9, bytes(40_000_000))  # > 32 MiB: read field by field
    big = tmp_path / "big.onnx"
    big.write_bytes(_onnx([_node("MatMul", ["x", "w"], ["y"])], extra=_field(5, weights)))
    real = big.stat().st_size
    real_fstat = os.fstat

    def claims_more(fd: int) -> os.stat_result:  # the size seen before the file shrank
        st = real_fstat(fd)
        return os.stat_result((*st[:6], real * 2, *st[7:]))

    with mock.patch("os.fstat", claims_more):
        report = analyze_file(big)
    assert report.internal is None and report.error and "cut short" in report.error


def test_a_file_locked_by_a_writer_says_so(tmp_path: Path) -> None:
    model = tmp_path / "m.h5"
    model.write_bytes((SAMPLES / "tfkeras/seed2.h5").read_bytes())
    holder = subprocess.Popen(
        [sys.executable, "-c", "import h5py, sys, time; f = h5py.File(sys.argv[1], 'a'); "
         "print('open', flush=True); time.sleep(30)", str(model)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        report = analyze_file(model)
    finally:
        holder.kill()
    assert report.error and "locked by another process" in report.error


def test_folders_droplint_may_not_read_are_inputs_with_a_reason(tmp_path: Path) -> None:
    """(Tests run as root, where chmod 000 blocks nothing: permission errors are simulated.)"""
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "m.keras").write_bytes(COMPANION.read_bytes())
    (tmp_path / "secret").mkdir()
    (tmp_path / "locked.keras").write_bytes(COMPANION.read_bytes())
    real_scandir = os.scandir
    real_is_file = Path.is_file

    def scandir(path):  # type: ignore[no-untyped-def]
        if Path(path).name == "secret":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    def is_file(self: Path) -> bool:
        if self.name == "locked.keras" or self.parent.name == "secret":
            raise PermissionError(13, "Permission denied", str(self))
        return real_is_file(self)

    with mock.patch("os.scandir", scandir), mock.patch.object(Path, "is_file", is_file):
        found, _ = collect([str(tmp_path)], Config())
        reports = {Path(p).name: analyze_file(p) for p in found}
    assert set(reports) == {"locked.keras", "m.keras", "secret"}
    assert reports["m.keras"].error is None
    assert "Permission denied" in (reports["secret"].error or "")
    assert all(r.internal is None for r in reports.values())


def test_non_finite_numbers_never_reach_json(corpus_dir: Path) -> None:
    from bounded import keras_infinite_rates, onnx_infinite_ratio, onnx_opaque_infinite_setting

    for make in (keras_infinite_rates, onnx_infinite_ratio):
        path, _ = make(corpus_dir)
        run = droplint(path)
        (report,) = run.files()
        invalid = [f["message"] for f in report["findings"] if f["code"] == "DL303"]
        assert invalid and all(s["rate"] is None for s in report["sites"])
    messages = " ".join(invalid)
    assert "inf is not a number" in messages  # the ONNX ratio as stored
    unseen = droplint(onnx_opaque_infinite_setting(corpus_dir)[0]).files()[0]["coverage"]["unseen"]
    assert unseen[0]["dropout_settings"] == {"dropout": None}  # infinity, written as null
    keras = droplint(keras_infinite_rates(corpus_dir)[0]).files()[0]
    quoted = " ".join(f["message"] for f in keras["findings"] if f["code"] == "DL303")
    assert "rate=1e309" in quoted and "rate=-Infinity" in quoted and "rate=NaN" in quoted
