"""The rule catalogue. Each rule is one function in a module here and one page in rules/."""

from droplint.rules import (  # noqa: F401  (importing registers the rules)
    coverage,
    inference,
    layers,
    onnx,
    placement,
    rates,
    rnn,
    structure,
)
from droplint.rules.registry import RULES, Context, Finding, Rule

__all__ = ["RULES", "Context", "Finding", "Rule", "run_rules"]


def run_rules(ctx: Context, codes: set[str]) -> list[Finding]:
    """Run the enabled rules; findings carry the configured severity."""
    findings: list[Finding] = []
    for code in sorted(codes):
        check = RULES[code].check
        if check is None:
            continue
        for finding in check(ctx):
            finding.severity = ctx.config.severity_of(code)
            findings.append(finding)
    return findings
