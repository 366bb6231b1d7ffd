"""``python -m assistant privacy ...``: data key rotation, retention and data-subject rights."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

ERASE_HELP = (
    "erase a staff member's conversation data everywhere: deletes every conversation of "
    "theirs in Rasa's tracker store, their queued kiosk help requests, and the transcripts "
    "(ticket messages) of the help-desk tickets they opened; blanks those tickets' reason "
    "and summary, and replaces their username with a pseudonym in all tickets; prints what "
    "it removed from each place. Audit events are KEPT "
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
        help="re-encrypt ticket messages, the kiosk queue and Rasa's tracker events with the "
        "newest data key (first in ASSISTANT_DATA_KEY / the key file); resumable; says "
        "whether older keys can be removed (exit 1 while any row still needs one)",
    ).set_defaults(func=_guarded(run_rotate))
    commands.add_parser(
        "purge",
        help="delete ticket messages, queued kiosk requests and Rasa conversation sessions "
        "older than TRANSCRIPT_RETENTION_DAYS (audit events are kept: they hold no PHI)",
    ).set_defaults(func=_guarded(run_purge))
    export = commands.add_parser(
        "export",
        help="print (JSON) everything held about a staff member: tickets, audit events and "
        "their conversations in Rasa's tracker store",
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


def _tracker(settings):  # type: ignore[no-untyped-def]
    from assistant.store.tracker import open_tracker

    tracker = open_tracker(settings.tracker_database_url)
    if not tracker.present:
        print("note: no Rasa tracker store found (TRACKER_DATABASE_URL)", file=sys.stderr)
    return tracker


def run_generate_key(args: argparse.Namespace) -> int:
    from assistant.crypto import generate_key

    print(generate_key())
    return 0


def _census_line(place: str, census) -> str:  # type: ignore[no-untyped-def]
    parts = [f"{census.current} under the newest key"]
    if census.old:
        keys = ", ".join(f"{key}: {count}" for key, count in sorted(census.old.items()))
        parts.append(f"{census.old_total} under older keys ({keys})")
    if census.plain:
        parts.append(f"{census.plain} not yet encrypted")
    if census.unreadable:
        parts.append(f"{census.unreadable} that no configured key opens")
    return f"  {place}: {census.total} rows: " + "; ".join(parts)


def run_rotate(args: argparse.Namespace) -> int:
    from assistant.store.privacy_ops import rotate_everywhere

    settings, store, cipher = _open()
    report = rotate_everywhere(store, _tracker(settings), cipher)
    resumed = f", resumed after event {report.resumed_from}" if report.resumed_from else ""
    print(
        f"re-encrypted with key {cipher.current_key_id}: {report.tickets_rotated} ticket "
        f"messages, {report.kiosk_rotated} queued kiosk requests, {report.review_rotated} "
        f"messages kept for NLU review, {report.tracker.rotated} "
        f"tracker events ({report.tracker.sealed} clear events encrypted, "
        f"{report.tracker.scanned} scanned{resumed})"
    )
    print("rows by key now:")
    for place, census in report.census.items():
        print(_census_line(place, census))
    if report.removable:
        old = [k for k in cipher.key_ids if k != cipher.current_key_id]
        named = f" ({', '.join(old)})" if old else ""
        print(f"no data remains under older keys in any place: they{named} can be removed")
        return 0
    print(
        "older keys are STILL NEEDED: do not remove them. Run rotate-key again (if Rasa is "
        "still writing with an old key, restart it with the new key first).",
        file=sys.stderr,
    )
    return 1


def run_purge(args: argparse.Namespace) -> int:
    from assistant.store.privacy_ops import purge_everywhere

    settings, store, _ = _open()
    days = settings.transcript_retention_days
    report = purge_everywhere(store, _tracker(settings), days)
    print(
        f"deleted older than {days} days: {report.ticket_messages} ticket messages, "
        f"{report.kiosk_queue} queued kiosk requests, {report.nlu_review} messages kept for "
        f"NLU review, {report.tracker.events} tracker events "
        f"({report.tracker.conversations} conversations gone entirely); audit events kept"
    )
    return 0


def run_export(args: argparse.Namespace) -> int:
    from assistant.store.privacy import export_staff
    from assistant.store.tracker_subject import export_tracker

    settings, store, cipher = _open()
    data = export_staff(store, cipher, args.staff)
    data["conversations"] = export_tracker(_tracker(settings), cipher, args.staff)
    print(json.dumps(data, indent=2, ensure_ascii=False))
    return 0


def run_erase(args: argparse.Namespace) -> int:
    from assistant.store.privacy_ops import erase_everywhere

    settings, store, cipher = _open()
    report = erase_everywhere(store, _tracker(settings), cipher, args.staff)
    tickets = report.tickets
    print(
        f"erased {args.staff}: {report.tracker.conversations} conversations "
        f"({report.tracker.events} events) from the tracker store, {report.kiosk_queue} "
        f"queued kiosk requests, {tickets.messages_deleted} ticket messages; "
        f"{tickets.tickets} tickets now refer to {tickets.pseudonym}; "
        "audit events kept (legal obligation)"
    )
    return 0
