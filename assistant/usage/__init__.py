"""Usage figures for managers and IT: per-turn records, the dashboard and ``/metrics``.

The gateway records one ``usage_turn`` row per conversation turn (``recorder``): channel,
role, the intent and outcome read from the replies' ``custom.kind`` (``classify``), and
the latency. Nothing in a row is PHI. ``report`` computes the dashboard's figures from
those rows, the help-desk tickets and the audit trail; ``metrics`` exposes the same
counters to Prometheus; ``web`` serves the page, its JSON and the CSV export.
"""
