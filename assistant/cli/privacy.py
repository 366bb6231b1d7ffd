"""``python -m assistant privacy ...``: data key rotation, retention and data-subject rights."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

ERASE_HELP = (
    "erase a staff member's conversation data: deletes the transcripts (ticket messages) of "
    "the help-desk tickets they opened, blanks those tickets' reason and summary, and "
    "replaces their username with a pseudonym in all tickets. Audit events are KEPT "
    "unchanged: the hospital must be able to account for every access to patient records "
    "(legal obligation), they hold no PHI, and the trail is append-only and hash-chained."
)


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "privacy", help="data key rotation, transcript retention, export/erase of staff data"
    )
    commands = parser.add_subparsers(dest="privacy_command", required=True)
    commands.add_parser(
        "generate-key", help="print a new data key (put it first in ASSISTANT_DATA_KEY)"
    ).set_defaults(func=run_generate_key)
    commands.add_parser(
        "rotate-key",
        help="re-encrypt stored transcripts with the newest key (first in ASSISTANT_DATA_KEY)",
    ).set_defaults(func=_guarded(run_rotate))
    commands.add_parser(
        "purge",
        help="delete transcripts/ticket messages older than TRANSCRIPT_RETENTION_DAYS "
        "(audit events are kept: they hold no PHI)",
    ).set_defaults(func=_guarded(run_purge))
    export = commands.add_parser(
        "export", help="print (JSON) everything the assistant store holds about a staff member"
    )
    export.add_argument("--staff", required=True, help="HMS username, e.g. n.jones")
    export.set_defaults(func=_guarded(run_export))
    erase = commands.add_parser("erase", help=ERASE_HELP, description=ERASE_HELP)
    erase.add_argument("--staff", required=True, help="HMS username, e.g. n.jones")
    erase.set_defaults(func=_guarded(run_erase))


def _guarded(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Report configuration problems (no key, no store) as one line, exit code 2."""

    def wrapper(args: argparse.Namespace) -> int:
        from assistant.crypto import CryptoError
        from assistant.store import StoreError

        try:
            return run(args)
        except (CryptoError, StoreError) as exc:
            print(f"privacy: {exc}", file=sys.stderr)
            return 2

    return wrapper


def _open():  # type: ignore[no-untyped-def]
    from assistant.config import get_settings
    from assistant.crypto import DataCipher
    from assistant.store import open_store

    settings = get_settings()
    return settings, open_store(settings), DataCipher.from_settings(settings)


def run_generate_key(args: argparse.Namespace) -> int:
    from assistant.crypto import generate_key

    print(generate_key())
    return 0


def run_rotate(args: argparse.Namespace) -> int:
    from assistant.store.privacy import rotate_keys

    _, store, cipher = _open()
    result = rotate_keys(store, cipher)
    print(f"re-encrypted {result.rotated} messages with key {cipher.current_key_id}")
    if result.remaining_old:
        print(f"{result.remaining_old} messages still under older keys", file=sys.stderr)
        return 1
    print("no data remains under older keys; they can be removed from ASSISTANT_DATA_KEY")
    return 0


def run_purge(args: argparse.Namespace) -> int:
    from assistant.store.privacy import purge_messages

    settings, store, _ = _open()
    count = purge_messages(store, settings.transcript_retention_days)
    print(f"deleted {count} messages older than {settings.transcript_retention_days} days")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from assistant.store.privacy import export_staff

    _, store, cipher = _open()
    print(json.dumps(export_staff(store, cipher, args.staff), indent=2, ensure_ascii=False))
    return 0


def run_erase(args: argparse.Namespace) -> int:
    from assistant.store.privacy import erase_staff

    _, store, cipher = _open()
    result = erase_staff(store, cipher, args.staff)
    print(
        f"erased: {result.messages_deleted} messages deleted, {result.tickets} tickets now "
        f"refer to {result.pseudonym}; audit events kept (legal obligation)"
    )
    return 0
