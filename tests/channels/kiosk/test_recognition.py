from typing import Any

import pytest

from assistant.channels.kiosk.speech.normalise import normalise

CODES = ["4B", "7", "ICU", "HDU", "CCU", "ED", "PAED", "MAT"]


@pytest.mark.parametrize(
    ("fixture", "details"),
    [
        ("espeak_free_beds_4b", ["free beds", "4B"]),
        ("espeak_porter_bed_six", ["porter", "bed 6"]),
        ("espeak_mrn", ["10004821"]),
        ("piper_free_beds_4b", ["free beds", "4B"]),
        ("piper_porter_bed_six", ["porter", "bed 6"]),
        ("piper_sign_out", ["sign out"]),
    ],
)
def test_recognition_gets_key_details(stt: Any, wav: Any, fixture: str, details: list[str]) -> None:
    text = normalise(stt.transcribe(wav(fixture)).text, CODES)
    for detail in details:
        assert detail in text


def test_recognition_of_noise_only_is_empty(stt: Any, wav: Any) -> None:
    assert stt.transcribe(wav("silence")).text.strip() == ""
