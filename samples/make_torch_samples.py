"""Build the PyTorch sample files: torch.export archives (.pt2) and, for contrast, files that are
not (a torch.save pickle archive, a TorchScript file, a legacy pickle).

Run from the repository root with torch 2.13.0 (CPU):

    python samples/make_torch_samples.py

Each model is small and seeded (torch.manual_seed(0)). For each archive the script records in
samples/torch/measurements.json what the maker knows and what running the loaded program shows:
the export's mode (train / eval / decomposed), the node count, and whether 20 runs of
`torch.export.load(path).module()` on the same input give different outputs. The folder is emptied
and rewritten on every run.
"""

from __future__ import annotations

import json
import shutil
import warnings
import zipfile
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

HERE = Path(__file__).resolve().parent
OUT = HERE / "torch"
RUNS = 20
MAX_BYTES = (
    256 * 1024
)  # a decomposed LSTM unrolls into hundreds of nodes, each with its stack trace


class MLP(nn.Module):
    def __init__(self, p: float = 0.3) -> None:
        super().__init__()
        self.fc1, self.drop, self.fc2 = nn.Linear(8, 16), nn.Dropout(p), nn.Linear(16, 2)

    def forward(self, x):
        return self.fc2(self.drop(torch.relu(self.fc1(x))))


class Seed(nn.Module):
    """The seed question in PyTorch: Dropout(0.25) after an Embedding, then a 2-layer LSTM with
    dropout=0.5 (which drops between its layers, never its input)."""

    def __init__(self, layers: int = 2, dropout: float = 0.5) -> None:
        super().__init__()
        self.emb, self.drop = nn.Embedding(20, 4), nn.Dropout(0.25)
        self.lstm = nn.LSTM(4, 4, num_layers=layers, dropout=dropout, batch_first=True)
        self.head = nn.Linear(4, 1)

    def forward(self, x):
        h, _ = self.lstm(self.drop(self.emb(x)))
        return self.head(h[:, -1])


