"""``python -m assistant hms check``: what the configured FHIR server offers the assistant."""

from __future__ import annotations

import argparse
import asyncio


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("hms", help="the hospital's FHIR server (HMS_BASE_URL)")
    commands = parser.add_subparsers(dest="hms_command", required=True)
    check = commands.add_parser(
        "check",
        help="read the server's CapabilityStatement and say which assistant features it supports",
    )
    check.add_argument("--url", help="FHIR base URL (default: HMS_BASE_URL)")
    check.add_argument(
        "--no-token", action="store_true", help="do not sample data with HMS_API_TOKEN"
    )
    check.set_defaults(func=run_check)


def run_check(args: argparse.Namespace) -> int:
    from assistant.config import get_settings
    from assistant.hms.check import check_server
    from assistant.hms.systems import IdentifierSystems

    settings = get_settings()
    url = args.url or settings.hms_base_url
    token = "" if args.no_token else settings.hms_api_token
    report = asyncio.run(check_server(url, token, IdentifierSystems.from_settings(settings)))
    print(report.render())
    return report.exit_code()
