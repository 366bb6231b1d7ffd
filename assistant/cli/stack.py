"""``python -m assistant stack``: start HMS, action server, Rasa and gateway (``make demo``)."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from assistant.config import get_settings


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("stack", help="start the whole stack and wait (Ctrl-C stops)")
    parser.add_argument("--var-dir", type=Path, help="state, secrets and logs (default: var/)")
    parser.add_argument(
        "--rasa-workers",
        type=int,
        default=get_settings().rasa_workers,
        help="Rasa processes, conversations routed by sender id (default 2: one per core; "
        "env RASA_WORKERS)",
    )
    parser.add_argument("--model", type=Path, help="Rasa model (default: newest models/*.tar.gz)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per health check")
    parser.set_defaults(func=run)


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    from assistant.stack import Stack, StackError, table

    stack = Stack(
        var_dir=args.var_dir,
        rasa_workers=args.rasa_workers,
        model=args.model,
        timeout=args.timeout,
        demo_badges=True,
    )
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        stack.start()
        print(table(stack), flush=True)
        while (dead := stack.failed()) is None:
            time.sleep(1.0)
        print(
            f"{dead.name} stopped unexpectedly; see {dead.where}:\n{dead.tail()}", file=sys.stderr
        )
        return 1
    except StackError as exc:
        print(f"stack: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopping...", flush=True)
        return 0
    finally:
        stack.stop()
        print("all processes stopped", flush=True)
