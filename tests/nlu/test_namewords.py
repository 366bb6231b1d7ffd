"""Lower-case patient names: runs of words the training data never used
(``nlu_components/namewords.py``, pure; the component runs in the Rasa environment)."""

from __future__ import annotations

from nlu_components.namewords import unknown_name, vocabulary_without

KNOWN = vocabulary_without(
    [
        "where is Emily Lloyd",
        "cancel the appointment for Ngozi Price tomorrow",
        "book an appointment in cardiology with dr shah",
        "the email is down and the printer jammed",
        "what appts does he have",
    ],
    [("where is Emily Lloyd", 9, 20), ("cancel the appointment for Ngozi Price tomorrow", 27, 38)],
)


def name(text: str, taken: list[tuple[int, int]] | None = None) -> str | None:
    found = unknown_name(text, KNOWN, taken or [])
    return None if found is None else text[found["start"] : found["end"]]


def test_namewords_annotated_names_are_not_vocabulary():
    assert {"emily", "lloyd", "ngozi", "price"}.isdisjoint(KNOWN)
    assert {"where", "cancel", "appointment", "email"} <= KNOWN


def test_namewords_a_run_of_unknown_words_is_the_name():
    assert name("where is emily lloyd") == "emily lloyd"
    assert name("book arjun johnson an appointment in cardiology tomorrow") == "arjun johnson"
    assert name("cancel hamza campbell's appointment") == "hamza campbell"
    assert name("what appts does mary jo o'neil have") == "mary jo o'neil"


def test_namewords_one_word_typos_and_punctuation_are_no_name():
    assert name("where is emily") is None  # one word: a surname alone is not searched
    assert name("book an apointmnet tomorow") is None  # known words mistyped
    assert name("where is emily, lloyd") is None  # not one run
    assert name("where is a b c d e") is None  # over four words


def test_namewords_words_another_entity_covers_are_no_name():
    assert name("book emily lloyd in cardiology", taken=[(5, 16)]) is None
