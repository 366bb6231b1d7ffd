"""Helpers for the ADT tests: sample messages, a listener on a loopback port, an MLLP client.

The client does its own framing (``<VT> ... <FS><CR>``) so the listener's framing is
tested against an independent implementation.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hl7apy.parser import parse_message

from hms.adt.listener import AdtListener
from hms.adt.processor import AdtProcessor
from hms.config import HmsOptions
from hms.db import session_factory

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "hl7"
VT, FS_CR = b"\x0b", b"\x1c\r"


def sample(name: str, **replace: str) -> str:
    """A sample message (``tests/data/hl7/<name>.hl7``) with CR separators; ``replace``
    swaps text (e.g. a control id) so one sample can be sent several times."""
    text = (SAMPLES / f"{name}.hl7").read_text(encoding="utf-8")
    for old, new in replace.items():
        text = text.replace(old, new)
    return "\r".join(line for line in text.splitlines() if line)


class Running:
    """An ``AdtListener`` on a free loopback port, its event loop in a thread."""

    def __init__(self, engine: Any, options: HmsOptions | None = None) -> None:
        self.processor = AdtProcessor(
            session_factory(engine), ZoneInfo("Europe/London"), options or HmsOptions()
        )
        self.listener = AdtListener(self.processor, "127.0.0.1", 0, idle_timeout=30)
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.listener.start())
        self._ready.set()
        self.loop.run_forever()

    def start(self) -> Running:
        self._thread.start()
        assert self._ready.wait(10), "listener did not start"
        return self

    @property
    def port(self) -> int:
        return self.listener.port

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.listener.close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)


def read_frame(sock: socket.socket, buf: bytearray) -> bytes:
    while FS_CR not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed before a full frame")
        buf += chunk
    start = buf.index(VT)
    end = buf.index(FS_CR)
    body = bytes(buf[start + 1 : end])
    del buf[: end + 2]
    return body


def exchange(port: int, *messages: str | bytes, framed: bool = True) -> list[Ack]:
    """Send each message on ONE connection, wait for each ACK in turn."""
    acks = []
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        buf = bytearray()
        for message in messages:
            raw = message.encode("utf-8") if isinstance(message, str) else message
            sock.sendall(VT + raw + FS_CR if framed else raw)
            acks.append(Ack.parse(read_frame(sock, buf).decode("utf-8")))
    return acks


def send(port: int, message: str | bytes) -> Ack:
    return exchange(port, message)[0]


@dataclass(frozen=True)
class Ack:
    text: str
    code: str  # MSA-1
    control_id: str  # MSA-2
    reason: str  # MSA-3
    error: str  # ERR-3.1 (2.5+) or ERR-1.4.1 (older)
    version: str
    message_type: str

    @classmethod
    def parse(cls, text: str) -> Ack:
        message = parse_message(text, find_groups=False)  # a real HL7 message, or this fails
        segs = {s.name: s for s in message.children}
        msa, err = segs["MSA"], segs.get("ERR")
        error = ""
        fields = err.to_er7().split("|") if err is not None else []
        if len(fields) > 3 and fields[3]:  # ERR-3 (HL7 2.5 and later)
            error = fields[3].split("^")[0]
        elif len(fields) > 1 and fields[1]:  # ERR-1 (before 2.5): ^^^code&text&HL70357
            error = fields[1].split("^")[3].split("&")[0]
        return cls(
            text=text,
            code=msa.msa_1.to_er7(),
            control_id=msa.msa_2.to_er7(),
            reason=msa.msa_3.to_er7(),
            error=error,
            version=message.msh.msh_12.to_er7(),
            message_type=message.msh.msh_9.to_er7(),
        )
