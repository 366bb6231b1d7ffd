"""Send HL7 v2 messages to an MLLP listener and print each ACK (``python -m hms adt-send``).

For interface testing: each file holds one message (segments on separate lines, CR or
LF); all are sent on one connection, each after the previous ACK.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable
from pathlib import Path

from hms.adt.message import normalise
from hms.adt.mllp import FrameReader, frame


def send_files(host: str, port: int, files: Iterable[Path], timeout: float = 30.0) -> list[str]:
    """The ACK (ER7 text) for each file, in order."""
    acks = []
    with socket.create_connection((host, port), timeout=timeout) as sock:
        reader = FrameReader()
        for path in files:
            sock.sendall(frame(normalise(path.read_bytes())))
            got: list[bytes] = []
            while not got:
                data = sock.recv(65536)
                if not data:
                    raise ConnectionError("the listener closed the connection")
                got = [f.body for f in reader.feed(data)]
            acks.append(got[0].decode("utf-8", errors="replace"))
    return acks
