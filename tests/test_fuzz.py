"""Property-based fuzzing: mutated configs and mutated file bytes are either analysed or give
DL001 - droplint never raises, and never fails internally (an internal error is a droplint bug).

CI runs a bounded number of examples. A long campaign:
    HYPOTHESIS_PROFILE=long python -m pytest tests/test_fuzz.py
"""

from __future__ import annotations

import copy
import json
import zipfile
from pathlib import Path
from typing import Any

from conftest import SAMPLES, rendered
from hypothesis import given
from hypothesis import strategies as st

from droplint.analysis import FileReport, analyze_file, analyze_saved
from droplint.formats import read_model
from droplint.read import SavedModel

CONFIG_SOURCES = [
    "keras3/seed2.keras", "keras3/nested.keras", "keras3/rnn_zoo.keras", "keras3/attention.keras",
    "keras3/output_family.keras", "tfkeras/seed2.h5", "tfkeras/nested.h5", "tfkeras/rnn_zoo.h5",
    "tfkeras/mc_attention.h5",
]  # fmt: skip
BYTE_SOURCES = [
    "keras3/seed2.keras", "keras3/attention.keras", "onnx/torch/lstm_train_dynamo.onnx",
    "onnx/torch/mha_train_ts.onnx", "onnx/helper/dropout_in_loop.onnx",
    "onnx/helper/dropout_in_function.onnx", "tfkeras/seed2_savedmodel/keras_metadata.pb",
]  # fmt: skip
SAVED = {rel: read_model(SAMPLES / rel) for rel in CONFIG_SOURCES}

markup = st.sampled_from(["[/]", "[bold]", "[/b]x", "%0A::", "\x1b[31m", "a\nb"])  # for reports
scalars = (
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats() | st.text(max_size=5) | markup
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)


def containers(obj: Any) -> list[Any]:
    """Every dict and list inside obj, obj included."""
    found, todo = [], [obj]
    while todo:
        item = todo.pop()
        if isinstance(item, (dict, list)):
            found.append(item)
            todo.extend(item.values() if isinstance(item, dict) else item)
    return found


@st.composite
def mutated_configs(draw: st.DrawFn) -> SavedModel:
    saved = SAVED[draw(st.sampled_from(CONFIG_SOURCES))]
    config = copy.deepcopy(saved.config)
    names = [n for c in containers(config) if isinstance(c, dict) for n in [c.get("name")] if n]
    for _ in range(draw(st.integers(1, 4))):
        target = draw(st.sampled_from(containers(config)))
        if not target:
            continue
        key = draw(st.sampled_from(list(target.keys()) if isinstance(target, dict)
                                   else list(range(len(target)))))  # fmt: skip
        action = draw(st.sampled_from(["drop", "retype", "rewire"]))
        if action == "drop":
            del target[key]
        elif action == "retype":
            target[key] = draw(json_values)
        elif isinstance(target[key], str) and names:
            target[key] = draw(st.sampled_from([*names, "ghost"]))  # rewire a reference
        elif isinstance(target[key], int):
            target[key] = draw(st.integers(-1, 3))
    named = [c for c in containers(config) if isinstance(c, dict) and "name" in c]
    if named and draw(st.booleans()):  # a name that looks like markup or a workflow command
        draw(st.sampled_from(named))["name"] = draw(markup)
    version = draw(st.sampled_from([saved.version, "2.3.1", "3.4.1", "1.2.2", None]))
    return SavedModel(saved.path, saved.format, saved.producer, version, config)


def render_every_format(report: FileReport) -> None:
    """Every output format prints any report: names from the file are data, never markup."""
    from droplint.report import RENDERERS

    for name in RENDERERS:
        rendered(name, [report], width=80)


@given(mutated_configs())
def test_mutated_configs_never_raise(saved: SavedModel) -> None:
    report = analyze_saved(saved)
    assert report.internal is None, report.trace
    assert report.error is None or report.error.strip()
    json.dumps(report.to_dict())  # the report always serialises
    render_every_format(report)


@st.composite
def mutated_bytes(draw: st.DrawFn) -> tuple[str, bytes]:
    rel = draw(st.sampled_from(BYTE_SOURCES))
    data = bytearray((SAMPLES / rel).read_bytes())
    for _ in range(draw(st.integers(0, 8))):
        if data:
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return rel, bytes(data)


@given(mutated_bytes())
def test_mutated_bytes_never_raise(tmp_path_factory, case: tuple[str, bytes]) -> None:
    rel, data = case
    folder = tmp_path_factory.mktemp("fuzz")
    if rel.endswith(".pb"):  # a SavedModel folder around the mutated metadata
        (folder / "keras_metadata.pb").write_bytes(data)
        target = folder
    else:
        target = folder / Path(rel).name
        target.write_bytes(data)
    report = analyze_file(target)
    assert report.internal is None, report.trace
    assert report.error is None or report.error.strip()
    json.dumps(report.to_dict())


def test_a_zip_with_a_mutated_config_member(tmp_path: Path) -> None:
    """Sanity check of the harness: a real mutation reaches the reader and yields DL001."""
    path = tmp_path / "m.keras"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("config.json", '{"class_name": "Functional", "config": {"layers": 3}}')
    assert analyze_file(path).error
