"""The rule catalogue. Each rule is one function in a module here and one page in rules/."""

from droplint.rules import rnn, structure  # noqa: F401  (importing registers the rules)
from droplint.rules.registry import RULES, Context, Finding, Rule

__all__ = ["RULES", "Context", "Finding", "Rule", "run_rules"]


def run_rules(ctx: Context) -> list[Finding]:
    findings: list[Finding] = []
    for code in sorted(RULES):
        check = RULES[code].check
        if check is not None:
            findings.extend(check(ctx))
    return findings
