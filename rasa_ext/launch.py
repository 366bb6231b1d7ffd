"""Start Rasa's CLI with the project's runtime adjustments applied first.

Usage: ``.venv-rasa/bin/python -m rasa_ext.launch run ...`` (same arguments as ``rasa``).

Adjustments (each measured or required by DESIGN.md section 3):
- telemetry is off before Rasa is imported (nothing phones home);
- the action-server response schema validator is compiled once (to Python code, by
  ``fastjsonschema``) instead of on every action call (``jsonschema.validate`` re-checks
  and re-compiles the schema each time, about 50 ms per action on these machines);
- every log record Rasa (or a library it uses) creates passes the same PHI redaction as
  the application's logs (``assistant.logging`` is plain Python and runs on 3.10 too):
  Rasa logs slot values and message text in some warnings and errors;
- the fast path of ``rasa_ext.fastpath`` (states built once per event, pooled action
  calls, bounded action payloads, no silent fallback to an in-memory tracker store);
- an action server that cannot be reached, or fails, is answered with one clear
  retryable reply instead of silence (``rasa_ext.actiondown``);
- the heap settles once the model is loaded (``rasa_ext.heap``: ``gc.freeze``), so the
  garbage collector's full passes no longer walk the model's millions of objects;
- Rasa's HTTP API token is read from ``RASA_AUTH_TOKEN`` in the environment the launcher
  controls and added to the arguments inside this process only, so it never appears on
  a command line (``ps`` shows the arguments the process was started with).
"""

from __future__ import annotations

import copy
import os
import sys
from collections.abc import Mapping
from typing import Any


def response_validator(schema: dict[str, Any]) -> Any:
    """``validate(result)`` for Rasa's action response schema, compiled once.

    The schema's events are a ``oneOf`` over 23 event schemas, each pinning ``event`` to its
    own constant: jsonschema tries every one of them for every event. Exactly one can match,
    so checking the one named by the event is the same answer; the rest of the schema is
    checked as it is. Each part is compiled to Python code by ``fastjsonschema`` (jsonschema
    interprets the schema on every call, about a tenth of a worker's time); a failure
    raises jsonschema's ``ValidationError`` as Rasa expects (``tests/rasa_ext/
    test_fastpath.py`` compares the answers with jsonschema's on the whole schema)."""
    import fastjsonschema
    from jsonschema import ValidationError

    def compiled(part: dict[str, Any]) -> Any:
        check = fastjsonschema.compile(part)

        def run(value: Any) -> None:
            try:
                check(value)
            except fastjsonschema.JsonSchemaException as exc:
                raise ValidationError(str(exc)) from None

        return run

    outer = copy.deepcopy(schema)
    items = outer["properties"]["events"]["items"]
    by_event = {sub["properties"]["event"]["const"]: compiled(sub) for sub in items.pop("oneOf")}
    check_outer = compiled(outer)

    def validate(result: Any) -> None:
        check_outer(result)
        for event in result.get("events") or ():
            check_event = by_event.get(event["event"])
            if check_event is None:
                raise ValidationError(f"{event['event']!r} is not a known event")
            check_event(event)

    return validate


def _compile_action_response_validator() -> None:
    from jsonschema import ValidationError
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    validate = response_validator(RemoteAction.action_response_format_spec())

    def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
        try:
            validate(result)
            return True
        except ValidationError as error:
            error.message += (
                ". Failed to validate Action server response from API, make sure your "
                f"response from the Action endpoint is valid. See {DOCS_BASE_URL}/custom-actions"
            )
            raise

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]


def _redact_logs() -> None:
    from assistant.logging import PhiRedactionFilter, install_record_factory

    install_record_factory(PhiRedactionFilter())


def with_auth_token(args: list[str], environ: Mapping[str, str]) -> list[str]:
    """``--auth-token`` from ``RASA_AUTH_TOKEN`` for ``run --enable-api`` (not given on the
    command line; refused there so that nobody puts it back)."""
    if "--auth-token" in args or any(a.startswith("--auth-token=") for a in args):
        raise SystemExit("rasa_ext.launch: pass the API token in RASA_AUTH_TOKEN, not argv")
    token = environ.get("RASA_AUTH_TOKEN", "")
    if args[:1] == ["run"] and "--enable-api" in args:
        if not token:
            raise SystemExit("rasa_ext.launch: --enable-api needs RASA_AUTH_TOKEN")
        # one argument: a token_urlsafe token can start with "-", which argparse would
        # take for an option if it came as a separate word
        return [*args, f"--auth-token={token}"]
    return list(args)


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    _redact_logs()
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    _compile_action_response_validator()
    from rasa_ext.actiondown import install as say_failed_actions
    from rasa_ext.fastpath import install
    from rasa_ext.heap import freeze_after_model_load

    install()
    say_failed_actions()  # a failed action call is answered, never silence
    freeze_after_model_load()
    from rasa.__main__ import main as rasa_main

    args = with_auth_token(list(argv if argv is not None else sys.argv[1:]), os.environ)
    sys.argv = ["rasa", *args]
    rasa_main()


if __name__ == "__main__":
    main()
