"""``python -m assistant.gateway``: serve the gateway on ``BIND_HOST:GATEWAY_PORT``."""

from __future__ import annotations

import uvicorn

from assistant.config import get_settings
from assistant.heap import settle
from assistant.logging import configure_logging
from assistant.phi_names import hms_names_source, start_name_refresh

from .app import create_app


def main() -> None:
    settings = get_settings()
    phi_filter = configure_logging("gateway", settings)  # stderr + var/log/gateway.log
    start_name_refresh(phi_filter, hms_names_source(settings))  # patient names to redact
    app = create_app(settings)
    settle()  # start-up objects out of the collector's passes (assistant.heap)
    uvicorn.run(
        app,
        host=settings.bind_host,
        port=settings.gateway_port,
        log_config=None,  # keep the handlers configure_logging installed
        access_log=False,
        server_header=False,
    )


if __name__ == "__main__":
    main()
