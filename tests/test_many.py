"""Many inputs at scale: droplint.analyze_many on any concurrent.futures Executor (in this
process, a process pool, Dask, Ray), `--format jsonl` streamed as the run goes on, and `--shard`.

Every executor must give what `droplint --jobs 1 --format json` gives, file for file. Dask and Ray
are skipped when missing, unless DROPLINT_REQUIRE_ORACLES=1 (CI installs them with the
`frameworks` extra); they are `slow`: a cluster takes seconds to start, one per module.
"""

from __future__ import annotations

import importlib
import io
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import ROOT, droplint_command, run, sample

import droplint
import droplint.api
from droplint.analysis import INTERNAL
from droplint.run import CheckOptions, parse_fast, parse_shard, run_check, shard_of

# Varied inputs: Keras 3 archives and a model folder, ONNX from the helper and from torch
# exporters, torch.export archives, and a broken file (DL001).
INPUTS = [
    str(sample(rel))
    for rel in (
        "keras3/attention.keras",
        "keras3/rnn_zoo.keras",
        "keras3/nested.keras",
        "keras3/seed2_dir",
        "onnx/helper/lstm_stack_with_dropout.onnx",
        "onnx/helper/dropout_in_if.onnx",
        "onnx/torch/encoder_train_dynamo.onnx",
        "torch/encoder_train.pt2",
        "torch/lstm_stack_train.pt2",
        "torch/mha_weights_train.pt2",
        "broken/truncated.keras",
    )
]


def framework(name: str) -> ModuleType:
    """CI installs Dask and Ray and sets DROPLINT_REQUIRE_ORACLES: there, missing fails."""
    if os.environ.get("DROPLINT_REQUIRE_ORACLES"):
        return importlib.import_module(name)
    return pytest.importorskip(name)


@pytest.fixture(scope="module")
def expected() -> list[dict[str, Any]]:
    """What `droplint --jobs 1 --format json` says of INPUTS, sorted by path."""
    proc = run(*INPUTS, "--jobs", "1", "--format", "json", cwd=ROOT)
    assert proc.returncode == 2, proc.stderr  # the broken file
    files = json.loads(proc.stdout)["files"]
    assert len(files) == len(INPUTS)
    return by_path(files)


