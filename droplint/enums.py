"""The closed sets of words droplint's records use. Each member is its own string, so JSON output,
comparisons with plain strings and f-strings all see the bare value ("output", not Where.OUTPUT)."""

from __future__ import annotations

from enum import Enum


class StrEnum(str, Enum):
    """enum.StrEnum for Python 3.10 too."""

    __str__ = str.__str__
    __format__ = str.__format__


class Where(StrEnum):
    """Which tensor a dropout site masks."""

    OUTPUT = "output"  # a layer's or node's output
    GATE_INPUT = "gate-input"  # x_t inside a recurrent cell
    GATE_RECURRENT = "gate-recurrent"  # h_t-1 inside a recurrent cell
    ATTENTION = "attention"  # attention probabilities
    INTERNAL = "internal"  # somewhere inside a composite layer

    @property
    def gate(self) -> bool:
        return self in (Where.GATE_INPUT, Where.GATE_RECURRENT)


class Active(StrEnum):
    """When a site drops values."""

    TRAINING = "training"  # in training only (the framework's train/eval switch)
    ALWAYS = "always"  # at inference too
    NEVER = "never"  # not at all
    UNKNOWN = "unknown"  # decided by something droplint cannot see (a run-time input)


class Noise(StrEnum):
    """What a site does to the values it touches."""

    BERNOULLI = "bernoulli"  # zero, scale the rest by 1/(1 - rate)
    GAUSSIAN = "gaussian"  # multiply by 1-centred Gaussian noise
    ALPHA = "alpha"  # alpha dropout: set to a negative constant, then an affine map
    ADDITIVE = "additive"  # adds 0-centred Gaussian noise


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return SEVERITY_RANK[self]


SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


class NodeKind(StrEnum):
    """What droplint knows of a graph node."""

    INPUT = "input"  # a model or graph input
    LAYER = "layer"  # a layer or op whose behaviour droplint models
    OPAQUE = "opaque"  # a class droplint does not know: it may do anything, dropout included


class Merge(StrEnum):
    """How a layer combines several tensors."""

    PARTS = "parts"  # side by side (Concatenate): each part of the output is one input
    VALUES = "values"  # value by value (Add, Average, ...): every output value mixes inputs


class Role(StrEnum):
    """What a node is, in the format-neutral words the rules use."""

    BATCHNORM = "batchnorm"
    EMBEDDING = "embedding"
    RECURRENT = "recurrent"
    PROBABILITY = "probability"  # a softmax/sigmoid output
    DENSE = "dense"
    CONV = "conv"
    ATTENTION = "attention"
