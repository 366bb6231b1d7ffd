"""Command modules for ``python -m assistant`` (one module per command)."""
