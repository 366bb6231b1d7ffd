"""A local fake of the Slack Web API, the way slack-bolt tests itself.

A small HTTP server on 127.0.0.1 in a thread. Point ``AsyncWebClient(base_url=fake.url)``
(or ``SLACK_API_URL``) at it. Every call is recorded as ``(method, params)`` in ``.calls``
with its arrival time in ``.times`` (same index), so tests can check what the app posted
and benchmarks can measure event-to-post latency.

    fake = FakeSlackApi(port=0).start()
    ...
    fake.wait_for("chat.postMessage", lambda p: "HR-" in p["text"])
    fake.stop()
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlsplit

from hms.seed_data import NAMED_STAFF

DOMAIN = "demo-hospital.example"
BOT_USER_ID = "U0HMSBOT"
BOT_ID = "B0HMSBOT"
TEAM_ID = "T0DEMO"

# The demo hospital's named staff (the reference HMS seed, hms/seed_data.py: one made-up
# hospital for the seed, the test fakes and this fake Slack) and their Slack ids.
DEMO_STAFF: Mapping[str, str] = {
    username: "U0" + username.replace(".", "").upper() for username, *_ in NAMED_STAFF
}
DELETED_USER = "U0DELETED"  # a deactivated Slack account (users.info deleted: true)
UNKNOWN_USER = "U0STRANGER"  # a Slack member whose email is not in the HMS


def slack_id(username: str) -> str:
    return DEMO_STAFF[username]


def default_users() -> dict[str, dict[str, Any]]:
    users: dict[str, dict[str, Any]] = {}
    for username, uid in DEMO_STAFF.items():
        users[uid] = _user(uid, username, f"{username}@{DOMAIN}")
    users[DELETED_USER] = {
        **_user(DELETED_USER, "n.jones.old", f"n.jones@{DOMAIN}"),
        "deleted": True,
    }
    users[UNKNOWN_USER] = _user(UNKNOWN_USER, "visitor", "visitor@elsewhere.example")
    return users


def _user(uid: str, name: str, email: str) -> dict[str, Any]:
    return {
        "id": uid,
        "team_id": TEAM_ID,
        "name": name,
        "deleted": False,
        "is_bot": False,
        "is_restricted": False,
        "is_ultra_restricted": False,
        "is_email_confirmed": True,
        "real_name": name,
        "profile": {"email": email, "real_name": name, "display_name": name},
    }


class Call(NamedTuple):
    method: str
    params: dict[str, Any]


class FakeSlackApi:
    """Fake Slack Web API server. ``users`` maps Slack user id -> users.info ``user``."""

    def __init__(self, port: int = 0, users: Mapping[str, dict[str, Any]] | None = None) -> None:
        self._port = port
        self.users: dict[str, dict[str, Any]] = dict(users or default_users())
        self.calls: list[Call] = []
        self.times: list[float] = []
        self._cond = threading.Condition()
        self._ts = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> FakeSlackApi:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake._serve(self, b"")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                fake._serve(self, self.rfile.read(length))

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def port(self) -> int:
        assert self._server is not None, "not started"
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    # -- inspection ------------------------------------------------------------------------
    def calls_to(self, method: str) -> list[dict[str, Any]]:
        with self._cond:
            return [c.params for c in self.calls if c.method == method]

    def reset(self) -> None:
        with self._cond:
            self.calls.clear()
            self.times.clear()

    def wait_for(
        self,
        method: str,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 60.0,  # a bound, not a speed check: a loaded CI machine is slow
        *,
        start: int = 0,
    ) -> dict[str, Any]:
        """Block until a call to ``method`` (index >= ``start``) matches; return its params."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for call in self.calls[start:]:
                    if call.method == method and (predicate is None or predicate(call.params)):
                        return call.params
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [c.method for c in self.calls[start:]]
                    raise TimeoutError(f"no matching {method} call within {timeout}s; saw {seen}")
                self._cond.wait(left)

    async def wait_for_async(
        self,
        method: str,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 60.0,  # a bound, not a speed check: a loaded CI machine is slow
        *,
        start: int = 0,
    ) -> dict[str, Any]:
        """``wait_for`` for code running on the event loop that must keep turning."""
        import asyncio

        deadline = time.monotonic() + timeout
        while True:
            with self._cond:
                for call in self.calls[start:]:
                    if call.method == method and (predicate is None or predicate(call.params)):
                        return call.params
                seen = [c.method for c in self.calls[start:]]
            if time.monotonic() > deadline:
                raise TimeoutError(f"no matching {method} call within {timeout}s; saw {seen}")
            await asyncio.sleep(0.01)

    # -- serving ---------------------------------------------------------------------------
    def _serve(self, handler: BaseHTTPRequestHandler, raw: bytes) -> None:
        parts = urlsplit(handler.path)
        method = parts.path.rstrip("/").rsplit("/", 1)[-1]
        params: dict[str, Any] = dict(parse_qsl(parts.query))
        ctype = handler.headers.get("Content-Type", "")
        if raw:
            if "json" in ctype:
                params.update(json.loads(raw))
            else:
                params.update(dict(parse_qsl(raw.decode())))
        for key in ("blocks", "view"):  # form-encoded JSON fields
            if isinstance(params.get(key), str):
                try:
                    params[key] = json.loads(params[key])
                except ValueError:
                    pass
        with self._cond:
            self.calls.append(Call(method, params))
            self.times.append(time.time())
            self._cond.notify_all()
        body = json.dumps(self._answer(method, params)).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://demo-hospital.slack.example/",
                "team": "Demo Hospital",
                "user": "hms",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
            }
        if method == "users.info":
            user = self.users.get(str(params.get("user")))
            if user is None:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "user": user}
        if method == "users.lookupByEmail":
            email = str(params.get("email", "")).lower()
            found = next(
                (
                    u
                    for u in self.users.values()
                    if not u.get("deleted") and u["profile"].get("email", "").lower() == email
                ),
                None,
            )
            return (
                {"ok": True, "user": found} if found else {"ok": False, "error": "users_not_found"}
            )
        if method == "chat.postMessage":
            ts = self._next_ts()
            return {
                "ok": True,
                "channel": params.get("channel"),
                "ts": ts,
                "message": {"text": params.get("text"), "ts": ts, "bot_id": BOT_ID},
            }
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "chat.update":
            return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts")}
        if method == "conversations.open":
            users = str(params.get("users", "")).split(",")[0]
            return {"ok": True, "channel": {"id": "D" + users[1:] if users else "D0NONE"}}
        if method == "views.publish":
            return {"ok": True, "view": {"id": "V0HOME", **(params.get("view") or {})}}
        return {"ok": True}


