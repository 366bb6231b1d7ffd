"""``python -m assistant audit verify|export|breakglass-report``: check, export, report.

``breakglass-report`` lists a day's emergency accesses locally (who, role, when, patient
reference, scrubbed reason); with ``--post`` it posts a summary without patient references
(counts per staff member and their reasons) to ``COMPLIANCE_CHANNEL`` or else
``HELPDESK_CHANNEL`` through slack_sdk's WebClient (``SLACK_BOT_TOKEN``, ``SLACK_API_URL``).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("audit", help="verify or export the audit trail")
    commands = parser.add_subparsers(dest="audit_command", required=True)
    verify = commands.add_parser(
        "verify",
        help="check the hash chain (exit 0 intact, 1 naming the first bad event)",
    )
    verify.set_defaults(func=run_verify)
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
    from assistant.audit.trail import SqlAuditTrail
    from assistant.config import get_settings
    from assistant.store import open_store

    return SqlAuditTrail(open_store(get_settings()))


def run_verify(args: argparse.Namespace) -> int:
    from assistant.store import StoreError

    try:
        result = _trail().verify()
    except StoreError as exc:
        print(f"audit: {exc}", file=sys.stderr)
        return 2
    print(result.message)
    return 0 if result.ok else 1


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
    from assistant.audit.breakglass import accesses, day_bounds, report_lines, summary_text
    from assistant.config import get_settings
    from assistant.store import StoreError

    settings = get_settings()
    day = args.date or datetime.now(ZoneInfo(settings.hospital_tz)).date()
    start, end = day_bounds(day, settings.hospital_tz)
    try:
        items = accesses(_trail().events(start, end))
    except StoreError as exc:
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
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    client = (
        WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)
        if settings.slack_api_url
        else WebClient(token=settings.slack_bot_token)
    )
    try:
        client.chat_postMessage(channel=channel, text=summary_text(items, day))
    except SlackApiError as exc:
        print(f"audit: Slack refused the summary: {exc.response.get('error')}", file=sys.stderr)
        return 1
    print(f"posted the summary to {channel}", file=sys.stderr)
    return 0
