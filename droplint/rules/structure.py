"""Rules about where output dropouts sit in the graph."""

from __future__ import annotations

from collections.abc import Iterator

from droplint.enums import Severity
from droplint.rules.common import MOST_RELATED, describe
from droplint.rules.registry import RULES, Context, Finding, rule
from droplint.sites import Site


@rule("DL101", "stacked-dropout", Severity.WARNING, "Output dropouts in series on one tensor path.")
def stacked_dropout(ctx: Context) -> Iterator[Finding]:
    for tensor, chain in ctx.flow.chains.items():
        if (
            chain.active_count < 2
            or chain.site.node != tensor.node
            or chain.last_active is not chain
        ):
            continue
        series = chain.active(MOST_RELATED + 1)  # the newest ones: messages stay bounded
        last, before = series[-1], series[:-1]
        if _per_sample(ctx, last) or all(_per_sample(ctx, s) for s in before):
            continue  # stochastic depth drops whole samples: another regulariser, by design
        more = chain.active_count - len(series)
        rate = chain.rate()
        shown = "?" if rate is None else f"{rate:.3g}"
        earlier = ", ".join(describe(s) for s in before) + (f" and {more} more" if more else "")
        yield RULES["DL101"].finding(
            last.layer,
            f"{describe(last)} masks values that {earlier} already masked, with only "
            "parameter-free reshaping or element-wise layers between: the dropouts compound to "
            f"an effective rate of {shown}. Fix: keep one dropout (e.g. one Dropout({shown})) "
            "at the place that matters.",
            related=[s.layer for s in before],
            effective_rate=rate,
        )


def _per_sample(ctx: Context, site: Site) -> bool:
    """One mask value per sample (a noise_shape of 1 on every axis but the batch): stochastic
    depth (drop_path), which drops a whole residual branch."""
    shape = ctx.graph.input_shape(ctx.node_of(site))
    shared = set(site.shared_axes or [])
    return shape is not None and len(shape) > 1 and shared >= set(range(1, len(shape)))
