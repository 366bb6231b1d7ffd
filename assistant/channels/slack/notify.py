"""One-off posts to a Slack channel from operator commands (the daily compliance post).

The only place outside the bolt app that talks to Slack's Web API (``slack_sdk``), so the
CLI never imports Slack libraries itself.
"""

from __future__ import annotations

from typing import Any


class PostRefused(Exception):
    """Slack did not accept the message; the message is Slack's error code."""


def post_text(settings: Any, channel: str, text: str) -> None:
    """``chat.postMessage`` with ``SLACK_BOT_TOKEN`` (and ``SLACK_API_URL`` if set)."""
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    client = (
        WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)
        if settings.slack_api_url
        else WebClient(token=settings.slack_bot_token)
    )
    try:
        client.chat_postMessage(channel=channel, text=text)
    except SlackApiError as exc:
        raise PostRefused(str(exc.response.get("error"))) from exc
