"""The `droplint` command's entry point."""

from __future__ import annotations

import gc
import sys

SUBCOMMANDS = {"check", "rules", "explain", "graph"}


def main() -> None:
    """Plain check command lines run directly; everything else goes through the typer CLI."""
    try:
        _main()
    except KeyboardInterrupt:  # Ctrl-C anywhere: one line, the shell's code for SIGINT
        print("droplint: interrupted", file=sys.stderr)
        sys.exit(130)


def _main() -> None:
    # A short-lived process that builds large acyclic graphs: the cycle collector would only
    # rescan them again and again (superlinear on big models), so it stays off.
    gc.disable()
    args = sys.argv[1:]
    meant = mistyped(args)
    if meant is not None:
        print(
            f"droplint: {args[0]!r} is neither a command nor a file; did you mean "
            f"`droplint {meant}`?",
            file=sys.stderr,
        )
        sys.exit(2)
    if not args or args[0] not in SUBCOMMANDS - {"check"}:
        from droplint.run import parse_fast, run_check

        opts = parse_fast(args)
        if opts is not None:
            sys.exit(run_check(opts))
    from droplint.cli import app

    if args and args[0] not in SUBCOMMANDS | {"--help", "-h", "--version"}:
        args = ["check", *args]
    app(args=args, prog_name="droplint")


def mistyped(args: list[str]) -> str | None:
    """The command a first argument was probably meant to be (`chek` -> check), unless a file
    or folder of that name exists: then it is a path to lint."""
    import difflib
    import os

    if not args or args[0] in SUBCOMMANDS or args[0].startswith("-") or os.path.exists(args[0]):
        return None
    close = difflib.get_close_matches(args[0], sorted(SUBCOMMANDS), n=1, cutoff=0.6)
    return close[0] if close else None
