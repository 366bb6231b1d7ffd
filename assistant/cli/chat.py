"""``python -m assistant chat --as <username>``: talk to the running gateway in a terminal.

Issues a staff token locally (signing key from ``var/demo.env``), then loops: each line
is sent to the REST channel; buttons are shown as numbered choices (type the number to
pick one). An empty line checks for help-desk messages (during a handoff). ``/quit`` or
end of input leaves.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

import httpx

from assistant.config import get_settings

PROMPT = "you> "


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("chat", help="chat with the running assistant in a terminal")
    parser.add_argument("--as", dest="staff", required=True, help="HMS username, e.g. n.jones")
    parser.add_argument("--url", help="gateway base URL (default http://BIND_HOST:GATEWAY_PORT)")
    parser.set_defaults(func=run)


def render(replies: list[dict[str, object]], out: Callable[[str], None]) -> list[str]:
    """Print replies; return the button payloads in the order numbered."""
    payloads: list[str] = []
    for reply in replies:
        text = str(reply.get("text") or "")
        if text:
            out(f"assistant> {text}")
        for button in reply.get("buttons") or []:  # type: ignore[attr-defined]
            payloads.append(str(button.get("payload", "")))
            out(f"   {len(payloads)}) {button.get('title', '')}")
    return payloads


def choose(line: str, payloads: list[str]) -> str:
    """A number picks that button's payload; anything else is sent as typed."""
    if line.isdigit() and 1 <= int(line) <= len(payloads):
        return payloads[int(line) - 1]
    return line


def run(args: argparse.Namespace) -> int:
    from assistant.identity.tokens import TokenError, issue_token

    settings = get_settings()
    url = (args.url or f"http://{settings.bind_host}:{settings.gateway_port}").rstrip("/")
    try:
        token = issue_token(settings.signing_key, args.staff, ttl=3600)
    except TokenError as exc:
        print(f"chat: {exc} (start the stack once with `make demo`)", file=sys.stderr)
        return 2
    print(f"Chatting as {args.staff} via {url}. Type /quit to leave.", flush=True)
    conversation: str | None = None
    payloads: list[str] = []
    with httpx.Client(timeout=60.0, headers={"Authorization": f"Bearer {token}"}) as client:
        while True:
            try:
                line = input(PROMPT).strip()
            except (EOFError, KeyboardInterrupt):
                print()
                return 0
            if not line:
                if conversation:
                    payloads = _pending(client, url, conversation) or payloads
                continue
            if line in ("/quit", "/exit"):
                return 0
            body: dict[str, str] = {"text": choose(line, payloads)}
            if conversation:
                body["conversation_id"] = conversation
            try:
                response = send(client, f"{url}/api/v1/messages", body)
            except httpx.HTTPError as exc:
                print(
                    f"chat: gateway not reachable at {url} ({type(exc).__name__}); "
                    "is the stack running (`make demo`)?",
                    file=sys.stderr,
                )
                return 1
            if response.status_code == 401:
                print(f"chat: not signed in: {response.json().get('detail')}", file=sys.stderr)
                return 1
            if response.status_code != 200:
                print(f"chat: HTTP {response.status_code}: {response.text}", file=sys.stderr)
                continue
            data = response.json()
            conversation = data["conversation_id"]
            payloads = render(data["replies"], _say)
            payloads = _pending(client, url, conversation) or payloads


RETRIES = 3
LONGEST_WAIT = 10.0  # seconds; a longer "try again in" is shown, not waited for


def send(
    client: httpx.Client,
    url: str,
    body: dict[str, str],
    sleep: Callable[[float], None] = time.sleep,
) -> httpx.Response:
    """POST one message; "too many requests" (429) or "restarting or busy" (503) with a
    short ``retry_after`` is waited out and sent again, up to ``RETRIES`` times (lines
    pasted at once were each refused and lost)."""
    response = client.post(url, json=body)
    for _ in range(RETRIES):
        wait = retry_after(response)
        if wait is None or wait > LONGEST_WAIT:
            break
        print(f"chat: busy, sending again in {wait:g} s", file=sys.stderr, flush=True)
        sleep(wait)
        response = client.post(url, json=body)
    return response


def retry_after(response: httpx.Response) -> float | None:
    """Seconds the gateway asked to wait (JSON ``retry_after`` or ``Retry-After``), for a
    429 or 503; None for any other answer."""
    if response.status_code not in (429, 503):
        return None
    said: object = response.headers.get("Retry-After")
    try:
        said = response.json().get("retry_after", said)
    except ValueError:
        pass
    try:
        return max(0.0, float(str(said)))
    except ValueError:
        return None


def _say(line: str) -> None:
    print(line, flush=True)


def _pending(client: httpx.Client, url: str, conversation: str) -> list[str]:
    """Show messages waiting for this conversation (the help desk's); their buttons."""
    try:
        response = client.get(f"{url}/api/v1/messages/{conversation}")
    except httpx.HTTPError:
        return []
    if response.status_code != 200:
        return []
    return render(response.json().get("replies") or [], _say)
