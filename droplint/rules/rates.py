"""Rules about the rates themselves."""

from __future__ import annotations

from collections.abc import Iterator

from droplint.enums import Active, Severity, Where
from droplint.rules.common import bounded, describe, output_sites
from droplint.rules.options import HIGH_RATE
from droplint.rules.registry import RULES, Context, Finding, rule
from droplint.sites import Site
from droplint.sites.model import by_setting
from droplint.wording import WHERE_WORDS


@rule("DL301", "zero-rate-dropout", Severity.WARNING, "A dropout layer with rate 0 does nothing.")
def zero_rate_dropout(ctx: Context) -> Iterator[Finding]:
    for site in output_sites(ctx):
        if site.rate == 0:
            yield RULES["DL301"].finding(
                site.layer,
                f"{describe(site)} has rate 0: it never drops anything. Fix: remove the layer, "
                "or give it the rate you meant.",
            )


@rule(
    "DL302", "high-dropout-rate", Severity.WARNING,
    "A dropout rate above the threshold (option high-rate, default 0.5).",
    options=(HIGH_RATE,),
)  # fmt: skip
def high_dropout_rate(ctx: Context) -> Iterator[Finding]:
    limit = ctx.option(HIGH_RATE)
    for group in by_setting(ctx.sites):
        site = group[0]
        if site.rate is None or not limit < site.rate < 1:
            continue
        what = f"{describe(site)}: {WHERE_WORDS[site.where]} of {site.rate:g}"
        layer, related = site.layer, []
        if len(group) > 1:  # one argument of a composite layer sets them all
            node = ctx.node_of(site)
            attention = sum(1 for s in group if s.where == Where.ATTENTION)
            what = (
                f"'{node.id}' ({node.op}) {site.param}={site.rate:g} sets {len(group)} "
                f"dropouts inside it ({attention} on attention probabilities; e.g. "
                f"'{site.layer}'), which"
            )
            layer, related = node.id, bounded([s.layer for s in group])
        yield RULES["DL302"].finding(
            layer,
            f"{what} is above the threshold {limit:g}{_more_than_kept(site.rate)}. Layers "
            "learn slowly or underfit at high rates (Srivastava et al. 2014 found about 0.5 "
            "good for hidden units and 0.2 for inputs). Fix: lower the rate, or raise "
            "`high-rate` if this is deliberate.",
            related=related,
            effective_rate=site.rate,
        )


@rule(
    "DL303", "invalid-dropout-rate", Severity.ERROR,
    "A rate below 0 or at least 1, or a noise_shape that does not fit the input.",
)  # fmt: skip
def invalid_dropout_rate(ctx: Context) -> Iterator[Finding]:
    for site in ctx.sites:
        problem = _rate_problem(site) or site.invalid
        if problem:
            yield RULES["DL303"].finding(site.layer, f"{describe(site)}: {problem}")


def _more_than_kept(rate: float) -> str:
    return ": it drops more than it keeps" if rate > 0.5 else ""


def _rate_problem(site: Site) -> str:
    if site.rate is None:
        if site.raw_rate is None:
            return ""  # not known statically (e.g. an ONNX graph input): nothing to judge
        return f"{site.param}={site.raw_rate!r} is not a number between 0 and 1."
    if 0 <= site.rate < 1:
        return ""
    if site.fails:
        return (
            f"{site.param}={site.rate:g}: {site.fails}, so this model cannot be trained. "
            "Fix: a rate in [0, 1)."
        )
    if site.active == Active.NEVER:
        return (
            f"{site.param}={site.rate:g} is outside [0, 1): {_ignores(site)}, "
            "so this layer applies no dropout at all. Fix: a rate in (0, 1)."
        )
    if site.rate >= 1:
        when = "at every run, inference included" if site.active == Active.ALWAYS else "in training"
        return (
            f"{site.param}={site.rate:g} drops everything {when} (all zeros). "
            "Fix: a rate in [0, 1)."
        )
    return f"{site.param}={site.rate:g} is negative. Fix: a rate in [0, 1)."


def _ignores(site: Site) -> str:
    if site.where.gate:
        return "Keras RNN cells silently ignore it"
    return site.note or "the framework ignores it"