class GRUStack(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.gru = nn.GRU(8, 4, num_layers=3, dropout=0.3, batch_first=True)

    def forward(self, x):
        return self.gru(x)[0]


class OneLayerLSTM(nn.Module):
    """nn.LSTM(num_layers=1, dropout=0.5): PyTorch warns once, then drops nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(8, 4, num_layers=1, dropout=0.5, batch_first=True)

    def forward(self, x):
        return self.lstm(x)[0]


class LSTMStack(nn.Module):
    """nn.LSTM(num_layers=2, dropout=0.3) alone: its dropout between layers is all it drops."""

    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(8, 4, num_layers=2, dropout=0.3, batch_first=True)

    def forward(self, x):
        return self.lstm(x)[0]


class Conv(nn.Module):
    def __init__(self, make, dims: int = 2, p: float = 0.3) -> None:
        super().__init__()
        conv = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}[dims]
        self.conv1, self.drop, self.conv2 = conv(3, 8, 1), make(p), conv(8, 4, 1)

    def forward(self, x):
        return self.conv2(self.drop(torch.relu(self.conv1(x))))


class Alpha(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1, self.drop, self.fc2 = nn.Linear(8, 16), nn.AlphaDropout(0.3), nn.Linear(16, 2)

    def forward(self, x):
        return self.fc2(self.drop(torch.selu(self.fc1(x))))


class MHA(nn.Module):
    def __init__(self, need_weights: bool) -> None:
        super().__init__()
        self.attn = nn.MultiheadAttention(16, 2, dropout=0.1, batch_first=True)
        self.need_weights, self.out = need_weights, nn.Linear(16, 4)

    def forward(self, x):
        y, _ = self.attn(x, x, x, need_weights=self.need_weights)
        return self.out(y)


class SDPA(nn.Module):
    """Attention with its own dropout, gated on self.training or not."""

    def __init__(self, gated: bool) -> None:
        super().__init__()
        self.qkv, self.proj, self.p, self.gated = nn.Linear(16, 48), nn.Linear(16, 16), 0.2, gated
        self.drop = nn.Dropout(0.1)  # on the projection: gated by the module's mode

    def forward(self, x):
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        p = self.p if (self.training or not self.gated) else 0.0
        return self.drop(self.proj(F.scaled_dot_product_attention(q, k, v, dropout_p=p)))


class MCDropout(nn.Module):
    """Monte-Carlo dropout on purpose: F.dropout with training=True, whatever the mode."""

    def __init__(self) -> None:
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(8, 16), nn.Linear(16, 2)

    def forward(self, x):
        return self.fc2(F.dropout(torch.relu(self.fc1(x)), 0.2, training=True))


class OutputDropout(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc, self.drop = nn.Linear(8, 3), nn.Dropout(0.2)

    def forward(self, x):
        return self.drop(torch.softmax(self.fc(x), dim=-1))


class DropoutBeforeBN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1, self.drop, self.bn, self.fc2 = (nn.Linear(8, 16), nn.Dropout(0.2),
                                                  nn.BatchNorm1d(16), nn.Linear(16, 2))  # fmt: skip

    def forward(self, x):
        return self.fc2(self.bn(self.drop(torch.relu(self.fc1(x)))))


class Stacked(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(8, 16), nn.Linear(16, 2)
        self.drop1, self.drop2 = nn.Dropout(0.2), nn.Dropout(0.3)

    def forward(self, x):
        return self.fc2(self.drop2(torch.relu(self.drop1(self.fc1(x)))))


class InPlace(nn.Module):
    """Dropout(0.3, inplace=True) and F.dropout(..., inplace=True): aten.dropout_."""

    def __init__(self) -> None:
        super().__init__()
        self.fc1, self.drop = nn.Linear(8, 16), nn.Dropout(0.3, inplace=True)
        self.fc2, self.fc3 = nn.Linear(16, 16), nn.Linear(16, 2)

    def forward(self, x):
        h = self.fc2(self.drop(torch.relu(self.fc1(x))))
        return self.fc3(F.dropout(torch.relu(h), 0.2, self.training, inplace=True))


class Branches(nn.Module):
    """torch.cond: Dropout(0.3) in one branch, F.dropout(0.6, training=True) in the other."""

    def __init__(self) -> None:
        super().__init__()
        self.fc, self.drop, self.out = nn.Linear(8, 16), nn.Dropout(0.3), nn.Linear(16, 2)

    def forward(self, x):
        def then(h):
            return self.drop(torch.relu(h))

        def otherwise(h):
            return F.dropout(torch.tanh(h), 0.6, training=True)

        h = self.fc(x)
        return self.out(torch.cond(h.sum() > 0, then, otherwise, (h,)))


class NoGradBlock(nn.Module):
    """A Dropout(0.3) inside `with torch.no_grad():` (a wrap_with_set_grad_enabled graph)."""

    def __init__(self) -> None:
        super().__init__()
        self.fc1, self.drop, self.fc2 = nn.Linear(8, 16), nn.Dropout(0.3), nn.Linear(16, 2)

    def forward(self, x):
        h = torch.relu(self.fc1(x))
        with torch.no_grad():
            h = self.drop(h * 2)
        return self.fc2(h)


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc, self.drop = nn.Linear(16, 16), nn.Dropout(0.2)

    @torch.compiler.nested_compile_region
    def forward(self, x):
        return x + self.drop(F.gelu(self.fc(x)))


class Region(nn.Module):
    """Three blocks compiled as one region: strict export calls one graph (invoke_subgraph)
    for blocks 1 and 2, traced from block 1."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks, self.head = nn.ModuleList([Block() for _ in range(3)]), nn.Linear(16, 2)

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return self.head(x)


class HandRolled(nn.Module):
    """Masks written by hand: bernoulli(full_like(h, 0.7)) (dropout 0.3), and rand_like > 0.2."""

    def __init__(self) -> None:
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(8, 16), nn.Linear(16, 16), nn.Linear(16, 2)

    def forward(self, x):
        h = torch.relu(self.fc1(x))
        h = h * torch.bernoulli(torch.full_like(h, 0.7)) / 0.7
        h = torch.relu(self.fc2(h))
        return self.fc3(h * (torch.rand_like(h) > 0.2).to(h.dtype) / 0.8)


class FixedRates(nn.Module):
    """Dropout(0.0) keeps everything and Dropout(1.0) zeroes everything: not random."""

    def __init__(self) -> None:
        super().__init__()
        self.fc1, self.keep, self.fc2 = nn.Linear(8, 16), nn.Dropout(0.0), nn.Linear(16, 2)
        self.zero = nn.Dropout(1.0)

    def forward(self, x):
        return self.zero(self.fc2(self.keep(torch.relu(self.fc1(x)))))


@torch.library.custom_op("droplint_samples::noisy", mutates_args=())
def noisy(x: torch.Tensor, p: float) -> torch.Tensor:
    """A custom operator that drops with probability p: its code is not in the archive."""
    return F.dropout(x, p, training=True)


@noisy.register_fake
def _(x: torch.Tensor, p: float) -> torch.Tensor:
    return torch.empty_like(x)


class CustomNoise(nn.Module):
    """Linear -> droplint_samples::noisy(p=0.3) -> Linear: dropout inside a custom op."""

    def __init__(self) -> None:
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(8, 16), nn.Linear(16, 2)

    def forward(self, x):
        return self.fc2(noisy(self.fc1(x), 0.3))


class CastAttention(nn.Module):
    """Attention probabilities cast between the softmax and the dropout, as transformers' T5
    (softmax of float scores, type_as) and LLaMA eager attention (softmax in float32, .to)
    write it: dropout 0.1 on the probabilities, then the product with the values."""

    def __init__(self, dim: int = 16) -> None:
        super().__init__()
        self.qkv, self.out = nn.Linear(dim, 3 * dim), nn.Linear(dim, dim)

    def forward(self, x):
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        scores = q @ k.transpose(-1, -2)
        probs = torch.softmax(scores.float(), dim=-1).type_as(scores)
        probs = F.dropout(probs, p=0.1, training=self.training)
        return self.out(probs @ v)


def drop_path(x: torch.Tensor, drop_prob: float, training: bool) -> torch.Tensor:
    """timm's drop_path: one keep-or-drop draw per sample, written in place."""
    if drop_prob == 0.0 or not training:
        return x
    keep_prob = 1 - drop_prob
    shape = (x.shape[0],) + (1,) * (x.ndim - 1)
    random_tensor = x.new_empty(shape).bernoulli_(keep_prob)
    random_tensor.div_(keep_prob)
    return x * random_tensor


class DropPathBlock(nn.Module):
    """A residual block whose branch goes through timm's drop_path(0.2) (stochastic depth)."""

    def __init__(self) -> None:
        super().__init__()
        self.fc, self.branch, self.head = nn.Linear(8, 8), nn.Linear(8, 8), nn.Linear(8, 2)

    def forward(self, x):
        h = self.fc(x)
        return self.head(h + drop_path(self.branch(h), 0.2, self.training))


class HFDropPathBlock(nn.Module):
    """A residual block whose branch goes through transformers' drop_path(0.25) (ConvNext,
    Swin, BEiT): floor(keep + rand) per sample, the branch divided by keep."""

    def __init__(self) -> None:
        super().__init__()
        self.fc, self.branch, self.head = nn.Linear(8, 8), nn.Linear(8, 8), nn.Linear(8, 2)

    def forward(self, x):
        h = self.fc(x)
        b = self.branch(h)
        if self.training:
            keep = 0.75
            shape = (b.shape[0],) + (1,) * (b.ndim - 1)
            r = keep + torch.rand(shape, dtype=b.dtype, device=b.device)
            r.floor_()
            b = b.div(keep) * r
        return self.head(h + b)


def _encoder() -> nn.Module:
    layer = nn.TransformerEncoderLayer(16, 2, 32, dropout=0.1, batch_first=True)
    return nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)


