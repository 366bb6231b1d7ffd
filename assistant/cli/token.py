"""``python -m assistant token issue|revoke``: staff tokens for the REST channel."""

from __future__ import annotations

import argparse
import asyncio
import sys

from assistant.config import get_settings


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("token", help="issue or revoke staff tokens (REST channel)")
    commands = parser.add_subparsers(dest="token_command", required=True)
    issue = commands.add_parser("issue", help="print a token for a staff member")
    issue.add_argument("--staff", required=True, help="HMS username, e.g. n.jones")
    issue.add_argument("--ttl", type=int, help="lifetime in seconds (default STAFF_TOKEN_TTL, 8h)")
    issue.add_argument(
        "--no-check", action="store_true", help="do not check the staff member in the HMS"
    )
    issue.set_defaults(func=run_issue)
    revoke = commands.add_parser("revoke", help="revoke a token (or its id, jti)")
    revoke.add_argument("token", help="the token or its jti")
    revoke.set_defaults(func=run_revoke)


async def _staff_active(username: str) -> bool:
    from assistant.hms.client import FhirHmsClient
    from assistant.identity.tokens import HmsStaffDirectory

    client = FhirHmsClient.from_settings(get_settings())
    try:
        return await HmsStaffDirectory(client).is_active_staff(username)
    finally:
        await client.aclose()


def run_issue(args: argparse.Namespace) -> int:
    from assistant.gateway.app import token_ttl
    from assistant.hms.errors import HmsError
    from assistant.identity.tokens import TokenError, issue_token

    settings = get_settings()
    if not args.no_check:
        try:
            active = asyncio.run(_staff_active(args.staff))
        except HmsError as exc:
            print(f"token: cannot check {args.staff} in the HMS: {exc.message}", file=sys.stderr)
            return 2
        if not active:
            print(f"token: {args.staff} is not an active staff member in the HMS", file=sys.stderr)
            return 1
    try:
        print(issue_token(settings.signing_key, args.staff, ttl=args.ttl or token_ttl(settings)))
    except TokenError as exc:
        print(f"token: {exc}", file=sys.stderr)
        return 2
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    from assistant.gateway.app import default_revocations, store_opener
    from assistant.identity.tokens import StaffTokens, TokenError

    settings = get_settings()
    revocations = default_revocations(store_opener(settings))
    tokens = StaffTokens(settings.signing_key, revocations=revocations)
    try:
        jti = asyncio.run(tokens.revoke(args.token.strip()))
    except TokenError as exc:
        print(f"token: {exc}", file=sys.stderr)
        return 2
    print(f"revoked token {jti}")
    return 0
