"""The `droplint` command's entry point."""

from __future__ import annotations

import gc
import sys

SUBCOMMANDS = {"check", "rules", "explain", "graph"}


def main() -> None:
    """Plain check command lines run directly; everything else goes through the typer CLI."""
    # A short-lived process that builds large acyclic graphs: the cycle collector would only
    # rescan them again and again (superlinear on big models), so it stays off.
    gc.disable()
    args = sys.argv[1:]
    if not args or args[0] not in SUBCOMMANDS - {"check"}:
        from droplint.run import parse_fast, run_check

        opts = parse_fast(args)
        if opts is not None:
            sys.exit(run_check(opts))
    from droplint.cli import app

    if args and args[0] not in SUBCOMMANDS | {"--help", "-h", "--version"}:
        args = ["check", *args]
    app(args=args, prog_name="droplint")
