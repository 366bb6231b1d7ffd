import pytest

from assistant.channels.kiosk.speech.normalise import normalise, spoken


@pytest.mark.parametrize(
    ("heard", "written"),
    [
        ("how many free beds on ward four b", "how many free beds on ward 4B"),
        ("any beds on four b", "any beds on 4B"),
        ("i need a porter for bed twelve", "i need a porter for bed 12"),
        ("porter to bed thirty four", "porter to bed 34"),
        ("where is mrn one zero zero zero four eight two one", "where is mrn 10004821"),
        ("find patient one oh oh oh four eight two one", "find patient 10004821"),
        ("book cardiology at two thirty", "book cardiology at 2:30"),
        ("ten fifteen tomorrow", "10:15 tomorrow"),
        ("at three o'clock", "at 3:00"),
        ("half past two", "2:30"),
        ("send a porter to i c u", "send a porter to ICU"),
        ("beds in a and e", "beds in A&E"),
        ("beds on ward seven", "beds on ward 7"),
        ("bed twelve thirty", "bed 12 30"),
        ("i need i t support", "i need IT support"),
    ],
)
def test_normalise_spoken_forms(heard: str, written: str) -> None:
    assert normalise(heard) == written


def test_normalise_uses_known_ward_codes() -> None:
    assert normalise("beds on nine c", ward_codes=["9C"]) == "beds on 9C"
    assert normalise("beds on nine c", ward_codes=["4B"]) == "beds on 9 c"


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("free beds on 4B", "free beds on four b"),
        ("bed 12", "bed twelve"),
        ("mrn 10004821", "mrn one zero zero zero four eight two one"),
        ("at 2:30", "at two thirty"),
        ("at 3:05", "at three oh five"),
        ("at 2pm", "at two p m"),
        ("beds in a&e", "beds in a and e"),
    ],
)
def test_spoken_writes_what_is_said(written: str, said: str) -> None:
    assert spoken(written) == said


@pytest.mark.parametrize("text", ["free beds on 4B", "bed 12", "mrn 10004821", "at 2:30"])
def test_normalise_inverts_spoken(text: str) -> None:
    assert normalise(spoken(text)) == text
