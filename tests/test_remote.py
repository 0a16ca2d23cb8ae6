"""Models behind URLs, read with ranged reads through fsspec: the same answers as the local files,
only the bytes needed fetched (counted in the report and by the server itself), and every
failure of the transport one DL001 line while the other inputs of the run go on.

Servers run on loopback: tests/remote_server.py (HTTP with Range, and paths that misbehave on
purpose) and moto's S3 server; fsspec's memory and local file systems need no server.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from conftest import SAMPLES
from remote_server import Server

from droplint.analysis import analyze_file

fsspec = pytest.importorskip("fsspec")  # the dev extra has it; an install without it skips

MODELS = {  # one of each kind of file droplint reads
    "seed2.keras": SAMPLES / "keras3/seed2.keras",
    "seed2.h5": SAMPLES / "keras3/seed2.h5",
    "seed_train.pt2": SAMPLES / "torch/seed_train.pt2",
    "mlp_train_ts.onnx": SAMPLES / "onnx/torch/mlp_train_ts.onnx",
}


def framework(name: str) -> ModuleType:
    """CI installs the frameworks extra and sets DROPLINT_REQUIRE_ORACLES: there, missing fails."""
    if os.environ.get("DROPLINT_REQUIRE_ORACLES"):
        return importlib.import_module(name)
    return pytest.importorskip(name)


def same_answer(remote: dict, local: dict) -> None:
    """Everything but the path and the fetch counts is what the local file gives."""
    strip = {"path", "remote"}
    assert {k: v for k, v in remote.items() if k not in strip} == {
        k: v for k, v in local.items() if k not in strip
    }


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Server:
    folder = tmp_path_factory.mktemp("served")
    for name, path in MODELS.items():
        (folder / name).write_bytes(path.read_bytes())
    server = Server(folder).start()
    yield server
    server.shutdown()


@pytest.mark.parametrize("name", MODELS)
def test_http_gives_the_local_answer(served: Server, name: str) -> None:
    before = served.served
    report = analyze_file(f"{served.url}/files/{name}")
    assert report.error is None and report.internal is None, report.error
    same_answer(report.to_dict(), analyze_file(MODELS[name]).to_dict())
    size = MODELS[name].stat().st_size
    assert report.size == size and 0 < report.fetched <= size
    assert served.served - before == report.fetched  # what the server sent is what is counted


@pytest.mark.parametrize("name", MODELS)
def test_memory_and_local_file_systems(name: str) -> None:
    memory = fsspec.filesystem("memory")
    memory.pipe(f"/droplint-test/{name}", MODELS[name].read_bytes())
    local = analyze_file(MODELS[name]).to_dict()
    for url in (f"memory://droplint-test/{name}", MODELS[name].resolve().as_uri()):
        same_answer(analyze_file(url).to_dict(), local)


@pytest.mark.parametrize(("url", "words"), [
    ("{url}/files/missing.onnx", "no such file or folder"),
    ("{url}/denied/seed2.keras", "access denied (HTTP 403)"),
    ("{url}/drop/seed2.keras", "the read failed"),  # the connection closes mid-body
    ("nosuchprotocol://bucket/model.onnx", "cannot read nosuchprotocol:// URLs"),
    ("http://127.0.0.1:9/model.onnx", "the read failed"),  # nothing listens on port 9
])  # fmt: skip
def test_failures_are_one_line(served: Server, url: str, words: str) -> None:
    report = analyze_file(url.format(url=served.url))
    assert report.error is not None and words in report.error, report.error
    assert "\n" not in report.error and report.internal is None


@pytest.mark.slow
def test_a_server_that_ignores_range_is_one_line(tmp_path: Path) -> None:
    """Reading past the first block of a server that answers every request with the whole file
    would mean downloading it: DL001 instead. Here a torch.export archive whose weights (4 MiB)
    lie between its start and the zip directory at its end."""
    torch = framework("torch")
    model = torch.nn.Sequential(torch.nn.Linear(1024, 1024), torch.nn.Dropout(0.1))
    program = torch.export.export(model.eval(), (torch.randn(1, 1024),))
    torch.export.save(program, str(tmp_path / "big.pt2"))
    server = Server(tmp_path).start()
    try:
        report = analyze_file(f"{server.url}/norange/big.pt2")
        whole = analyze_file(f"{server.url}/files/big.pt2")
    finally:
        server.shutdown()
    assert report.error is not None and "range" in report.error.lower(), report.error
    assert "\n" not in report.error
    assert whole.error is None and whole.fetched < whole.size / 10, (whole.fetched, whole.size)


def test_the_run_goes_on_and_reports_bytes_read(served: Server) -> None:
    cmd = [sys.executable, "-m", "droplint", f"{served.url}/files/seed2.keras",
           f"{served.url}/denied/seed2.h5", str(MODELS["mlp_train_ts.onnx"]),
           "--format", "json"]  # fmt: skip
    before = served.served
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert served.served - before == 112207  # listing the inputs fetched nothing more
    data = json.loads(proc.stdout)
    files = {f["path"]: f for f in data["files"]}
    assert data["summary"]["bytes_read"] == 112207
    ok = files[f"{served.url}/files/seed2.keras"]
    assert ok["error"] is None and len(ok["findings"]) == 3
    assert ok["remote"] == {"bytes_read": 112207, "size": 112207}  # small: read whole
    assert files[f"{served.url}/denied/seed2.h5"]["error"]["code"] == "DL001"
    assert files[str(MODELS["mlp_train_ts.onnx"])]["error"] is None
    assert "remote" not in files[str(MODELS["mlp_train_ts.onnx"])]


def big_onnx(folder: Path) -> Path:
    """64 MiB of weights before a Dropout(0.3) that drops at inference (onnx.helper)."""
    onnx = framework("onnx")
    from onnx import TensorProto, helper

    weight = helper.make_tensor("w", TensorProto.FLOAT, [4096, 4096], b"\0" * (4096 * 4096 * 4),
                                raw=True)  # fmt: skip
    nodes = [helper.make_node("MatMul", ["x", "w"], ["h"]),
             helper.make_node("Dropout", ["h", "ratio", "train"], ["y"])]  # fmt: skip
    graph = helper.make_graph(
        nodes, "big", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4096])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4096])],
        [weight, helper.make_tensor("ratio", TensorProto.FLOAT, [], [0.3]),
         helper.make_tensor("train", TensorProto.BOOL, [], [True])],
    )  # fmt: skip
    path = folder / "big.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return path


@pytest.mark.slow
def test_a_large_onnx_costs_its_structure_not_its_weights(tmp_path: Path) -> None:
    """Over HTTP: a few blocks are fetched (at most 1 % of the file), never the weights."""
    big_onnx(tmp_path)
    server = Server(tmp_path).start()
    try:
        report = analyze_file(f"{server.url}/files/big.onnx")
    finally:
        server.shutdown()
    assert report.error is None and [s.rate for s in report.sites] == [0.3]
    assert report.fetched <= report.size / 100, (report.fetched, report.size)


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory):
    """moto's S3 server on loopback, a bucket `models` with the samples under team/."""
    moto_server = framework("moto.server")
    framework("s3fs")
    boto3 = framework("boto3")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_ENDPOINT_URL": f"http://{host}:{port}"}  # fmt: skip
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    client = boto3.client("s3")
    client.create_bucket(Bucket="models")
    for name, path in MODELS.items():
        client.upload_file(str(path), "models", f"team/{name}")
    yield env
    server.stop()
    for k, v in saved.items():
        os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)


