"""What droplint says about each dropout site of a torch.export archive, measured by running the
program torch loads from it (torch.export.load(...).module()) under an FX interpreter that
records the site op's output and the values it read, over many runs on one input:

- the fraction of values a site zeroes (or, for alpha dropout, sets to its fill value) is its
  rate; the mask is constant over exactly the axes droplint gives as shared;
- a site droplint calls active drops in these runs, one it calls inactive never does;
- attention dropout drops rows of probabilities (each row of what it reads sums to 1);
- a decomposed stacked LSTM (DL507) really drops nothing, where the same module exported
  before decomposition does.
"""

from __future__ import annotations

import json
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
from frameworks import framework

from droplint.analysis import analyze_file

TORCH = Path(__file__).resolve().parents[2] / "samples" / "torch"
MEASURED = json.loads((TORCH / "measurements.json").read_text(encoding="utf-8"))["files"]
ARCHIVES = sorted(k for k in MEASURED if k.endswith(".pt2"))
RUNS = 300


def example(entry: dict):
    torch = framework("torch")
    gen = torch.Generator().manual_seed(0)
    shape, dtype = entry["input"]["shape"], entry["input"]["dtype"]
    if dtype.startswith("int"):
        return torch.randint(0, 20, shape, generator=gen)
    return torch.randn(shape, generator=gen).abs() + 0.1  # no zeros in the data itself


def draw(node, depth: int = 8):
    """The op that draws a decomposed dropout's mask: a bernoulli (or the rand of a
    floor(keep + rand)) among the inputs of the multiplication (or alpha fill) that applies
    it; else the node itself."""
    todo, seen = [node], set()
    while todo and depth:
        depth -= 1
        nxt = []
        for n in todo:
            if any(op in str(n.target) for op in ("bernoulli", "aten.rand.", "aten.rand_like")):
                return n
            nxt.extend(a for a in n.all_input_nodes if a not in seen)
            seen.update(n.all_input_nodes)
        todo = nxt
    return node


def recorded(path: Path, names: set[str], x, runs: int = RUNS) -> dict[str, list[tuple]]:
    """name -> [(output, first tensor input, same)] per run, for the FX nodes named; `same`: the
    op that draws the mask (the node itself, or a decomposed dropout's bernoulli), run a second
    time on the same inputs, gave the same output (a random op does not, whatever the ops
    before it drew)."""
    torch = framework("torch")
    warnings.filterwarnings("ignore")
    module = torch.export.load(str(path)).module()
    seen: dict[str, list[tuple]] = {n: [] for n in names}
    nodes = {n.name: n for n in module.graph.nodes}
    drawer = {draw(nodes[n]).name: n for n in names}
    drawn: dict[str, bool] = {}

    def array(value):
        value = value[0] if isinstance(value, tuple) else value
        return value.detach().numpy().copy()

    class Recorder(torch.fx.Interpreter):
        def run_node(self, n):
            if n.name not in drawer and n.name not in names:
                return super().run_node(n)
            # Inputs as they were: an in-place op (dropout_) overwrites what it reads.
            inputs = {a: self.env[a] for a in n.all_input_nodes}
            before = {a: v.clone() if isinstance(v, torch.Tensor) else v
                      for a, v in inputs.items()}  # fmt: skip
            out = super().run_node(n)
            kept = array(out)
            if n.name in drawer:
                self.env.update({a: v.clone() if isinstance(v, torch.Tensor) else v
                                 for a, v in before.items()})  # fmt: skip
                drawn[drawer[n.name]] = np.array_equal(kept, array(super().run_node(n)))
                self.env.update(inputs)
            if n.name in names:
                first = next((before[a] for a in n.args if isinstance(a, torch.fx.Node)), None)
                seen[n.name].append((kept, None if first is None else array(first),
                                     drawn[n.name]))  # fmt: skip
            return out

    with torch.no_grad():
        for _ in range(runs):
            Recorder(module).run(x)
    return seen


def top_level(path: Path, report) -> list[tuple]:
    """(site, node) for the sites an FX interpreter of the loaded program meets: those of the
    program torch.export.load loads ("model", in a package of several), not in the graphs a
    higher-order op calls (a cond branch, a no_grad block), which the measured randomness of
    the whole program covers (tests/test_torch.py)."""
    with zipfile.ZipFile(path) as zf:
        programs = [n for n in zf.namelist() if "/models/" in n and n.endswith(".json")]
    prefix = "model/" if len(programs) > 1 else ""
    found = []
    for s in report.sites:
        node = report.graph.node(s.node)
        inner = s.node[len(prefix) :] if s.node.startswith(prefix) else None
        if inner is not None and "called_by" not in node.attrs and "/" not in inner:
            found.append((s, node))
    return found


