"""Generated Keras 3 models for the start-up benchmark: a 1,000-layer functional model and
EfficientNetB0 (`weights=None`), saved as .keras files outside the repo.

`build(workdir)` writes them with the framework venv in a child process (the measuring process
never imports keras: Linux counts its peak RSS in every vforked child's `ru_maxrss`) and
returns what was written; files already in workdir from an earlier run are reused.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import common

MANIFEST = "keras_manifest.json"
DEEP_LAYERS = 1000
SPEC = f"deep{DEEP_LAYERS} effnetb0 v1"  # bump when the builder changes

# Runs in the framework venv: sys.argv[1] is the folder, the manifest goes to stdout.
BUILDER = """
import json, sys, time
from pathlib import Path

import keras
from keras import layers

out = Path(sys.argv[1])
n_blocks = (DEEP_LAYERS - 5) // 5
entries = []


def record(key, label, model, path, start):
    model.save(path)
    inner = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    entries.append({
        "key": key,
        "label": label,
        "path": str(path),
        "size": path.stat().st_size,
        "layers": len(inner),
        "dropouts": sum("Dropout" in type(layer).__name__ for layer in inner),
        "build_s": time.perf_counter() - start,
    })


start = time.perf_counter()
# Input, a Dense stem, residual blocks Dense(8) -> BatchNormalization -> ReLU -> Dropout, added
# back to the trunk, then ReLU -> Dropout(0.5) -> Dense(1): a branching graph, not a chain.
inp = keras.Input((32,), name="x")
x = layers.Dense(8, name="stem")(inp)
for i in range(n_blocks):
    h = layers.Dense(8, name=f"b{i}_dense")(x)
    h = layers.BatchNormalization(name=f"b{i}_bn")(h)
    h = layers.ReLU(name=f"b{i}_relu")(h)
    h = layers.Dropout((0.1, 0.2, 0.3)[i % 3], name=f"b{i}_drop")(h)
    x = layers.Add(name=f"b{i}_add")([x, h])
x = layers.ReLU(name="head_relu")(x)
x = layers.Dropout(0.5, name="head_drop")(x)
y = layers.Dense(1, name="head")(x)
deep = keras.Model(inp, y, name=f"deep{DEEP_LAYERS}")
assert len(deep.layers) == DEEP_LAYERS, len(deep.layers)
record("deep", f"{DEEP_LAYERS:,}-layer functional (generated)", deep,
       out / f"deep{DEEP_LAYERS}.keras", start)

start = time.perf_counter()
effnet = keras.applications.EfficientNetB0(weights=None)
record("effnet", "EfficientNetB0, weights=None (generated)", effnet,
       out / "efficientnetb0.keras", start)
print(json.dumps(entries))
""".replace("DEEP_LAYERS", str(DEEP_LAYERS))


@dataclass
class KerasModel:
    key: str
    label: str
    path: str
    size: int
    layers: int  # without the InputLayer, as droplint counts them
    dropouts: int  # layers whose class name contains "Dropout"
    build_s: float


def build(workdir: Path) -> list[KerasModel]:
    """Write (or reuse) the generated models in workdir."""
    manifest = workdir / MANIFEST
    if manifest.is_file():
        data = json.loads(manifest.read_text())
        if data.get("spec") == SPEC:
            models = [KerasModel(**m) for m in data["models"]]
            sizes = [Path(m.path).stat().st_size if Path(m.path).is_file() else -1 for m in models]
            if sizes == [m.size for m in models]:
                print(f"reusing the generated Keras models in {workdir}", flush=True)
                return models
    print(f"building the 1,000-layer model and EfficientNetB0 in {workdir} ...", flush=True)
    done = subprocess.run(
        [str(common.FRAMEWORK_PYTHON), "-c", BUILDER, str(workdir)],
        env=common.clean_env(quiet_tensorflow=True),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"building the Keras models failed:\n{done.stderr[-3000:]}")
    entries = json.loads(done.stdout.strip().splitlines()[-1])
    manifest.write_text(json.dumps({"spec": SPEC, "models": entries}, indent=1))
    models = [KerasModel(**m) for m in entries]
    for m in models:
        print(f"  {m.key}: {m.size / 2**20:.1f} MiB, {m.layers} layers, {m.build_s:.1f} s")
    return models


def verify(model: KerasModel, report_json: str) -> str:
    """Empty if droplint read every layer and found a site for every Dropout layer."""
    entry, problem = common.report_entry(report_json, model.layers, "in the model")
    if problem:
        return problem
    found = {s.get("layer") for s in entry.get("sites", []) if "Dropout" in str(s.get("class"))}
    if len(found) != model.dropouts:
        return f"{len(found)} Dropout layers with sites, {model.dropouts} in the model"
    return ""
