"""PHI redaction for every process's logs (the assistant's and the reference HMS's).

A neutral package: it imports nothing of ``assistant`` or ``hms``, so both use it
(``assistant.logging`` re-exports it with the assistant's settings; the reference HMS
calls ``configure_logging(name, log_dir)`` itself). It runs on Python 3.10 too (Rasa).

``configure_logging("gateway", log_dir)`` logs to stderr and ``<log_dir>/gateway.log``; every
handler (and the loggers of the libraries we run) carries a ``PhiRedactionFilter`` that

- drops records logged with ``extra={"user_text": ...}`` (the convention for message text),
- replaces MRNs (8-digit runs), bearer tokens, Slack tokens, Fernet keys and secrets,
- replaces known patient names (``PhiRedactionFilter.with_names``) and "patient <Name>",
- replaces ``text=...`` / ``"text": "..."`` payloads (message text logged by libraries).

Records are also redacted when created (a log record factory), so a handler a library
adds later still gets redacted text. Ticket ids (``HD-000042``), seq numbers and FHIR ids
pass through. Call this before
starting uvicorn and pass ``log_config=None`` so uvicorn keeps these handlers.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

REDACTED = "[redacted]"
LIBRARY_LOGGERS = (
    "rasa_sdk",
    "slack_bolt",
    "slack_sdk",
    "uvicorn",
    "uvicorn.access",
    "uvicorn.error",
    "sanic",
    "sanic.root",
    "sanic.access",
    "sanic.error",
    "httpx",
    "httpcore",
)
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"

_QUOTED_TEXT = re.compile(
    r"""(?P<key>(?P<q>["'])text(?P=q)\s*:\s*)(?P<v>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')"""
)
_TEXT_ARG = re.compile(
    r"""(?P<key>\btext=)(?P<v>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|[^\s&,;)\]}]*)"""
)
_BEARER = re.compile(r"(?i)\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]{8,}")
_SECRET_KV = re.compile(
    r"""(?i)(?P<key>(?<![A-Za-z0-9])["']?(?:api[_-]?key|apikey|access[_-]?token|token|secret|password|passwd|pin|"""
    r"""signing[_-]?key|data[_-]?key|authorization|x-api-key)["']?\s*[:=]\s*)"""
    r"""(?!\[redacted\]|(?:bearer|basic)\s)(?P<v>"[^"]*"|'[^']*'|[^\s&,;)\]}]+)"""
)
_SLACK_TOKEN = re.compile(r"\bx(?:ox[abposre]|app)-[A-Za-z0-9-]+")
_FERNET_KEY = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}=(?![A-Za-z0-9_=-])")
_MRN = re.compile(r"(?<!\d)\d{8}(?!\d)")
_NAME_WORD = r"[A-Z][A-Za-z'\-]+"
_PATIENT_NAME = re.compile(
    rf"(?P<lead>\b(?i:patient|pt\.?|patient's)\s+)(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})"
)


def _names_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    variants: set[str] = set()
    for name in names:
        parts = name.split()
        if not parts:
            continue
        variants.add(" ".join(parts))
        if len(parts) > 1:
            variants.add(f"{parts[-1]}, {' '.join(parts[:-1])}")
            if len(parts[-1]) >= 3:
                variants.add(parts[-1])
    if not variants:
        return None
    ordered = sorted(variants, key=len, reverse=True)
    alternation = "|".join(r"\s+".join(map(re.escape, v.split())) for v in ordered)
    return re.compile(rf"(?i)\b(?:{alternation})\b")


def redact_phi(text: str, names: re.Pattern[str] | None = None) -> str:
    """Replace PHI and secrets in one string (used by the filter and for ticket summaries)."""
    text = _QUOTED_TEXT.sub(lambda m: f"{m['key']}{m['q']}{REDACTED}{m['q']}", text)
    text = _TEXT_ARG.sub(lambda m: f"{m['key']}{REDACTED}", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _SLACK_TOKEN.sub(REDACTED, text)
    text = _SECRET_KV.sub(lambda m: f"{m['key']}{REDACTED}", text)
    text = _FERNET_KEY.sub(REDACTED, text)
    text = _MRN.sub("[mrn]", text)
    if names is not None:
        text = names.sub("[name]", text)
    return _PATIENT_NAME.sub(lambda m: f"{m['lead']}[name]", text)


REDACTION_FAILED = "[log record withheld: it could not be redacted]"


class PhiRedactionFilter(logging.Filter):
    """Drops records carrying user text; redacts PHI/secrets from the rest (in place)."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        super().__init__()
        self._names = _names_pattern(names)

    @classmethod
    def with_names(cls, names: Iterable[str]) -> PhiRedactionFilter:
        return cls(names)

    def set_names(self, names: Iterable[str]) -> None:
        """Replace the known patient names (``phi_filter.names`` keeps them current)."""
        self._names = _names_pattern(names)

    def redact(self, text: str) -> str:
        return redact_phi(text, self._names)

    def _redact_arg(self, value: Any) -> Any:
        return self.redact(value) if isinstance(value, str) else value

    def _redact_args_in_place(self, record: logging.LogRecord, expected: str) -> bool:
        """uvicorn's AccessFormatter unpacks ``record.args``: keep that tuple when redacting
        each part gives the same text as redacting the whole line."""
        if record.name != "uvicorn.access" or not isinstance(record.args, tuple):
            return False
        args = tuple(self._redact_arg(arg) for arg in record.args)
        try:
            rendered = str(record.msg) % args
        except (TypeError, ValueError):
            return False
        if rendered != expected:
            return False
        record.args = args
        return True

    def redact_record(self, record: logging.LogRecord) -> None:
        """Redact message, arguments, exception and stack text of a record in place; when
        redacting itself fails (at interpreter exit the module's globals are gone), the
        record keeps none of its text."""
        if getattr(record, "_phi_redacted", False):
            return
        try:
            self._redact_in_place(record)
        except Exception:
            record.msg, record.args = REDACTION_FAILED, ()
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        record._phi_redacted = True

    def _redact_in_place(self, record: logging.LogRecord) -> None:
        try:
            message = self.redact(record.getMessage())
        except Exception:
            message = self.redact(str(record.msg))
        if not self._redact_args_in_place(record, message):
            record.msg, record.args = message, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "user_text", None) is not None:
            return False
        self.redact_record(record)
        return True


def install_record_factory(phi_filter: PhiRedactionFilter) -> None:
    """Redact every record when it is created, so handlers added later (by a library,
    after configure_logging) never see PHI either. Records carrying ``user_text`` are
    still dropped by the handler filters."""
    current = logging.getLogRecordFactory()
    base = getattr(current, "_hms_base", current)

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = base(*args, **kwargs)
        phi_filter.redact_record(record)
        return record

    factory._hms_base = base  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def _our_handler(handler: logging.Handler) -> bool:
    return getattr(handler, "_hms_handler", False)


def configure_logging(
    process_name: str,
    log_dir: Path,
    *,
    level: int | str = logging.INFO,
    names: Iterable[str] = (),
    stream: Any = None,
) -> PhiRedactionFilter:
    """Log to stderr and ``<log_dir>/<process_name>.log`` through the PHI filter.

    Idempotent: calling it again replaces this module's handlers. Library loggers keep
    no handlers of their own and propagate to the root, so every record passes the filter.
    """
    phi_filter = PhiRedactionFilter.with_names(names)
    formatter = logging.Formatter(FORMAT)
    os.umask(0o077)  # logs and everything else this process writes under var/: owner only
    log_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    handlers: list[logging.Handler] = [
        logging.StreamHandler(stream if stream is not None else sys.stderr),
        logging.FileHandler(log_dir / f"{process_name}.log", encoding="utf-8"),
    ]
    root = logging.getLogger()
    for old in [h for h in root.handlers if _our_handler(h)]:
        root.removeHandler(old)
        old.close()
    for handler in handlers:
        handler._hms_handler = True  # type: ignore[attr-defined]
        handler.setFormatter(formatter)
        handler.addFilter(phi_filter)
        root.addHandler(handler)
    root.setLevel(level)
    for handler in root.handlers:  # handlers others added to the root get the filter too
        _replace_filter(handler, phi_filter)
    for name in LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
        logger.propagate = True
        _replace_filter(logger, phi_filter)
    # httpx/httpcore log every request URL at INFO, query strings included (a FHIR search
    # can carry an MRN): keep them to warnings.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    install_record_factory(phi_filter)
    logging.captureWarnings(True)
    return phi_filter


def _replace_filter(target: logging.Filterer, phi_filter: PhiRedactionFilter) -> None:
    for old in [f for f in target.filters if isinstance(f, PhiRedactionFilter)]:
        target.removeFilter(old)
    target.addFilter(phi_filter)
