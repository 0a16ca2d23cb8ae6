"""The rule catalogue. Each rule is one function in a module here and one page in rules/."""

from collections.abc import Mapping

from droplint.enums import Severity
from droplint.rules import (  # noqa: F401  (importing registers the rules)
    coverage,
    exported,
    inference,
    layers,
    placement,
    rates,
    rnn,
    structure,
)
from droplint.rules.options import Option
from droplint.rules.registry import RULES, Context, Finding, Rule, Scope

__all__ = ["RULES", "Context", "Finding", "Option", "Rule", "Scope", "options", "run_rules"]


def run_rules(
    ctx: Context, codes: set[str], severity: Mapping[str, Severity] | None = None
) -> list[Finding]:
    """Run the enabled rules that apply to this model; findings carry the configured severity."""
    findings: list[Finding] = []
    for code in sorted(codes):
        rule = RULES[code]
        if rule.check is None or not rule.applies(ctx.semantics):
            continue
        for finding in rule.check(ctx):
            finding.severity = (severity or {}).get(code, rule.severity)
            findings.append(finding)
    return findings


def options() -> dict[str, Option]:
    """Every option some rule declares, by key."""
    return {o.key: o for r in RULES.values() for o in r.options}
