"""Rules are plain functions registered with their code, name, default severity and summary."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from droplint.graph import Graph, Node
from droplint.sites import Site
from droplint.sites.flow import Flow, Semantics

if TYPE_CHECKING:
    from droplint.config import Config

SEVERITIES = ("info", "warning", "error")


@dataclass
class Finding:
    code: str
    name: str
    severity: str
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
    """What a rule may look at: the graph, its dropout sites, the flow analysis, the settings."""

    graph: Graph
    sites: list[Site]
    flow: Flow
    semantics: Semantics
    config: Config = field(default_factory=lambda: _default_config())

    def node_of(self, site: Site) -> Node:
        return self.graph.node(site.node)


def _default_config() -> Config:
    from droplint.config import Config

    return Config()


Check = Callable[[Context], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str
    summary: str
    check: Check | None  # None for DL001, which the readers raise

    def finding(self, layer: str | None, message: str, **extra: Any) -> Finding:
        return Finding(self.code, self.name, self.severity, layer, message, **extra)


RULES: dict[str, Rule] = {}


def rule(code: str, name: str, severity: str, summary: str) -> Callable[[Check], Check]:
    """Register a check function as rule `code`."""

    def register(check: Check) -> Check:
        RULES[code] = Rule(code, name, severity, summary, check)
        return check

    return register


RULES["DL001"] = Rule(
    "DL001", "unreadable-model", "error", "The input cannot be read as a model.", None
)
