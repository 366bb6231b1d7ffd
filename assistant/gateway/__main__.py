"""``python -m assistant.gateway``: serve the gateway on ``BIND_HOST:GATEWAY_PORT``."""

from __future__ import annotations

import importlib
import logging

import uvicorn

from assistant.config import get_settings

from .app import create_app


def configure(settings: object) -> None:
    """Use the project's logging setup (PHI redaction) when present."""
    try:
        module = importlib.import_module("assistant.logging")
    except ImportError:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
        return
    module.configure_logging("gateway", settings)


def main() -> None:
    settings = get_settings()
    configure(settings)
    app = create_app(settings)
    uvicorn.run(
        app,
        host=settings.bind_host,
        port=settings.gateway_port,
        log_config=None,
        access_log=False,  # paths only would be fine, but keep logs to our own format
        server_header=False,
    )


if __name__ == "__main__":
    main()
