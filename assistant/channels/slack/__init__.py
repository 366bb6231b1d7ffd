"""The Slack channel: slack-bolt app for nurses and clinicians (DMs, mentions, /hms, App Home).

The gateway calls :func:`mount`. Only this package (with the other channels) imports
slack_bolt.
"""

from .mount import mount

__all__ = ["mount"]
