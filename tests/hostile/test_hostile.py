"""Hostile inputs: each gives DL001 and exit 2 (the Lambda file: a normal analysis with DL003),
within 5 s and 300 MiB, without a traceback, and nothing in a file is ever run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from corpus import CORPUS, HEAVY, SAMPLES, Maker

LIMIT_SECONDS = 5.0
LIMIT_MIB = 300
KILL_SECONDS = 60


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float
    peak_mib: float


def droplint(path: Path) -> Run:
    """One droplint process on path, with its wall time and the kernel's peak memory figure."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "droplint", str(path), "--format", "json"],
            stdout=out, stderr=err,
        )  # fmt: skip
        killer = threading.Timer(KILL_SECONDS, proc.kill)  # a hang fails, not blocks, the run
        killer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        killer.cancel()
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        return Run(os.waitstatus_to_exitcode(status), out.read(), err.read(), seconds,
                   usage.ru_maxrss / 1024)  # fmt: skip


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile")


@pytest.mark.parametrize("make", CORPUS, ids=lambda m: m.__name__)
def test_hostile_input(make: Maker, corpus_dir: Path) -> None:
    run = droplint(make(corpus_dir))
    assert run.code == 2, (run.out, run.err)
    (report,) = json.loads(run.out)["files"]
    assert report["error"]["code"] == "DL001"
    assert "\n" not in report["error"]["message"]
    assert "Traceback" not in run.err
    assert run.seconds < LIMIT_SECONDS, run.seconds
    assert run.peak_mib < LIMIT_MIB, run.peak_mib


@pytest.mark.parametrize("make", HEAVY, ids=lambda m: m.__name__)
def test_heavy_valid_input(make: Maker, corpus_dir: Path) -> None:
    run = droplint(make(corpus_dir))
    assert run.code == 1, (run.out, run.err)
    (report,) = json.loads(run.out)["files"]
    assert report["error"] is None and report["sites"]
    assert run.seconds < LIMIT_SECONDS, run.seconds
    assert run.peak_mib < LIMIT_MIB, run.peak_mib


def test_lambda_is_analysed_and_never_run() -> None:
    marker = Path(tempfile.gettempdir(), "droplint-lambda-ran")
    marker.unlink(missing_ok=True)
    path = SAMPLES / "hostile/lambda_writes_file.h5"
    run = droplint(path)
    (report,) = json.loads(run.out)["files"]
    assert report["error"] is None
    assert "DL003" in [f["code"] for f in report["findings"]]
    assert run.code == 1 and run.seconds < LIMIT_SECONDS and "Traceback" not in run.err
    assert not marker.exists(), "droplint ran the Lambda's code"