# -- building what Slack sends (signed) ------------------------------------------------------
SIGNING_SECRET = "test-signing-secret"


def signed_headers(body: str, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict:
    """Slack's v0 request signature headers for ``body``."""
    import hashlib
    import hmac

    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def event_body(event: dict[str, Any], event_id: str) -> str:
    return json.dumps(
        {
            "token": "legacy",
            "team_id": TEAM_ID,
            "api_app_id": "A0HMS",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": event,
        }
    )


def dm_event(user: str, text: str, thread_ts: str | None = None) -> dict[str, Any]:
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "D" + user[1:],
        "user": user,
        "text": text,
        "ts": f"{time.time():.6f}",
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def mention_event(user: str, text: str, channel: str, ts: str) -> dict[str, Any]:
    return {
        "type": "app_mention",
        "channel": channel,
        "user": user,
        "text": f"<@{BOT_USER_ID}> {text}",
        "ts": ts,
    }


def block_actions_payload(
    user: str,
    button: dict[str, Any],
    channel: str,
    message_ts: str,
    ephemeral: bool = False,
    message: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What Slack sends when ``user`` clicks ``button`` on a message (``block_actions``)."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": TEAM_ID},
        "user": {"id": user},
        "api_app_id": "A0HMS",
        "trigger_id": "1.2.3",
        "channel": {"id": channel},
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": ephemeral,
        },
        "actions": [
            {
                "type": "button",
                "action_id": button["action_id"],
                "block_id": "b1",
                "value": button["value"],
                "text": button["text"],
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    if message is not None:
        payload["message"] = message
    return payload


def block_actions_body(
    user: str, button: dict[str, Any], channel: str, message_ts: str, ephemeral: bool = False
) -> str:
    """The form body of a button click (``payload=<json>``)."""
    from urllib.parse import urlencode

    payload = block_actions_payload(user, button, channel, message_ts, ephemeral)
    return urlencode({"payload": json.dumps(payload)})


def buttons_of(params: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = params.get("blocks") or []
    return [e for b in blocks if b.get("type") == "actions" for e in b.get("elements", [])]