@pytest.mark.parametrize("name", ARCHIVES)
def test_each_site_drops_what_droplint_says(name: str) -> None:
    report = analyze_file(TORCH / name)
    assert report.error is None and report.graph is not None
    sites = top_level(TORCH / name, report)
    if not sites:
        pytest.skip("no dropout site in the top-level graph")
    names = {node.attrs["fx"] for _, node in sites}
    runs = recorded(TORCH / name, names, example(MEASURED[name]))
    for site, node in sites:
        record = runs[node.attrs["fx"]]
        out = np.stack([o for o, _, _ in record])
        data = np.stack([d for _, d, _ in record])
        random = not all(same for _, _, same in record)
        draws = site.rate is None or 0 < site.rate < 1
        assert random is (site.active == "always" and draws), (site.layer, site.active)
        if site.active == "always" and site.rate == 0:
            assert np.array_equal(out, data), site.layer  # p=0: the identity
        if site.active == "always" and site.rate == 1:
            assert not out.any(), site.layer  # p=1: all zeros
        if not random or site.where == "internal" or site.param == "dropout_p":
            continue  # an RNN's or an attention op's masks stay inside it: measured as random
        check_mask(site, out, data, site.rate)
        if site.where == "attention":
            assert np.allclose(data[0].sum(axis=-1), 1.0, atol=1e-5), site.layer


def check_mask(site, out: np.ndarray, data: np.ndarray, rate: float) -> None:
    """Which values were dropped, per position over the runs. Where the site reads the same
    values every run, a position's kept value is the same every run: the value it takes in most
    runs is the kept one (rate < 0.5), the other the dropped one - zero, or alpha dropout's fill
    value; positions whose value never changes (kept and dropped look alike) are left out.
    Where what a (non-alpha) site reads changes from run to run (a dropout after another one),
    a dropped value is a zero where the input was not."""
    if site.noise != "alpha" and data.shape == out.shape and not np.all(data == data[:1]):
        dropped, valid = (out == 0) & (data != 0), data != 0
    else:
        same = out == out[:1]
        share = same.mean(axis=0)
        dropped = np.where(share >= 0.5, ~same, same)
        valid = np.broadcast_to((share > 0) & (share < 1), out.shape)
        if site.noise != "alpha":
            dropped &= out == 0
    shared = tuple(a + 1 for a in site.shared_axes or [])  # axis 0 counts the runs
    per_mask = dropped.any(axis=shared) if shared else dropped
    counted = valid.any(axis=shared) if shared else valid
    n = int(counted.sum())
    tolerance = 5 * (rate * (1 - rate) / n) ** 0.5 + 0.005
    assert per_mask[counted].mean() == pytest.approx(rate, abs=tolerance), site.layer
    for axis in range(1, dropped.ndim):
        constant = bool(np.all((dropped == dropped.any(axis=axis, keepdims=True)) | ~valid))
        if dropped.shape[axis] > 1:
            assert constant is (axis in shared), (site.layer, axis - 1)


def test_a_decomposed_stacked_lstm_drops_nothing() -> None:
    """DL507's claim: the same LSTM(num_layers=2, dropout=0.3) draws masks before
    run_decompositions() and none after."""
    x = example(MEASURED["lstm_stack_train.pt2"])
    torch = framework("torch")
    warnings.filterwarnings("ignore")
    outputs = {}
    for mode in ("train", "decomposed"):
        module = torch.export.load(str(TORCH / f"lstm_stack_{mode}.pt2")).module()
        with torch.no_grad():
            runs = [module(x).numpy() for _ in range(20)]
        outputs[mode] = any(not np.array_equal(runs[0], r) for r in runs[1:])
    assert outputs == {"train": True, "decomposed": False}
    codes = {f.code for f in analyze_file(TORCH / "lstm_stack_decomposed.pt2").findings}
    assert "DL507" in codes


def test_the_readme_export_recipe_gives_an_archive_droplint_reads(tmp_path, monkeypatch) -> None:
    """The README's three lines, run as written on a small model with a dropout."""
    torch = framework("torch")
    readme = (TORCH.parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### PyTorch (torch.export)", 1)[1]
    recipe = section.split("```python\n", 1)[1].split("```", 1)[0]
    model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.Dropout(0.3), torch.nn.Linear(4, 1))
    monkeypatch.chdir(tmp_path)
    exec(recipe, {"model": model, "example_input": torch.randn(2, 4)})
    report = analyze_file(tmp_path / "model.pt2")
    assert report.error is None
    assert [(s.layer, s.rate, s.active) for s in report.sites] == [("1", 0.3, "never")]
