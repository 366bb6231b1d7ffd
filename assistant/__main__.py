"""``python -m assistant <command>``: the operator's command line.

Each command lives in ``assistant/cli/<name>.py`` and exposes ``register(subparsers)``,
which adds its sub-parser and sets ``func`` (returning an exit code).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys

from assistant import cli


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m assistant", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True)
    for info in sorted(pkgutil.iter_modules(cli.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"assistant.cli.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    os.umask(0o077)  # what a command writes under var/ (badges, exports, logs): owner only
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
