"""Shared fixtures. ``stack``: the whole stack (HMS, actions, Rasa, gateway) for a session.

The stack runs in a temporary var directory on free ports with the newest trained model
in ``models/`` (or ``STACK_MODEL=<path>``). Without a model (or without ``.venv-rasa``)
stack tests are skipped with the reason, unless ``REQUIRE_STACK=1``, when they fail. The
fake Slack Web API (``tests.fakes.slack_api``) is started first and the gateway pointed at it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The suite sends hundreds of requests from one address and a few staff members: the
# gateway's rate limits (tested on their own in tests/gateway/test_gateway_limits.py) are
# lifted for everything else. The launcher passes these on to the gateway it starts.
os.environ.setdefault("RATE_LIMIT_IP", "off")
os.environ.setdefault("RATE_LIMIT_USER", "off")
# In-process tests sign principals and write the keyed audit trail with these test keys
# (tests.keys); a started stack gets its own generated keys from its var/demo.env.
os.environ.setdefault("ASSISTANT_AUDIT_KEY", "test-audit-key-0123456789abcdefghijklmnop")
os.environ.setdefault("ASSISTANT_PRINCIPAL_KEY", "test-principal-key-0123456789abcdefghijk")


class StackHandle:
    """The running test stack and helpers to talk to it."""

    def __init__(self, stack: Any, fake_slack: Any) -> None:
        self.stack = stack
        self.fake_slack = fake_slack
        self.urls: dict[str, str] = stack.urls
        self.var_dir: Path = stack.var_dir
        self.env: dict[str, str] = stack.env

    def token(self, username: str, ttl: int = 3600) -> str:
        from assistant.identity.tokens import issue_token

        return issue_token(self.stack.secrets["ASSISTANT_SIGNING_KEY"], username, ttl=ttl)

    def post_message(
        self, token: str, text: str, conversation_id: str | None = None
    ) -> dict[str, Any]:
        """POST to the REST channel; return the JSON body (raises on non-200)."""
        import httpx

        body: dict[str, str] = {"text": text}
        if conversation_id:
            body["conversation_id"] = conversation_id
        response = httpx.post(
            self.urls["rest"],
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=60.0,
        )
        response.raise_for_status()
        return response.json()

    def say(self, username: str, *texts: str) -> list[list[str]]:
        """One conversation: send each text in turn; the reply texts of each turn."""
        token, conversation, turns = self.token(username), None, []
        for text in texts:
            data = self.post_message(token, text, conversation)
            conversation = data["conversation_id"]
            turns.append([r.get("text", "") for r in data["replies"]])
        return turns

    def fhir_get(self, path: str, **params: Any) -> dict[str, Any]:
        """Raw HMS read (bypassing the assistant) to check answers against HMS data."""
        import httpx

        response = httpx.get(
            self.urls["fhir"].rstrip("/") + "/" + path.lstrip("/"),
            params=params or None,
            headers={
                "Authorization": f"Bearer {self.stack.secrets['HMS_API_TOKEN']}",
                "Accept": "application/fhir+json",
            },
            timeout=30.0,
        )
        response.raise_for_status()
        return response.json()


# A test that uses a server fixture carries that server's marker, so `-m "not ..."` (`make
# unit`) leaves it out even when its module forgot the marker.
SERVER_MARKERS = {
    "stack": "stack",
    "redis_url": "redis",
    "postgres_url": "postgres",
    "chromium": "browser",
    "tracker_url": "rasa",  # tests/store/test_tracker_privacy.py: Rasa's own tracker store
    "real_hms": "servers",  # tests/assistant/hms: the reference HMS as a uvicorn subprocess
    "trust_hms": "servers",  # test_configured_server.py: the same, other identifier systems
}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        used = getattr(item, "fixturenames", ())
        for fixture, marker in SERVER_MARKERS.items():
            if fixture in used:
                item.add_marker(marker)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Iterator[None]:
    """Under REQUIRE_STACK/REQUIRE_SERVERS a skip from anywhere is a failure (honest CI)."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    from tests.require import required

    if report.skipped and required() and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under REQUIRE_STACK/REQUIRE_SERVERS: {report.longrepr}"


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackHandle]:
    with running_stack(tmp_path_factory) as handle:
        yield handle


@contextmanager
def running_stack(tmp_path_factory: pytest.TempPathFactory, **env: str) -> Iterator[StackHandle]:
    """A whole stack for a session (``env``: more variables for its processes)."""
    from assistant.stack import Stack
    from assistant.stack.files import newest_model

    model = Path(os.environ["STACK_MODEL"]) if os.environ.get("STACK_MODEL") else None
    missing = None
    if not (ROOT / ".venv-rasa" / "bin" / "rasa").exists():
        missing = "no .venv-rasa/bin/rasa (run `make setup`)"
    elif model is not None and not model.exists():
        missing = f"STACK_MODEL={model} does not exist"
    elif model is None and newest_model(ROOT / "models") is None:
        missing = "no trained Rasa model in models/ (run `make model`)"
    if missing:
        from tests.require import missing as refuse

        refuse(f"the whole stack ({missing})")

    from tests.fakes.slack_api import FakeSlackApi

    fake_slack = FakeSlackApi()
    fake_slack.start()
    extra_env: dict[str, str] = dict(
        SLACK_API_URL=fake_slack.url,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET="test-signing-secret",
        HELPDESK_CHANNEL="C0HELPDESK",
        **env,
    )
    running = Stack(
        var_dir=tmp_path_factory.mktemp("stack"),
        hms_port=0,
        action_port=0,
        rasa_port=0,
        gateway_port=0,
        extra_env=extra_env,
        model=model,
        inherit=False,  # a developer's shell settings never point the tests elsewhere
        say=lambda _: None,
    )
    try:
        running.start()
        yield StackHandle(running, fake_slack)
    finally:
        running.stop()
        fake_slack.stop()
