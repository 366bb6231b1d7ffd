"""Edges of the system: where staff messages come in (REST, Slack, kiosk).

Only this package imports slack_bolt or audio libraries. Each channel module exposes
``mount(app, ctx)`` which the gateway calls; a channel that is not configured says so
and mounts nothing (or only what works without its settings).
"""
