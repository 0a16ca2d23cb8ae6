"""The rule catalogue: one definition per rule, in code, next to its check.

A rule is its check function plus `@rule(...)` with everything else about it: code, name, default
severity, whether it runs by default, which models it applies to, its options and a one-line
summary. Its page is rules/<CODE>-<name>.md. `droplint rules`, the README's rule table, the SARIF
rule metadata and the configuration's keys all come from here (tests fail on any drift).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from droplint.enums import Severity, StrEnum
from droplint.graph import Graph, Node
from droplint.rules.options import Option
from droplint.sites import Semantics, Site
from droplint.sites.flow import Flow


class Scope(StrEnum):
    """Which models a rule is about."""

    ANY = "any"
    TRAINABLE = "trainable"  # models saved for training, with a train/eval switch (Keras)
    EXPORTED = "exported"  # graphs whose mode was fixed when they were written (ONNX)

    def covers(self, semantics: Semantics) -> bool:
        if self is Scope.ANY:
            return True
        return semantics.trainable_model == (self is Scope.TRAINABLE)


@dataclass
class Finding:
    code: str
    name: str
    severity: Severity
    layer: str | None
    message: str
    related: list[str] = field(default_factory=list)
    effective_rate: float | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "code": self.code, "name": self.name, "severity": self.severity,
            "layer": self.layer, "related": self.related, "message": self.message,
        }  # fmt: skip
        if self.effective_rate is not None:
            d["effective_rate"] = self.effective_rate
        return d


@dataclass
class Context:
    """What a rule may look at: the graph, its dropout sites, the flow analysis, the format's
    answers to questions about them, and the values of the rule options."""

    graph: Graph
    sites: list[Site]
    flow: Flow
    semantics: Semantics
    options: dict[str, Any] = field(default_factory=dict)

    def node_of(self, site: Site) -> Node:
        return self.graph.node(site.node)

    def option(self, option: Option) -> Any:
        return self.options.get(option.key, option.default)


Check = Callable[[Context], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    check: Check | None  # None for DL001, which the readers raise
    default: bool = True  # runs unless deselected; False: only when selected
    scope: Scope = Scope.ANY
    options: tuple[Option, ...] = ()

    def finding(self, layer: str | None, message: str, **extra: Any) -> Finding:
        return Finding(self.code, self.name, self.severity, layer, message, **extra)

    def applies(self, semantics: Semantics) -> bool:
        return self.check is not None and self.scope.covers(semantics)


RULES: dict[str, Rule] = {}


def rule(
    code: str,
    name: str,
    severity: Severity,
    summary: str,
    *,
    default: bool = True,
    scope: Scope = Scope.ANY,
    options: tuple[Option, ...] = (),
) -> Callable[[Check], Check]:
    """Register a check function as rule `code`."""

    def register(check: Check) -> Check:
        RULES[code] = Rule(code, name, severity, summary, check, default, scope, options)
        return check

    return register


# Input problems the readers raise (droplint.errors): rules in name, so that they can be listed,
# explained and ignored like any other, but with no check to run on a graph.
RULES["DL001"] = Rule(
    "DL001", "unreadable-model", Severity.ERROR, "The input cannot be read as a model.", None
)
RULES["DL004"] = Rule(
    "DL004", "git-lfs-pointer", Severity.ERROR,
    "A Git LFS pointer file stands where the model should be: it was never fetched.", None,
)  # fmt: skip
INPUT_CODES = ("DL001", "DL004")