@pytest.mark.slow
def test_s3_folder_is_searched_and_linted(s3: dict) -> None:
    cmd = [sys.executable, "-m", "droplint", "s3://models/team/", "s3://models/none/x.onnx",
           "--format", "json"]  # fmt: skip
    env = {**os.environ, **s3}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    files = {f["path"]: f for f in json.loads(proc.stdout)["files"]}
    assert set(files) == {f"s3://models/team/{n}" for n in MODELS} | {"s3://models/none/x.onnx"}
    for name, path in MODELS.items():
        same_answer(files[f"s3://models/team/{name}"], analyze_file(path).to_dict())
    assert "no such file" in files["s3://models/none/x.onnx"]["error"]["message"]
    assert "testing" not in proc.stdout + proc.stderr  # credentials are never printed


def test_a_missing_protocol_package_names_the_extra() -> None:
    """gs:// without gcsfs (not among the test dependencies): install droplint[gcs]."""
    try:
        import gcsfs  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("gcsfs is installed here")
    report = analyze_file("gs://bucket/model.onnx")
    assert report.error is not None and "pip install 'droplint[gcs]'" in report.error


@pytest.mark.parametrize("url", ["http://", "http://[::1/model.onnx", "s3://", "zip://x.onnx",
                                 "file:///nonexistent/model.onnx"])  # fmt: skip
