"""MLLP framing (HL7 v2 over TCP): ``<VT> message <FS><CR>``.

``FrameReader`` turns a byte stream into frames: bytes outside a frame are dropped and
counted, a frame larger than ``max_frame`` is cut off and reported as oversized (so a
sender that never ends a frame cannot exhaust memory).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

START = b"\x0b"
END = b"\x1c\x0d"
MAX_FRAME = 1024 * 1024


def frame(message: str | bytes) -> bytes:
    body = message.encode("utf-8") if isinstance(message, str) else message
    return START + body + END


@dataclass(frozen=True)
class Frame:
    body: bytes
    oversized: bool = False


class FrameReader:
    def __init__(self, max_frame: int = MAX_FRAME) -> None:
        self.max_frame = max_frame
        self.dropped = 0  # bytes seen outside any frame
        self._buf = bytearray()
        self._in_frame = False
        self._skipping = False  # inside an oversized frame, waiting for its end

    def feed(self, data: bytes) -> Iterator[Frame]:
        self._buf += data
        while True:
            if not self._in_frame:
                start = self._buf.find(START)
                if start < 0:
                    self.dropped += len(self._buf)
                    self._buf.clear()
                    return
                self.dropped += start
                del self._buf[: start + 1]
                self._in_frame = True
            end = self._buf.find(END)
            if end < 0:
                if len(self._buf) > self.max_frame:
                    if not self._skipping:
                        self._skipping = True
                        yield Frame(b"", oversized=True)
                    # keep one byte: it may be the FS of a split FS+CR end
                    del self._buf[:-1]
                return
            body = bytes(self._buf[:end])
            del self._buf[: end + len(END)]
            self._in_frame = False
            if self._skipping:
                self._skipping = False
                continue
            if len(body) > self.max_frame:
                yield Frame(b"", oversized=True)
                continue
            yield Frame(body)