def by_path(files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(files, key=lambda f: f["path"])


def streamed(inputs: list[str], **kwargs: Any) -> list[dict[str, Any]]:
    """analyze_many's results, checked to name every input once, as JSON dicts by path."""
    pairs = list(droplint.analyze_many(inputs, **kwargs))
    assert sorted(i for i, _ in pairs) == list(range(len(inputs)))
    for i, report in pairs:
        assert report.path == inputs[i]
        assert report.graph is None  # detached: only what the JSON needs crossed over
    return by_path([report.to_dict() for _, report in pairs])


# -- analyze_many on each executor -----------------------------------------------------------------


def test_in_this_process(expected: list[dict[str, Any]]) -> None:
    assert streamed(INPUTS) == expected
    assert "analyze_many" in droplint.__all__


def test_on_a_process_pool(expected: list[dict[str, Any]]) -> None:
    with ProcessPoolExecutor(2) as pool:
        assert streamed(INPUTS, executor=pool) == expected


# -- what analyze_many promises whatever the executor ----------------------------------------------


class Counting(Executor):
    """Runs tasks on a thread pool, counting the tasks submitted."""

    def __init__(self, workers: int = 2) -> None:
        self.pool, self.submitted, self.futures = ThreadPoolExecutor(workers), 0, []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.submitted += 1
        future = self.pool.submit(fn, *args, **kwargs)
        self.futures.append(future)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.pool.shutdown(wait, cancel_futures=cancel_futures)


def test_inputs_are_read_lazily_and_few_are_in_flight() -> None:
    """A huge listing: never more than `window` inputs submitted and not yet handed back."""
    read = 0

    def listing() -> Iterator[str]:
        nonlocal read
        for _ in range(40):
            read += 1
            yield INPUTS[0]

    executor = Counting()
    handed = 0
    for _, report in droplint.analyze_many(listing(), executor=executor, window=3):
        handed += 1
        assert executor.submitted - handed < 3 and read - handed <= 3
        assert report.error is None
    assert handed == read == executor.submitted == 40
    executor.shutdown()


def test_the_window_follows_the_workers() -> None:
    with ProcessPoolExecutor(3) as pool:
        assert droplint.api._window(pool) == 12
    assert droplint.api._window(Counting()) == droplint.api.WINDOW
    with pytest.raises(ValueError):
        droplint.analyze_many(INPUTS, executor=Counting(), window=0)
    with pytest.raises(TypeError, match="for one path, use analyze"):
        droplint.analyze_many(INPUTS[0])  # not its characters one by one


def test_stopping_early_cancels_the_rest() -> None:
    executor = Counting(workers=1)
    stream = droplint.analyze_many([INPUTS[0]] * 30, executor=executor, window=10)
    next(stream)
    stream.close()
    executor.shutdown()
    assert executor.submitted <= 11
    assert any(f.cancelled() for f in executor.futures)


class Boom(RuntimeError):
    pass


def test_a_droplint_bug_is_that_inputs_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """An exception that escapes the analysis (here: analyze_file itself) is the report's
    internal error, in this process and in forked workers alike; the stream goes on."""
    real = droplint.api.analyze_file

    def analyze_file(path: str, config: Any = None) -> Any:
        if path == INPUTS[1]:
            raise Boom("deliberately broken")
        return real(path, config)

    monkeypatch.setattr(droplint.api, "analyze_file", analyze_file)
    fork = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(2, mp_context=fork) as pool:
        for executor in (None, pool):
            reports = dict(droplint.analyze_many(INPUTS[:4], executor=executor))
            assert sorted(reports) == [0, 1, 2, 3]
            assert reports[1].internal == "Boom: deliberately broken"
            assert "raise Boom" in reports[1].trace
            assert reports[1].to_dict()["error"]["code"] == INTERNAL
            assert all(reports[i].internal is None for i in (0, 2, 3))


def test_a_dead_worker_fails_its_inputs_not_the_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker process that dies (a crash in a C extension, the OOM killer) breaks the pool:
    the inputs it took are internal errors, and so are the ones a broken pool refuses."""
    real = droplint.api.analyze_file

    def analyze_file(path: str, config: Any = None) -> Any:
        if path == INPUTS[2]:
            os._exit(1)
        return real(path, config)

    monkeypatch.setattr(droplint.api, "analyze_file", analyze_file)
    fork = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(1, mp_context=fork) as pool:
        reports = dict(droplint.analyze_many(INPUTS, executor=pool, window=2))
    assert sorted(reports) == list(range(len(INPUTS)))
    assert reports[0].internal is None and reports[0].error is None
    assert "BrokenProcessPool" in str(reports[2].internal)
    assert all("BrokenProcessPool" in str(reports[i].internal) for i in range(3, len(INPUTS)))


def test_a_failed_task_is_an_internal_error() -> None:
    class Failing(Executor):
        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
            future: Future[Any] = Future()
            if args[0] == INPUTS[0]:
                raise RuntimeError("the scheduler is gone")
            if args[0] == INPUTS[1]:
                future.set_exception(ConnectionError("lost the worker"))
            else:
                future.set_result(fn(*args, **kwargs))
            return future

    reports = dict(droplint.analyze_many(INPUTS[:3], executor=Failing()))
    assert reports[0].internal == "RuntimeError: the scheduler is gone"
    assert reports[1].internal == "ConnectionError: lost the worker"
    assert reports[2].internal is None and reports[2].findings


# -- Dask and Ray (slow: a cluster per module) -----------------------------------------------------


@pytest.fixture(scope="module")
def dask_executor() -> Iterator[Executor]:
    distributed = framework("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = distributed.Client(cluster)
    try:
        yield client.get_executor()
    finally:
        client.close()
        cluster.close()


@pytest.mark.slow
def test_on_dask(dask_executor: Executor, expected: list[dict[str, Any]]) -> None:
    assert streamed(INPUTS, executor=dask_executor) == expected


@pytest.mark.slow
def test_on_dask_a_config_travels_with_each_input(dask_executor: Executor) -> None:
    (_, report), *_ = droplint.analyze_many(
        [INPUTS[0]], config={"select": ["DL2"]}, executor=dask_executor
    )
    local = droplint.analyze(INPUTS[0], config={"select": ["DL2"]})
    assert report.to_dict() == local.detached().to_dict()
    assert all(f.code.startswith("DL2") for f in report.findings)


class RayTasks(Executor):
    """The README's Ray executor: each submit is a Ray task, its ObjectRef's future the result
    (Ray has no concurrent.futures executor of its own: ray-project/ray#29456)."""

    def __init__(self) -> None:
        self.tasks: dict[Any, Any] = {}

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        import ray

        if fn not in self.tasks:
            self.tasks[fn] = ray.remote(fn)
        return self.tasks[fn].remote(*args, **kwargs).future()


@pytest.fixture(scope="module")
def ray_executor() -> Iterator[Executor]:
    ray = framework("ray")
    try:  # a Ray that ships an executor of its own: that one
        from ray.util.concurrent.futures.ray_executor import RayExecutor  # type: ignore
    except ImportError:
        RayExecutor = RayTasks
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield RayExecutor()
    finally:
        ray.shutdown()


@pytest.mark.slow
def test_on_ray(ray_executor: Executor, expected: list[dict[str, Any]]) -> None:
    assert streamed(INPUTS, executor=ray_executor) == expected


# -- --format jsonl --------------------------------------------------------------------------------


def lines_of(stdout: str) -> list[dict[str, Any]]:
    assert stdout.endswith("\n")
    return [json.loads(line) for line in stdout.splitlines()]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_jsonl_is_the_json_files_line_by_line(jobs: str) -> None:
    args = [*INPUTS, "samples/onnx/helper", "--jobs", jobs]
    whole = run(*args, "--format", "json", cwd=ROOT)
    lines = run(*args, "--format", "jsonl", cwd=ROOT)
    assert lines.returncode == whole.returncode == 2  # exit codes as for every format
    files = json.loads(whole.stdout)["files"]
    got = lines_of(lines.stdout)
    if jobs == "1":
        assert got == files  # input order
    else:
        assert by_path(got) == by_path(files)  # the order in which the workers finish
    assert all("summary" not in line for line in got)  # no summary line: one shape per line


def test_jsonl_exit_codes_are_the_other_formats(capsys: pytest.CaptureFixture[str]) -> None:
    clean = str(sample("rules/keras3/dl601_ok_with_dropout.keras"))
    for paths, exit_zero, code in (
        ([clean], False, 0),
        ([INPUTS[0]], False, 1),
        ([INPUTS[0]], True, 0),
        ([INPUTS[-1], clean], False, 2),
    ):
        for fmt in ("json", "jsonl"):
            opts = CheckOptions(paths=paths, output_format=fmt, exit_zero=exit_zero, jobs=1)
            assert run_check(opts) == code, (paths, fmt)
    capsys.readouterr()


def test_jsonl_with_output_baseline_and_internal_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    baseline = tmp_path / "baseline.json"
    assert run_check(CheckOptions(paths=INPUTS[:3], write_baseline=str(baseline))) == 0
    out = tmp_path / "out.jsonl"
    opts = CheckOptions(paths=INPUTS[:4], output_format="jsonl", output_file=str(out),
                        baseline=str(baseline), statistics=True)  # fmt: skip
    code = run_check(opts)
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["path"] for line in lines] == sorted(INPUTS[:4])
    recorded = [line for line in lines if line["path"] in INPUTS[:3]]
    assert recorded and all(line["findings"] == [] for line in recorded)  # matched: left out
    new = next(line for line in lines if line["path"] == INPUTS[3])["findings"]
    assert new and code == 1  # seed2_dir was not in the baseline
    shown = capsys.readouterr().out
    assert "DL102" in shown and "{" not in shown  # the terminal got the statistics, not JSON

    def boom(*args: Any) -> Any:
        raise Boom("deliberately broken")

    monkeypatch.setattr("droplint.analysis.run_rules", boom)
    assert run_check(CheckOptions(paths=INPUTS[:2], output_format="jsonl", jobs=1)) == 3
    captured = capsys.readouterr()
    assert all(line["error"]["code"] == INTERNAL for line in lines_of(captured.out))
    assert captured.err.count("internal error on") == 2


class Recorder(io.StringIO):
    """stdout that logs each write and flush, next to the analysis's own log."""

    def __init__(self, log: list[str]) -> None:
        super().__init__()
        self.log = log

    def write(self, text: str) -> int:
        self.log.append("write " + json.loads(text)["path"])
        return super().write(text)

    def flush(self) -> None:
        self.log.append("flush")

    def isatty(self) -> bool:
        return False


def test_jsonl_writes_each_file_before_analysing_the_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import droplint.batch

    log: list[str] = []
    real = droplint.batch.analyze_file

    def analyze_file(path: str, config: Any = None) -> Any:
        log.append("analyse " + path)
        return real(path, config)

    monkeypatch.setattr(droplint.batch, "analyze_file", analyze_file)
    monkeypatch.setattr(sys, "stdout", Recorder(log))
    paths = sorted(INPUTS[:4])
    run_check(CheckOptions(paths=paths, output_format="jsonl", jobs=1))
    assert log == [e for p in paths for e in ("analyse " + p, "write " + p, "flush")]


def chains(folder: Path, count: int) -> Path:
    """count ONNX chains of 60k nodes, about a third of a second each (benchmarks/jobs.py)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from jobs import build_chain

    pytest.importorskip("onnx")
    first = folder / "c00.onnx"
    build_chain(first, 60_000)
    for i in range(1, count):
        shutil.copyfile(first, folder / f"c{i:02}.onnx")
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_jsonl_lines_come_while_the_run_goes_on(tmp_path: Path, jobs: str) -> None:
    """The lines are readable from the pipe one by one, long before the process ends."""
    folder = chains(tmp_path, 12)
    cmd = [*droplint_command(), str(folder), "--format", "jsonl", "--jobs", jobs]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    arrived = []
    for line in proc.stdout:
        arrived.append(time.perf_counter())
        assert json.loads(line)["error"] is None
    proc.wait(timeout=60)
    ended = time.perf_counter()
    assert len(arrived) == 12
    assert ended - started > 1.5  # enough work for the test to mean something
    early = [t for t in arrived if ended - t > 0.5]
    assert len(early) >= 4, [round(ended - t, 2) for t in arrived]


def test_a_closed_pipe_stops_the_run_quietly(tmp_path: Path) -> None:
    for i in range(60):  # more lines than a pipe holds: the run cannot end before the reader
        shutil.copyfile(sample("keras3/attention.keras"), tmp_path / f"m{i:02}.keras")
    cmd = [*droplint_command(), str(tmp_path), "--format", "jsonl", "--jobs", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    json.loads(proc.stdout.readline())
    proc.stdout.close()  # `| head -1`
    assert proc.wait(timeout=60) == 141
    assert proc.stderr.read() == ""


# -- --shard ---------------------------------------------------------------------------------------


def test_shards_together_are_the_whole_run() -> None:
    args = ["samples/keras3", "samples/torch", *INPUTS, "--format", "json", "--jobs", "1"]
    whole = run(*args, cwd=ROOT)
    everything = json.loads(whole.stdout)["files"]
    parts = []
    for i in range(3):
        proc = run(*args, "--shard", f"{i}/3", cwd=ROOT)
        files = json.loads(proc.stdout)["files"]
        assert files, "a shard of this many inputs is not empty"
        assert [f["path"] for f in files] == sorted(
            (f["path"] for f in files), key=lambda p: Path(p).parts
        )  # in path order, as the whole run
        assert all(shard_of(f["path"], 3) == i for f in files)
        parts += files
    assert by_path(parts) == by_path(everything)  # each input in exactly one shard
    assert json.loads(run(*args, "--shard", "0/1", cwd=ROOT).stdout)["files"] == everything


def test_an_input_keeps_its_shard_when_others_come_and_go() -> None:
    listing = [f"s3://models/{i}/model.onnx" for i in range(200)]
    before = {p: shard_of(p, 8) for p in listing}
    grown = [*listing[:50], "s3://models/new.keras", *listing[50:]]
    assert {p: shard_of(p, 8) for p in grown if p in before} == before
    sizes = [sum(1 for s in before.values() if s == i) for i in range(8)]
    assert min(sizes) >= 10  # spread over every shard


def test_an_empty_shard_says_so(tmp_path: Path) -> None:
    shutil.copyfile(sample("keras3/attention.keras"), tmp_path / "one.keras")
    path = str(tmp_path / "one.keras")
    empty = (shard_of(path, 2) + 1) % 2
    proc = run(path, "--shard", f"{empty}/2", "--format", "jsonl")
    assert proc.returncode == 0 and proc.stdout == ""
    assert f"shard {empty}/2 holds none of the inputs (1 in all)" in proc.stderr


@pytest.mark.parametrize("value", ["4/4", "-1/4", "1/0", "0/0", "a/b", "1", "1/4/2", "", " 1/4"])
def test_a_wrong_shard_is_a_usage_error(value: str) -> None:
    from typer.testing import CliRunner

    from droplint.cli import app

    assert parse_shard(value) is None
    assert parse_fast([INPUTS[0], "--shard", value]) is None  # typer explains it
    result = CliRunner().invoke(app, ["check", INPUTS[0], "--shard", value])
    assert result.exit_code == 2 and "--shard" in result.stderr, result.output


def test_a_wrong_shard_on_the_command_line() -> None:
    proc = run(INPUTS[0], "--shard", "4/4", cwd=ROOT)
    assert proc.returncode == 2 and "'4/4' is not I/N" in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


@pytest.mark.parametrize("args", [
    [*INPUTS[:3], "--format", "jsonl"],
    ["samples/keras3", "--format=jsonl", "--jobs", "2", "--shard", "1/2"],
    ["samples/keras3", "--shard=0/3", "--format", "concise"],
])  # fmt: skip
def test_fast_path_same_as_typer(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from typer.testing import CliRunner

    from droplint.cli import app

    monkeypatch.chdir(ROOT)
    opts = parse_fast(args)
    assert opts is not None
    code = run_check(opts)
    direct = capsys.readouterr()
    result = CliRunner().invoke(app, ["check", *args])
    assert code == result.exit_code
    if "concise" in args:
        assert direct.out == result.stdout
    else:  # with --jobs 2 the lines come in the order the workers finish
        assert by_path(lines_of(direct.out)) == by_path(lines_of(result.stdout))


# -- a worker process that dies -------------------------------------------------------------------

KILLER = "killer.onnx"


def _dies_on_killer(paths: list[str]) -> list:
    """The workers' task, except that a worker given KILLER dies on the spot (as one killed for
    memory would): no exception, no result, a broken pool."""
    if any(p.endswith(KILLER) for p in paths):
        os._exit(9)
    return _REAL_ANALYZE(paths)


_REAL_ANALYZE = None


def test_a_worker_that_dies_costs_only_its_input(tmp_path: Path, monkeypatch) -> None:
    """--jobs: the inputs a dead worker left are analysed again, one at a time; the one it dies
    on is an internal error, every other input has its own report."""
    global _REAL_ANALYZE
    import droplint.batch as batch

    files = [sample("keras3/seed2.keras"), sample("onnx/torch/mlp_train_ts.onnx"),
             sample("torch/seed_train.pt2"), sample("keras3/seed1.keras")] * 4  # fmt: skip
    paths = [str(p) for p in files]
    killer = tmp_path / KILLER
    shutil.copy(sample("onnx/torch/mlp_train_ts.onnx"), killer)
    paths.insert(5, str(killer))
    _REAL_ANALYZE = batch._analyze
    monkeypatch.setattr(batch, "_analyze", _dies_on_killer)  # forked workers see the patch
    monkeypatch.setattr(
        batch, "_context", lambda paths, start=False: multiprocessing.get_context("fork")
    )
    reports = dict(batch.analyze_stream(paths, droplint.config.Config(), jobs=2, warm_up=0.0))
    assert sorted(reports) == list(range(len(paths)))
    assert reports[5].internal is not None and "WorkerDied" in reports[5].internal
    for i, path in enumerate(paths):
        if i != 5:
            assert reports[i].internal is None and reports[i].error is None, (path, reports[i])
            assert reports[i].findings, path
