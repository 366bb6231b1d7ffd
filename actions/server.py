"""``python -m actions.server``: the rasa-sdk action server on BIND_HOST:ACTION_PORT.

rasa-sdk's own CLI listens on every interface; this builds the same app with
``rasa_sdk.endpoint.create_app`` and binds it to ``settings.bind_host`` (127.0.0.1 by
default), adds ``GET /healthz``, logs through the PHI redaction filter, and opens the
audit trail before accepting requests (no audit trail, no actions).
"""

from __future__ import annotations

import argparse
import logging
import sys

from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic, response

from actions.services import get_services
from assistant.heap import settle

log = logging.getLogger("actions.server")


def build_executor() -> ActionExecutor:
    """The package's actions plus one validator per catalog form and one question action
    per asked slot (``actions.registry.catalog_actions``)."""
    from actions.registry import catalog_actions

    executor = ActionExecutor()
    executor.register_package("actions")
    for action in catalog_actions():
        executor.register_action(action)
    return executor


def build_app(executor: ActionExecutor | None = None) -> Sanic:
    executor = executor or build_executor()
    app = create_app(executor, cors_origins="")  # no browser ever calls the action server

    from assistant.practice.actions import install  # practice principals -> training hospital

    install(app, lambda: get_services().settings.principal_key)

    @app.get("/healthz")
    async def healthz(_request):  # type: ignore[no-untyped-def]
        return response.json({"status": "ok", "actions": len(executor.actions)})

    @app.after_server_stop
    async def close_hms(_app, _loop):  # type: ignore[no-untyped-def]
        from actions.services import close_services

        await close_services()

    return app


def _configure_logging() -> None:
    from assistant.config import get_settings
    from assistant.logging import configure_logging
    from assistant.phi_names import hms_names_source, start_name_refresh

    settings = get_settings()
    phi_filter = configure_logging("actions", settings)
    start_name_refresh(phi_filter, hms_names_source(settings))  # patient names to redact


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m actions.server", description=__doc__)
    parser.add_argument("--host", help="override BIND_HOST")
    parser.add_argument("--port", type=int, help="override ACTION_PORT")
    args = parser.parse_args(argv)
    _configure_logging()
    try:
        services = get_services()
    except Exception as exc:  # e.g. AuditWriteError: refuse to serve without an audit trail
        log.error("action server cannot start: %s", type(exc).__name__)
        return 1
    host = args.host or services.settings.bind_host
    port = args.port or services.settings.action_port
    app = build_app()
    settle()  # start-up objects out of the collector's passes (assistant.heap)
    log.info("action server on http://%s:%s", host, port)
    app.run(host=host, port=port, single_process=True, access_log=False, motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