def test_bad_urls_are_one_line(url: str) -> None:
    report = analyze_file(url)
    assert report.error is not None and "\n" not in report.error, report.error
    assert report.internal is None, report.internal


def wide_keras(folder: Path) -> list[Path]:
    """A Keras 3 model with 64 MiB of weights, saved as .keras and .h5."""
    keras = framework("keras")
    model = keras.Sequential([keras.Input((4096,)), keras.layers.Dense(4096, name="wide"),
                              keras.layers.Dropout(0.3, name="drop"),
                              keras.layers.Dense(2, name="out")])  # fmt: skip
    paths = [folder / "wide.keras", folder / "wide.h5"]
    for path in paths:
        model.save(path)
    return paths


@pytest.mark.slow
def test_large_keras_files_cost_their_config(tmp_path: Path) -> None:
    """Over HTTP: under 5 MB fetched of 64 MiB, and the answer of the local file."""
    paths = wide_keras(tmp_path)
    server = Server(tmp_path).start()
    try:
        for path in paths:
            report = analyze_file(f"{server.url}/files/{path.name}")
            assert report.error is None and report.fetched < 5_000_000, (path, report.fetched)
            same_answer(report.to_dict(), analyze_file(path).to_dict())
    finally:
        server.shutdown()


def test_a_remote_folder_is_searched_like_a_local_one() -> None:
    """A store's prefix holding a .keras file, an unzipped .keras folder and a SavedModel: the
    file and the two model folders, not the files inside the folders; a glob matches names."""
    from droplint.config import Config
    from droplint.inputs import collect

    memory = fsspec.filesystem("memory")
    for top in ("keras3/seed2_dir", "tfkeras/seed2_savedmodel"):
        for path in (SAMPLES / top).rglob("*"):
            if path.is_file():
                memory.pipe(f"/tree/{path.relative_to(SAMPLES)}", path.read_bytes())
    memory.pipe("/tree/keras3/seed2.keras", MODELS["seed2.keras"].read_bytes())
    found, empty = collect(["memory://tree/"], Config())
    assert found == ["memory:///tree/keras3/seed2.keras", "memory:///tree/keras3/seed2_dir",
                     "memory:///tree/tfkeras/seed2_savedmodel"] and not empty  # fmt: skip
    assert collect(["memory://tree/*/*.keras"], Config())[0] == [
        "memory:///tree/keras3/seed2.keras"
    ]
    local = analyze_file(SAMPLES / "tfkeras/seed2_savedmodel").to_dict()
    same_answer(analyze_file("memory:///tree/tfkeras/seed2_savedmodel").to_dict(), local)


@pytest.mark.slow
def test_s3_reads_ranges_too(s3: dict, tmp_path: Path) -> None:
    """The 64 MiB ONNX model through S3: at most 1 % of it fetched; the 64 MiB Keras files:
    under 5 MB."""
    client = framework("boto3").client("s3")
    client.upload_file(str(big_onnx(tmp_path)), "models", "big/big.onnx")
    report = analyze_file("s3://models/big/big.onnx")
    assert report.error is None and [s.rate for s in report.sites] == [0.3]
    assert report.fetched <= report.size / 100, (report.fetched, report.size)
    for path in wide_keras(tmp_path):
        client.upload_file(str(path), "models", f"big/{path.name}")
        report = analyze_file(f"s3://models/big/{path.name}")
        assert report.error is None and report.fetched < 5_000_000, (path, report.fetched)
        same_answer(report.to_dict(), analyze_file(path).to_dict())


def test_a_web_url_with_a_query_is_one_file(served: Server) -> None:
    """A pre-signed link's `?X-Amz-...`: a query, not a glob."""
    from droplint.config import Config
    from droplint.inputs import collect

    url = f"{served.url}/files/seed_train.pt2?X-Amz-Signature=abc&X-Amz-Expires=60"
    assert collect([url], Config())[0] == [url]
    report = analyze_file(url)
    assert report.error is None and len(report.sites) == 2