torch.manual_seed(0)  # the example inputs, the same on every run (a cond's branch depends on them)
X8, X_SEQ, X_IDS = torch.randn(4, 8), torch.randn(2, 5, 16), torch.randint(0, 20, (2, 3))
CASES = {
    # name: (module factory, example input, modes to export)
    "mlp": (MLP, X8, ("train", "eval", "decomposed")),
    "seed": (Seed, X_IDS, ("train", "eval", "decomposed")),
    "lstm_one_layer": (lambda: Seed(layers=1), X_IDS, ("train",)),
    "gru_stack": (GRUStack, torch.randn(2, 3, 8), ("train",)),
    "lstm_alone": (OneLayerLSTM, torch.randn(2, 3, 8), ("train",)),
    "lstm_stack": (LSTMStack, torch.randn(2, 3, 8), ("train", "decomposed")),
    "dropout1d": (lambda: Conv(nn.Dropout1d, 1), torch.randn(2, 3, 6), ("train", "decomposed")),
    "dropout2d": (lambda: Conv(nn.Dropout2d, 2), torch.randn(2, 3, 6, 6),
                  ("train", "eval", "decomposed")),
    "dropout3d": (lambda: Conv(nn.Dropout3d, 3), torch.randn(2, 3, 4, 4, 4), ("train",)),
    "feature_alpha": (lambda: Conv(nn.FeatureAlphaDropout, 2), torch.randn(2, 3, 6, 6),
                      ("train", "decomposed")),
    "alpha": (Alpha, X8, ("train", "eval", "decomposed")),
    "mha_weights": (lambda: MHA(True), X_SEQ, ("train", "eval", "decomposed")),
    "mha_fast": (lambda: MHA(False), X_SEQ, ("train",)),
    "sdpa_ungated": (lambda: SDPA(gated=False), X_SEQ, ("eval",)),
    "sdpa_gated": (lambda: SDPA(gated=True), X_SEQ, ("train", "eval", "decomposed")),
    "mc_dropout": (MCDropout, X8, ("eval",)),
    "output_dropout": (OutputDropout, X8, ("train",)),
    "dropout_before_bn": (DropoutBeforeBN, X8, ("train",)),
    "stacked": (Stacked, X8, ("train",)),
    "encoder": (_encoder, X_SEQ, ("train", "eval")),
    "inplace": (InPlace, X8, ("train",)),
    "cond": (Branches, X8, ("train", "eval")),
    "no_grad": (NoGradBlock, X8, ("train",)),
    "region": (Region, torch.randn(4, 16), ("train",), {"strict": True}),
    "hand_rolled": (HandRolled, X8, ("train",)),
    "fixed_rates": (FixedRates, X8, ("train",)),
    "custom_op": (CustomNoise, X8, ("train",)),
    "cast_attention": (CastAttention, X_SEQ, ("train",)),
    "drop_path": (DropPathBlock, X8, ("train", "eval")),
    "hf_drop_path": (HFDropPathBlock, X8, ("train",)),
}  # fmt: skip


