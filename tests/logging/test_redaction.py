from __future__ import annotations

import asyncio
import io
import logging
import logging.config
import threading
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from assistant.logging import LIBRARY_LOGGERS, PhiRedactionFilter, configure_logging

MRN = "10004821"


@dataclass(frozen=True)
class FakeSettings:
    var_dir: Path

    @property
    def log_dir(self) -> Path:
        return self.var_dir / "log"


@pytest.fixture(autouse=True)
def restore_logging():
    root = logging.getLogger()
    saved_root = (list(root.handlers), list(root.filters), root.level)
    saved_factory = logging.getLogRecordFactory()
    saved = {
        name: (list(lg.handlers), list(lg.filters), lg.propagate, lg.level, lg.disabled)
        for name in LIBRARY_LOGGERS
        for lg in [logging.getLogger(name)]
    }
    yield
    for handler in root.handlers:
        if handler not in saved_root[0]:
            handler.close()
    root.handlers[:], root.filters[:], root.level = saved_root
    logging.setLogRecordFactory(saved_factory)
    for name, (handlers, filters, propagate, level, disabled) in saved.items():
        lg = logging.getLogger(name)
        lg.handlers[:], lg.filters[:] = handlers, filters
        lg.propagate, lg.level, lg.disabled = propagate, level, disabled


@pytest.fixture
def capture(tmp_path):
    stream = io.StringIO()
    configure_logging("test", FakeSettings(tmp_path), stream=stream, names=["Alice Walker"])

    def output() -> str:
        for handler in logging.getLogger().handlers:
            handler.flush()
        return stream.getvalue() + (tmp_path / "log" / "test.log").read_text()

    return output


@pytest.mark.parametrize("name", ["", *LIBRARY_LOGGERS])
def test_logging_redacts_mrn_token_and_name_on_each_logger(capture, name):
    logging.getLogger(name).warning(
        "lookup mrn=%s for patient %s with Authorization: Bearer %s",
        MRN, "Bob Stone", "eyJhbGciOiJIUzI1NiJ9.e30.sig",
    )  # fmt: skip
    logging.getLogger(name).warning("json_body: {'channel': 'D1', 'text': 'Alice Walker in bed 6'}")
    out = capture()
    assert out.count("lookup mrn=[mrn] for patient [name]") == 2  # stderr and file
    for secret in (MRN, "Bob", "Stone", "eyJhbGci", "Alice", "Walker", "bed 6"):
        assert secret not in out
    assert "'text': '[redacted]'" in out


def test_logging_drops_records_with_user_text(capture):
    logging.getLogger("actions").warning("message received", extra={"user_text": "hi there"})
    logging.getLogger("actions").warning("kept")
    out = capture()
    assert "message received" not in out and "hi there" not in out and "kept" in out


def test_logging_keeps_ticket_ids_and_counts(capture):
    logging.getLogger("assistant.handoff").warning("ticket HD-000042 claimed; 3 waiting; seq 1234")
    assert "ticket HD-000042 claimed; 3 waiting; seq 1234" in capture()


def test_logging_redacts_text_arguments_and_slack_tokens(capture):
    logging.getLogger("slack_sdk").warning(
        "POST chat.postMessage text=Alice%20Walker&token=xoxb-1-abc"
    )
    out = capture()
    assert "text=[redacted]" in out and "xoxb-1-abc" not in out and "Alice" not in out


def test_logging_redacts_exception_text(capture):
    try:
        raise LookupError(f"no stay for patient Carol Jones {MRN}")
    except LookupError:
        logging.getLogger("uvicorn.error").exception("lookup failed")
    out = capture()
    assert "LookupError" in out and MRN not in out and "Carol" not in out


def test_logging_handler_added_later_gets_redacted_text(capture):
    late = io.StringIO()
    logging.getLogger("rasa_sdk").addHandler(logging.StreamHandler(late))
    logging.getLogger("rasa_sdk.executor").warning("patient %s mrn %s", "Dan Brown", MRN)
    assert late.getvalue() == "patient [name] mrn [mrn]\n"


def test_logging_record_that_cannot_be_redacted_keeps_none_of_its_text(capture, monkeypatch):
    # at interpreter exit a module's globals are None: "Unclosed connector" logged by a
    # garbage-collected aiohttp pool raised TypeError inside the record factory
    import phi_filter

    monkeypatch.setattr(phi_filter, "redact_phi", None)
    try:
        raise LookupError(f"no stay for {MRN}")
    except LookupError:
        logging.getLogger("aiohttp.client").exception("patient %s mrn %s", "Dan Brown", MRN)
    monkeypatch.undo()
    out = capture()
    assert phi_filter.REDACTION_FAILED in out
    assert MRN not in out and "Dan" not in out and "LookupError" not in out


def test_configure_logging_twice_does_not_duplicate_lines(tmp_path):
    stream = io.StringIO()
    configure_logging("twice", FakeSettings(tmp_path), stream=stream)
    configure_logging("twice", FakeSettings(tmp_path), stream=stream)
    logging.getLogger("x").warning("once")
    assert stream.getvalue().count("once") == 1


def test_filter_with_names_redacts_known_names_in_any_form():
    phi = PhiRedactionFilter.with_names(["Alice Walker"])
    assert phi.redact("Walker, Alice and ALICE WALKER and Mrs Walker") == (
        "[name] and [name] and Mrs [name]"
    )


def _uvicorn_access_output(tmp_path: Path, apply_uvicorn_config: bool) -> str:
    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    if apply_uvicorn_config:  # as uvicorn.run() does with its default log_config
        logging.config.dictConfig(uvicorn.config.LOGGING_CONFIG)
    stream = io.StringIO()
    configure_logging("gateway", FakeSettings(tmp_path), stream=stream)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=asyncio.run, args=(server.serve(),), daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    response = httpx.get(f"http://127.0.0.1:{port}/patients?mrn={MRN}&name=x")
    server.should_exit = True
    thread.join(10)
    assert response.status_code == 200
    return stream.getvalue()


@pytest.mark.parametrize("apply_uvicorn_config", [False, True])
def test_logging_redacts_uvicorn_access_line_query_string(tmp_path, apply_uvicorn_config):
    out = _uvicorn_access_output(tmp_path, apply_uvicorn_config)
    assert "GET /patients?mrn=[mrn]&name=x HTTP/1.1" in out
    assert MRN not in out


def test_filter_keeps_uvicorn_access_args_for_its_formatter():
    from uvicorn.logging import AccessFormatter

    args = ("127.0.0.1:5000", "GET", f"/patients?mrn={MRN}", "1.1", 200)
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d', args, None
    )
    assert PhiRedactionFilter().filter(record)
    formatter = AccessFormatter(
        '%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False
    )
    assert formatter.format(record) == '127.0.0.1:5000 - "GET /patients?mrn=[mrn] HTTP/1.1" 200 OK'
