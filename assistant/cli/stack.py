"""``python -m assistant stack``: start the whole stack (``make demo``) and keep it running.

``--profile scale`` starts PostgreSQL, redis-server and HAProxy under ``var/`` with several
gateway, Rasa and action-server processes, and restarts any process that dies.

Ctrl-C, SIGINT or SIGTERM (also to the whole process group, also repeated, as ``make``,
``timeout`` and supervisors send them) stops every child, gateways first, and exits 0.
"""

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
        "--profile",
        choices=("default", "scale"),
        default="default",
        help="default: SQLite, one gateway; scale: PostgreSQL, Redis, HAProxy, several of each",
    )
    parser.add_argument(
        "--rasa-workers",
        type=int,
        default=get_settings().rasa_workers,
        help="Rasa processes, conversations routed by sender id (default 2: one per core; "
        "env RASA_WORKERS)",
    )
    parser.add_argument("--gateways", type=int, default=2, help="scale: gateway processes")
    parser.add_argument("--action-servers", type=int, default=2, help="scale: action servers")
    parser.add_argument("--model", type=Path, help="Rasa model (default: newest models/*.tar.gz)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per health check")
    parser.set_defaults(func=run)


class Stopping(Exception):
    """SIGTERM or SIGINT arrived."""


def _on_signal(signum: int, frame: FrameType | None) -> None:
    # the first signal stops the stack; the ones that follow (make and the terminal send
    # the same signal to the whole group) must not interrupt the stopping
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Stopping(signal.Signals(signum).name)


def run(args: argparse.Namespace) -> int:
    from assistant.stack import Stack, StackError, table

    stack = Stack(
        var_dir=args.var_dir,
        profile=args.profile,
        rasa_workers=max(1, args.rasa_workers),
        gateways=max(1, args.gateways),
        action_servers=max(1, args.action_servers),
        model=args.model,
        timeout=args.timeout,
    )
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    code = 0
    try:
        stack.start()
        print(table(stack), flush=True)
        while True:
            stack.watch()
            time.sleep(1.0)
    except StackError as exc:
        print(f"stack: {exc}", file=sys.stderr, flush=True)
        code = 1
    except (Stopping, KeyboardInterrupt):
        print("\nstopping...", flush=True)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.stop()
        print("all processes stopped", flush=True)
    return code
