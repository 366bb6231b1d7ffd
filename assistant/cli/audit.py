"""``python -m assistant audit verify|export``: check and export the audit trail."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import TextIO


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
