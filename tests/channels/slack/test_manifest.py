"""The shipped Slack app manifest matches what the channel listens to."""

from pathlib import Path

import yaml

from assistant.channels.slack.mount import EVENTS_PATH

MANIFEST = Path(__file__).resolve().parents[3] / "slack" / "manifest.yml"


def test_manifest_declares_events_command_and_scopes():
    data = yaml.safe_load(MANIFEST.read_text())
    settings = data["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_home_opened",
        "app_mention",
        "message.im",
    }
    assert settings["interactivity"]["is_enabled"] is True
    assert [c["command"] for c in data["features"]["slash_commands"]] == ["/hms"]
    urls = [
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
        data["features"]["slash_commands"][0]["url"],
    ]
    assert all(u.endswith(EVENTS_PATH) for u in urls)
    assert data["features"]["app_home"]["home_tab_enabled"] is True
    scopes = set(data["oauth_config"]["scopes"]["bot"])
    assert {"chat:write", "im:history", "users:read.email", "commands"} <= scopes
    assert not any(s.startswith("channels:history") for s in scopes)  # only what is needed
