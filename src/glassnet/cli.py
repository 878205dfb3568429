"""The ``glassnet`` command.

Sub-commands live in their own modules, each with ``register(subparsers)`` adding a parser
whose ``func`` default runs it. Errors a user can fix (bad files, bad options, bad data) are
printed as one line on stderr with exit status 2; ``--debug`` shows the full traceback.
"""
from __future__ import annotations

import argparse
import importlib
import re
import sys

# Modules providing sub-commands, in the order `glassnet --help` lists them.
COMMAND_MODULES = ("glassnet.commands", "glassnet.explain_cmd")


class UsageError(Exception):
    """An error in what the user asked for; printed without a traceback."""


class ArgumentParser(argparse.ArgumentParser):
    """argparse, with its errors on one line like every other glassnet error (exit status 2).

    Sub-command parsers are made from the same class, so they report the same way;
    "argument --lr: must be > 0, got -1" reads "--lr must be > 0, got -1"."""

    def error(self, message):
        m = re.match(r"argument (\S+): ((?:must|takes|layer) .*)", message, flags=re.S)
        if m:
            message = f"{m.group(1)} {m.group(2)}"
        self.exit(2, f"glassnet: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    from . import __version__
    parser = ArgumentParser(
        prog="glassnet",
        description="Glass-box neural networks in pure NumPy: train on a CSV, predict, "
                    "evaluate, and explain every number.")
    parser.add_argument("--version", action="version", version=f"glassnet {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show the full traceback when something fails")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        mod.register(sub)
    # The error hint says "run with --debug": it must work where a user types it, after the
    # sub-command too. SUPPRESS keeps `glassnet --debug CMD` from being reset to False.
    for p in {id(p): p for p in sub.choices.values()}.values():
        if "--debug" not in p._option_string_actions:
            p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                           help="show the full traceback when something fails (default: "
                                "False)")
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("glassnet: interrupted", file=sys.stderr)
        return 130
    except (UsageError, ValueError, TypeError, KeyError, OSError, RuntimeError) as exc:
        if args.debug:
            raise
        msg = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
        if isinstance(exc, OSError) and exc.filename and exc.strerror:
            msg = f"{exc.strerror}: {exc.filename}"
        print(f"glassnet: error: {msg.splitlines()[0] if msg else type(exc).__name__}"
              + ("" if args.debug else "  (run with --debug for details)"
                 if not isinstance(exc, UsageError) else ""), file=sys.stderr)
        return 2


if __name__ == "__main__":
    # Run through the package module so exception classes are the package's own
    # (``python -m glassnet.cli`` would otherwise define a second UsageError in __main__).
    from glassnet.cli import main as _main
    sys.exit(_main())
