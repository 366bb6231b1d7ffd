"""The gateway process: channels (REST, Slack, kiosk) in front of the Rasa workers."""

from .app import CHANNELS, create_app
from .context import GatewayContext
from .rasa import HandoffRouter, RasaAssistant

__all__ = ["CHANNELS", "GatewayContext", "HandoffRouter", "RasaAssistant", "create_app"]
