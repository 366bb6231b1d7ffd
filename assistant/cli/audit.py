"""``python -m assistant audit ...``: verify, checkpoint, export, break-glass report, keys.

``verify`` checks the keyed chain and, with ``--anchor FILE``, that the trail still extends
every signed checkpoint in FILE. ``checkpoint`` verifies, signs the head and appends it to
``AUDIT_ANCHOR_FILE`` (ship that file to WORM storage; run it daily, e.g. from cron).

``breakglass-report`` lists a day's emergency accesses locally (who, role, when, patient
reference, scrubbed reason); with ``--post`` it posts a summary without patient references
(counts per staff member and their reasons) to ``COMPLIANCE_CHANNEL`` or else
``HELPDESK_CHANNEL`` through ``assistant.channels.slack.notify`` (``SLACK_BOT_TOKEN``,
``SLACK_API_URL``),
with a fresh signed checkpoint of the audit chain (also appended to the anchor file).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("audit", help="verify or export the audit trail")
    commands = parser.add_subparsers(dest="audit_command", required=True)
    verify = commands.add_parser(
        "verify",
        help="check the keyed hash chain (exit 0 intact, 1 naming the first bad event); "
        "with --anchor, also that it still extends every signed checkpoint in FILE",
    )
    verify.add_argument("--anchor", metavar="FILE", help="checkpoint file (JSON lines)")
    verify.set_defaults(func=run_verify)
    checkpoint = commands.add_parser(
        "checkpoint",
        help="verify, then append a signed checkpoint (count, head hash, time) to "
        "AUDIT_ANCHOR_FILE or --output, and print it",
    )
    checkpoint.add_argument("-o", "--output", help="anchor file (default: AUDIT_ANCHOR_FILE)")
    checkpoint.set_defaults(func=run_checkpoint)
    commands.add_parser(
        "generate-key", help="print a new audit key (put it first in ASSISTANT_AUDIT_KEY)"
    ).set_defaults(func=run_generate_key)
    commands.add_parser(
        "public-key",
        help="print each audit key's id and checkpoint verification key (for auditors)",
    ).set_defaults(func=run_public_key)
    export = commands.add_parser(
        "export", help="write events as FHIR R4 AuditEvent NDJSON (since <= recorded < until)"
    )
    export.add_argument("--since", required=True, type=_iso, help="ISO 8601 start (UTC if naive)")
    export.add_argument("--until", required=True, type=_iso, help="ISO 8601 end (exclusive)")
    export.add_argument("-o", "--output", help="file to write (default: stdout)")
    export.set_defaults(func=run_export)
    report = commands.add_parser(
        "breakglass-report",
        help="list a day's break-glass accesses; --post sends a summary (no patients) to Slack",
    )
    report.add_argument("--date", type=_day, help="YYYY-MM-DD in HOSPITAL_TZ (default: today)")
    report.add_argument(
        "--post",
        action="store_true",
        help="post the summary to COMPLIANCE_CHANNEL (or HELPDESK_CHANNEL)",
    )
    report.set_defaults(func=run_breakglass_report)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def _iso(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {value!r}") from exc
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def _trail():  # type: ignore[no-untyped-def]
    from assistant.audit.keys import AuditKeys
    from assistant.audit.trail import SqlAuditTrail
    from assistant.config import get_settings
    from assistant.store import open_store

    settings = get_settings()
    return SqlAuditTrail(open_store(settings), AuditKeys.from_settings(settings))


def _problems() -> tuple[type[Exception], ...]:
    from assistant.audit.anchor import AnchorError
    from assistant.audit.keys import AuditKeyError
    from assistant.store import StoreError

    return (StoreError, AuditKeyError, AnchorError)


def run_verify(args: argparse.Namespace) -> int:
    from assistant.audit.anchor import read_checkpoints

    try:
        trail = _trail()
        if args.anchor:
            result, anchored = trail.verify_anchored(read_checkpoints(Path(args.anchor)))
        else:
            result, anchored = trail.verify(), None
    except _problems() as exc:
        print(f"audit: {exc}", file=sys.stderr)
        return 2
    print(result.message)
    if result.ok and result.unkeyed:
        print(
            f"note: the first {result.unkeyed} events predate keyed hashing (plain SHA-256); "
            "only a checkpoint (--anchor) proves they were not rewritten"
        )
    if not result.ok:
        return 1
    if anchored is not None:
        print(anchored.message)
        return 0 if anchored.ok else 1
    return 0


def run_checkpoint(args: argparse.Namespace) -> int:
    from assistant.audit.anchor import append_checkpoint, read_checkpoints
    from assistant.config import get_settings

    path = Path(args.output) if args.output else get_settings().audit_anchor_file
    try:
        trail = _trail()
        if path.exists():  # never anchor a trail that no longer extends earlier anchors
            _, anchored = trail.verify_anchored(read_checkpoints(path))
            if not anchored.ok:
                print(f"audit: no checkpoint written: the trail does not extend {path}: "
                      f"{anchored.message}", file=sys.stderr)  # fmt: skip
                return 1
        result, checkpoint = trail.checkpoint()
    except _problems() as exc:
        print(f"audit: {exc}", file=sys.stderr)
        return 2
    if checkpoint is None:
        print(f"audit: no checkpoint written: {result.message}", file=sys.stderr)
        return 1
    append_checkpoint(path, checkpoint)
    print(checkpoint.line())
    print(f"appended to {path}; ship it to write-once storage", file=sys.stderr)
    return 0


def run_generate_key(args: argparse.Namespace) -> int:
    from assistant.audit.keys import generate_audit_key

    print(generate_audit_key())
    return 0


def run_public_key(args: argparse.Namespace) -> int:
    from assistant.audit.keys import AuditKeyError, AuditKeys
    from assistant.config import get_settings

    try:
        keys = AuditKeys.from_settings(get_settings())
    except AuditKeyError as exc:
        print(f"audit: {exc}", file=sys.stderr)
        return 2
    for key_id in keys.ids:
        print(f"{key_id} ed25519:{keys.public_key(key_id)}")
    return 0


def _write(out: TextIO, args: argparse.Namespace) -> int:
    count = 0
    for resource in _trail().export_fhir(args.since, args.until):
        out.write(json.dumps(resource, separators=(",", ":")) + "\n")
        count += 1
    return count


def run_export(args: argparse.Namespace) -> int:
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            count = _write(out, args)
        print(f"wrote {count} AuditEvent resources to {args.output}", file=sys.stderr)
    else:
        count = _write(sys.stdout, args)
    return 0


def compliance_channel(settings: Any) -> str | None:
    """``COMPLIANCE_CHANNEL`` if set, else the help-desk channel."""
    return settings.compliance_channel or settings.helpdesk_channel


def run_breakglass_report(args: argparse.Namespace) -> int:
    from assistant.audit.anchor import append_checkpoint
    from assistant.audit.breakglass import accesses, day_bounds, report_lines, summary_text
    from assistant.config import get_settings

    settings = get_settings()
    day = args.date or datetime.now(ZoneInfo(settings.hospital_tz)).date()
    start, end = day_bounds(day, settings.hospital_tz)
    try:
        trail = _trail()
        items = accesses(trail.events(start, end))
    except _problems() as exc:
        print(f"audit: {exc}", file=sys.stderr)
        return 2
    print("\n".join(report_lines(items, day, settings.hospital_tz)))
    if not args.post:
        return 0
    channel = compliance_channel(settings)
    if not channel or not settings.slack_bot_token:
        print(
            "audit: --post needs SLACK_BOT_TOKEN and COMPLIANCE_CHANNEL or HELPDESK_CHANNEL",
            file=sys.stderr,
        )
        return 2
    result, checkpoint = trail.checkpoint()
    if checkpoint is None:
        anchor_line = f"AUDIT TRAIL DOES NOT VERIFY: {result.message}"
    else:
        append_checkpoint(settings.audit_anchor_file, checkpoint)
        anchor_line = checkpoint.text()
    from assistant.channels.slack.notify import PostRefused, post_text

    try:
        post_text(settings, channel, summary_text(items, day) + "\n" + anchor_line)
    except PostRefused as exc:
        print(f"audit: Slack refused the summary: {exc}", file=sys.stderr)
        return 1
    print(f"posted the summary to {channel}", file=sys.stderr)
    print(anchor_line)
    return 0 if checkpoint is not None else 1
