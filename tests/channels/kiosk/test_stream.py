import io
import wave

import pytest

from assistant.channels.kiosk.speech.stream import sentences, stream_wav
from assistant.channels.kiosk.speech.wav import write_wav


class Counting:
    name = "counting"

    def __init__(self, fail_on: int = -1) -> None:
        self.calls: list[str] = []
        self.fail_on = fail_on

    def synthesize(self, text: str) -> bytes:
        self.calls.append(text)
        if len(self.calls) - 1 == self.fail_on:
            raise RuntimeError("boom")
        return write_wav(b"\x01\x00" * 100, 22050)


def test_stream_splits_reply_into_sentences() -> None:
    assert sentences("Porter to bed 6 on 4B: urgent. Shall I send it?") == [
        "Porter to bed 6 on 4B:",
        "urgent.",
        "Shall I send it?",
    ]


def test_stream_yields_one_playable_wav() -> None:
    tts = Counting()
    data = b"".join(stream_wav(tts, "One. Two."))
    assert tts.calls == ["One.", "Two."]
    with wave.open(io.BytesIO(data)) as w:
        assert w.getframerate() == 22050
        assert w.readframes(1000) == b"\x01\x00" * 200


def test_stream_stops_quietly_after_a_later_failure() -> None:
    data = b"".join(stream_wav(Counting(fail_on=1), "One. Two. Three."))
    assert len(data) == 44 + 200


def test_stream_raises_when_nothing_can_be_said() -> None:
    with pytest.raises(RuntimeError):
        b"".join(stream_wav(Counting(fail_on=0), "One."))
