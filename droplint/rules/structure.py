"""Rules about where output dropouts sit in the graph."""

from __future__ import annotations

from collections.abc import Iterator

from droplint.enums import Severity
from droplint.rules.common import active, describe
from droplint.rules.registry import RULES, Context, Finding, rule
from droplint.sites.model import chain_rate


@rule("DL101", "stacked-dropout", Severity.WARNING, "Output dropouts in series on one tensor path.")
def stacked_dropout(ctx: Context) -> Iterator[Finding]:
    for tensor, chain in ctx.flow.chains.items():
        series = active(chain)
        if len(series) < 2 or chain[-1].node != tensor.node or series[-1] is not chain[-1]:
            continue
        last, before = series[-1], series[:-1]
        rate = chain_rate(series)
        shown = "?" if rate is None else f"{rate:.3g}"
        yield RULES["DL101"].finding(
            last.layer,
            f"{describe(last)} masks values that {', '.join(describe(s) for s in before)} already "
            f"masked, with only parameter-free reshaping or element-wise layers between: the "
            f"dropouts compound to an effective rate of {shown}. Fix: keep one dropout "
            f"(e.g. one Dropout({shown})) at the place that matters.",
            related=[s.layer for s in before],
            effective_rate=rate,
        )
