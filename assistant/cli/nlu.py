"""``python -m assistant nlu ...``: the "not understood" review loop from the command line.

``review`` lists kept messages, ``label`` / ``discard`` review one (as a staff member with
the ``nlu:review`` permission, checked in the HMS), ``export-reviewed`` writes labelled
ones into the NLU training data, ``purge`` applies the retention period.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from assistant.config import ROOT

DEFAULT_NLU_DIR = ROOT / "training_data" / "nlu"


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("nlu", help='the "not understood" review loop')
    commands = parser.add_subparsers(dest="nlu_command", required=True)
    commands.add_parser(
        "review", help="list kept messages waiting for review (redacted text, top predictions)"
    ).set_defaults(func=_guarded(run_review))
    label = commands.add_parser(
        "label", help="label one message: intent and the text in Rasa markup ([4B](ward))"
    )
    label.add_argument("item", type=int)
    label.add_argument("intent")
    label.add_argument("text", help='e.g. "porter to [4B](ward)"')
    label.add_argument("--reviewer", required=True, help="your HMS username (trainer role)")
    label.set_defaults(func=_guarded(run_label))
    discard = commands.add_parser("discard", help="drop one message (not worth learning)")
    discard.add_argument("item", type=int)
    discard.add_argument("--reviewer", required=True, help="your HMS username (trainer role)")
    discard.set_defaults(func=_guarded(run_discard))
    export = commands.add_parser(
        "export-reviewed",
        help="write labelled messages into training_data/nlu/reviewed.yml (deduplicated); "
        "review the diff, then `make model`",
    )
    export.add_argument("--nlu-dir", type=Path, default=DEFAULT_NLU_DIR)
    export.set_defaults(func=_guarded(run_export))
    commands.add_parser(
        "rotate-key",
        help="re-encrypt kept messages with the newest data key (run with privacy rotate-key)",
    ).set_defaults(func=_guarded(run_rotate))
    purge = commands.add_parser(
        "purge", help="delete kept messages older than TRANSCRIPT_RETENTION_DAYS"
    )
    purge.add_argument("--days", type=int, default=None)
    purge.set_defaults(func=_guarded(run_purge))


def _guarded(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def wrapper(args: argparse.Namespace) -> int:
        from assistant.crypto import CryptoError
        from assistant.review.markup import LabelError
        from assistant.review.queue import ReviewError
        from assistant.store import StoreError

        try:
            return run(args)
        except (CryptoError, StoreError, ReviewError, LabelError, PermissionError) as exc:
            print(f"nlu: {exc}", file=sys.stderr)
            return 2

    return wrapper


def _queue() -> Any:
    from assistant.config import get_settings
    from assistant.crypto import DataCipher
    from assistant.review.queue import ReviewQueue
    from assistant.store import open_store

    settings = get_settings()
    return ReviewQueue(open_store(settings), DataCipher.from_settings(settings))


def _check_reviewer(username: str) -> None:
    """The reviewer must hold ``nlu:review`` (HMS roles + the role policy)."""
    from assistant.config import get_settings
    from assistant.hms.client import FhirHmsClient
    from assistant.rbac.policy import load_policy
    from assistant.usage.roles import RoleLookup

    async def roles() -> frozenset[str]:
        client = FhirHmsClient.from_settings(get_settings())
        try:
            return await RoleLookup(lambda: client).roles(username)
        finally:
            await client.aclose()

    found = asyncio.run(roles())
    if not load_policy().allows(found, "nlu:review"):
        raise PermissionError(
            f"{username} may not review (needs nlu:review: the trainer role); "
            f"roles: {', '.join(sorted(found)) or 'none found'}"
        )


def run_review(args: argparse.Namespace) -> int:
    items = _queue().items(("new",))
    if not items:
        print("nothing to review")
    for item in items:
        guesses = ", ".join(f"{p.intent} {p.confidence:.2f}" for p in item.predictions) or "-"
        print(f"#{item.id} [{item.channel}/{item.role}, seen {item.seen}x] {item.text}")
        print(f"    predicted: {guesses}")
    return 0


def run_label(args: argparse.Namespace) -> int:
    from assistant.review.markup import check_label
    from intents.catalog import load_catalog

    _check_reviewer(args.reviewer)
    catalog = load_catalog()
    label = check_label(
        args.intent,
        args.text,
        intents=frozenset(catalog.names()),
        entities=catalog.entities(),
    )
    item = _queue().label(args.item, label, args.reviewer)
    print(f"#{item.id} labelled {item.label_intent}: {item.label_text}")
    return 0


def run_discard(args: argparse.Namespace) -> int:
    _check_reviewer(args.reviewer)
    item = _queue().discard(args.item, args.reviewer)
    print(f"#{item.id} discarded")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from assistant.review.export import export_queue

    result = export_queue(_queue(), args.nlu_dir)
    for intent, example in result.added:
        print(f"+ {intent}: {example}")
    for intent, example in result.duplicates:
        print(f"= {intent}: {example} (already in the training data; not added)")
    if result.added:
        print(
            f"wrote {len(result.added)} example(s) to {result.path}. Review the diff "
            f"(git diff -- {result.path}) before committing, then `make model`."
        )
    else:
        print("no new examples to write")
    return 0


def run_purge(args: argparse.Namespace) -> int:
    from assistant.config import get_settings

    days = args.days if args.days is not None else get_settings().transcript_retention_days
    deleted = _queue().purge(datetime.now(UTC) - timedelta(days=days))
    print(f"deleted {deleted} kept message(s) older than {days} days")
    return 0


def run_rotate(args: argparse.Namespace) -> int:
    rotated = _queue().rotate()
    print(f"re-encrypted {rotated} kept message(s) with the newest data key")
    return 0
