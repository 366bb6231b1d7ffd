"""Build the slack-bolt ``AsyncApp`` with its collaborators injected."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from assistant.conversation import Assistant

from .dedupe import MemoryDedupe
from .handlers import register
from .home import HomeExtrasReader, PolicyLoader, load_default_policy
from .identity import SlackIdentity
from .ports import DedupeStore, RefusalAudit, StaffDirectory
from .turns import Turns

logger = logging.getLogger(__name__)


class LoggingRefusalAudit:
    """Fallback when no audit sink is configured: logs the refusal (no PHI)."""

    async def refused(self, *, slack_user: str, reason: str, staff: str | None) -> None:
        logger.warning("AUDIT slack refusal user=%s reason=%s staff=%s", slack_user, reason, staff)


@dataclass(frozen=True)
class SlackConfig:
    bot_token: str
    signing_secret: str
    api_url: str | None = None


def web_client(config: SlackConfig) -> AsyncWebClient:
    if config.api_url:
        base = config.api_url if config.api_url.endswith("/") else config.api_url + "/"
        return AsyncWebClient(token=config.bot_token, base_url=base)
    return AsyncWebClient(token=config.bot_token)


def build_app(
    config: SlackConfig,
    *,
    assistant: Assistant,
    directory: StaffDirectory,
    audit: RefusalAudit | None = None,
    dedupe: DedupeStore | None = None,
    policy: PolicyLoader = load_default_policy,
    identity_ttl: float = 300.0,
    home_extras: HomeExtrasReader | None = None,
) -> AsyncApp:
    """A bolt app that acks first and answers afterwards (``process_before_response=False``)."""
    app = AsyncApp(
        client=web_client(config),
        signing_secret=config.signing_secret,
        process_before_response=False,
        logger=logging.getLogger("assistant.channels.slack.bolt"),
    )
    turns = Turns(
        assistant=assistant,
        identity=SlackIdentity(directory, ttl=identity_ttl),
        audit=audit or LoggingRefusalAudit(),
    )
    register(app, turns, dedupe or MemoryDedupe(), policy, home_extras)
    return app