def program_of(make, x, mode: str, options: dict | None = None):
    """(the module's class name, its exported program) in mode train, eval or decomposed."""
    torch.manual_seed(0)
    module = make()
    module.train(mode != "eval")
    program = torch.export.export(module, (x,), **(options or {}))
    program = program.run_decompositions() if mode == "decomposed" else program
    return type(module).__name__, program


def export(name: str, make, x, mode: str, options: dict | None = None) -> dict:
    cls, program = program_of(make, x, mode, options)
    path = OUT / f"{name}_{mode}.pt2"
    torch.export.save(program, str(path))
    assert path.stat().st_size <= MAX_BYTES, (path, path.stat().st_size)
    example = {"shape": list(x.shape), "dtype": str(x.dtype).removeprefix("torch.")}
    how = f"torch.export.export({cls} in {mode}{', strict' if options else ''})"
    return {"how": how, "mode": mode,
            "nodes": len(program.graph.nodes), "random": random_outputs(path, x),
            "bytes": path.stat().st_size, "input": example}  # fmt: skip


def random_outputs(path: Path, x) -> bool:
    """Whether the loaded program gives different outputs over RUNS runs on one input."""
    module = torch.export.load(str(path)).module()
    first = module(x)
    first = first[0] if isinstance(first, tuple) else first
    for _ in range(RUNS - 1):
        again = module(x)
        again = again[0] if isinstance(again, tuple) else again
        if not torch.equal(first, again):
            return True
    return False


