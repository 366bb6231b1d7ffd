"""Proactive notices as Slack DMs (``users.lookupByEmail`` -> ``conversations.open`` ->
``chat.postMessage``), for ``assistant.watches``. The notice holds no PHI."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError

from assistant.channels.slack.app import SlackConfig, web_client

log = logging.getLogger(__name__)


@dataclass
class SlackDm:
    client: Any  # slack_sdk AsyncWebClient
    name: str = "slack"

    async def deliver(self, staff: Any, notice: Any) -> bool:
        """DM the staff member (found by their HMS email); False if Slack does not know them."""
        if not getattr(staff, "email", None):
            return False
        try:
            found = await self.client.users_lookupByEmail(email=staff.email)
        except SlackApiError as exc:
            log.info(
                "slack notice: no Slack user for a staff member (%s)", exc.response.get("error")
            )
            return False
        user = found.get("user") or {}
        if user.get("deleted") or not user.get("id"):
            return False
        opened = await self.client.conversations_open(users=user["id"])
        await self.client.chat_postMessage(
            channel=opened["channel"]["id"],
            text=notice.text,
            metadata={"event_type": "hms_notice", "event_payload": {"kind": "bed_watch_notice"}},
        )
        return True


def slack_dm_channel(settings: Any) -> SlackDm | None:
    """The Slack DM channel when Slack is configured (bot token), else None."""
    if not settings.slack_bot_token:
        return None
    config = SlackConfig(
        settings.slack_bot_token, settings.slack_signing_secret or "", settings.slack_api_url
    )
    return SlackDm(web_client(config))