def other_layouts() -> dict:
    """Export archives as other writers lay them out: several programs in one package
    (torch.export.pt2_archive's package_pt2), and torch <= 2.7's flat zip, which this torch
    no longer writes: its members as torch 2.7's torch.export.save named them, holding what
    torch's own serializer (torch._export.serde.serialize) gives for the program."""
    from torch._export.serde.schema import SCHEMA_VERSION
    from torch._export.serde.serialize import serialize
    from torch.export.pt2_archive._package import package_pt2

    made = {}
    _, train = program_of(MLP, X8, "train")
    _, attention = program_of(lambda: SDPA(gated=True), X_SEQ, "eval")
    path = OUT / "package_train.pt2"
    package_pt2(str(path), exported_programs={"model": train, "attention": attention})
    made[path.name] = {"how": "package_pt2: model (MLP in train), attention (SDPA in eval)",
                       "mode": "train", "random": random_outputs(path, X8),
                       "input": {"shape": list(X8.shape), "dtype": "float32"}}  # fmt: skip
    artifact = serialize(train)
    path = OUT / "legacy_train.pt2"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("serialized_exported_program.json", artifact.exported_program)
        archive.writestr("serialized_state_dict.pt", artifact.state_dict)
        archive.writestr("serialized_constants.pt", artifact.constants)
        archive.writestr("serialized_example_inputs.pt", artifact.example_inputs)
        archive.writestr("version", ".".join(map(str, SCHEMA_VERSION)))
    made[path.name] = {"how": "torch <= 2.7 layout of MLP in train", "mode": "train",
                       "random": random_outputs(path, X8),
                       "input": {"shape": list(X8.shape), "dtype": "float32"}}  # fmt: skip
    return made


def not_exports() -> dict:
    """Files a PyTorch user may hand droplint that are no export archive."""
    torch.manual_seed(0)
    made = {}
    module = MLP().eval()
    torch.save(module.state_dict(), OUT / "state_dict.pt")  # a zip holding data.pkl
    made["state_dict.pt"] = {"how": "torch.save(model.state_dict())"}
    torch.jit.save(torch.jit.trace(module, X8), str(OUT / "scripted.pt"))
    made["scripted.pt"] = {"how": "torch.jit.save(torch.jit.trace(model, x))"}
    torch.save(module.state_dict(), OUT / "legacy.pth", _use_new_zipfile_serialization=False)
    made["legacy.pth"] = {"how": "torch.save(..., _use_new_zipfile_serialization=False): a pickle"}
    return made


def main() -> None:
    warnings.filterwarnings("ignore")
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir()
    made = {}
    for name, (make, x, modes, *options) in CASES.items():
        for mode in modes:
            made[f"{name}_{mode}.pt2"] = export(name, make, x, mode, *options)
            print(f"  wrote samples/torch/{name}_{mode}.pt2", made[f"{name}_{mode}.pt2"])
    made.update(other_layouts())
    made.update(not_exports())
    record = {"versions": {"torch": torch.__version__}, "runs": RUNS, "files": made}
    (OUT / "measurements.json").write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
