"""The emergency detector on fixed phrases: must catch, must not catch, negation, context.

Behaviour only (no recall/false-alarm thresholds: those are measured in bench/safety.py).
"""

from __future__ import annotations

import pytest

from assistant.safety.detector import MAX_CHARS, Assessment, default_detector
from assistant.safety.lexicon import LexiconError, compile_spec, load_lexicon, ruler_patterns


@pytest.fixture(scope="module")
def detector():
    return default_detector()


def level(detector, text: str) -> str:
    return detector.assess(text).level


MUST_CATCH = {
    "there's a man with a knife in the waiting room": "weapon",
    "bed 4 is trying to hurt himself": "self_harm",
    "someone's collapsed outside the lift and isn't responding": "collapse",
    "can you book a porter for bed 6, also there's smoke coming from the sluice": "fire",
    "cardiac arrest bay 3": "collapse",
    "patient not breathing bed 12": "airway",
    "he's fitting and has gone blue": None,
    "massive bleed on labour ward": "bleeding",
    "her tongue is swelling after the antibiotics": "anaphylaxis",
    "patient has fallen and hit her head": "fall",
    "crushing chest pain in bay 2": "chest_pain",
    "his face is drooping and his speech is slurred": "stroke",
    "a visitor is punching the receptionist": "violence",
    "unattended bag by the main entrance": "suspicious_item",
    "our dementia patient has gone missing": "missing_patient",
    "code blue ward 7": None,
    "she slipped on water on the floor and can't get up": "fall",
    "patient on the floor in bay 3": "fall",
    "pt in 4b-07 is crashing": "collapse",
    "bed 5 crashing": "collapse",
}
MUST_NOT_CATCH = [
    "book a chest pain clinic follow-up",
    "porter for the resus trolley",
    "cardiology list for tomorrow",
    "the fire door is squeaking",
    "patient deteriorating, need their location",
    "break glass: deteriorating, covering on call",
    "not urgent, the printer on 4B is jammed",
    "this is not an emergency, can you book a porter for later",
    "no chest pain, book the routine echo",
    "any free beds in the emergency department",
    "falls assessment for bed 8",
    "the seizure chart for bed 2 is missing",
    "blood results for bed 5",
    "she had a fall last week, book physio",
    "history of seizures, book neurology",
    "free beds on the stroke unit",
    "need a knife and fork for bed 6",
    "flu shot clinic for staff",
    "mark bed 6 on 4B as clean",
    "my computer won't log in",
    "my computer keeps crashing",
    "the system is crashing on 4B, need IT",
    "need housekeeping on ward 7 bay 3, spill on the floor",
    "someone spilt tea on the floor in bay 2, housekeeping please",
]


@pytest.mark.parametrize("text,kind", MUST_CATCH.items())
def test_detector_catches_emergencies_said_directly_or_not(detector, text, kind):
    assessment = detector.assess(text)
    assert assessment.level == "emergency", assessment
    if kind is not None:
        assert assessment.kind == kind


@pytest.mark.parametrize("text", MUST_NOT_CATCH)
def test_detector_does_not_call_normal_requests_emergencies(detector, text):
    assert level(detector, text) != "emergency", detector.assess(text)


@pytest.mark.parametrize(
    "text",
    ["not an emergency", "no chest pain", "it's not a fire, false alarm", "no one has fallen"],
)
def test_detector_negated_cues_are_not_emergencies(detector, text):
    assert level(detector, text) == "none"


def test_detector_negation_word_inside_the_cue_still_counts(detector):
    # "isn't"/"not" that belong to the finding itself are not a negation of it
    for text in ("he isn't breathing", "she's not responding", "patient isn't rousable"):
        assert level(detector, text) == "emergency", text


@pytest.mark.parametrize(
    "text", ["what do I do if there's a fire", "what is the crash call number"]
)
def test_detector_hypothetical_emergency_is_a_caution(detector, text):
    assert level(detector, text) == "caution"


def test_detector_payloads_and_empty_text_are_none(detector):
    assert detector.assess("/emergency") == Assessment("none", reason="payload")
    assert detector.assess('/handoff_rate{"ticket": "HD-000001", "rating": 5}').level == "none"
    assert detector.assess("   ").level == "none"
    assert level(detector, "/ fire in the sluice") == "emergency"  # not a payload


def test_detector_reads_both_ends_of_a_very_long_message(detector):
    filler = "please book the routine cardiology review for next week " * 60
    assert len(filler) > MAX_CHARS
    assert level(detector, filler + "and there's smoke coming from the sluice") == "emergency"


def test_detector_assessment_carries_no_message_text(detector):
    assessment = detector.assess("Alice Walker in bed 4 has collapsed")
    assert "Alice" not in repr(assessment) and "bed 4" not in repr(assessment)


def test_lexicon_every_cue_compiles_to_a_pattern():
    import spacy

    nlp = spacy.blank("en")
    patterns = ruler_patterns(load_lexicon(), lambda s: [t.lower_ for t in nlp.make_doc(s)])
    kinds = {p["id"] for p in patterns if "id" in p}
    assert {"airway", "fire", "self_harm", "missing_patient", "general"} <= kinds


def test_lexicon_spec_syntax():
    def tok(s):
        return s.split()

    assert compile_spec("(is|was) n't breathing", tok) == [
        [{"LOWER": {"IN": ["is", "was"]}}, {"LOWER": {"IN": ["n't", "nt"]}}, {"LOWER": "breathing"}]
    ]
    two = compile_spec("bleeding (a lot|badly)", tok)
    assert [{"LOWER": "bleeding"}, {"LOWER": "a"}, {"LOWER": "lot"}] in two
    assert [{"LOWER": "bleeding"}, {"LOWER": "badly"}] in two
    assert compile_spec("not breathing", tok)[0][0]["OP"] == "?"  # the verb before "not"
    with pytest.raises(LexiconError):
        compile_spec("( |x)", tok)


def test_classifier_p_emergency_equals_the_pipelines_own_probabilities():
    """The fast path (``assistant.safety.linear``) gives what ``Pipeline.predict_proba``
    gives, to rounding."""
    from assistant.safety.classifier import EmergencyClassifier, default_training

    training = default_training()
    classifier = EmergencyClassifier(training)
    texts = [x for v in training.emergency.values() for x in v][:200] + list(training.normal)[:300]
    texts += ["", "4B", "cardiac arrest bay 3", "how many free beds on 4B?"]
    expected = [float(p[1]) for p in classifier.detect.predict_proba(texts)]
    assert classifier.p_emergency(texts) == pytest.approx(expected, abs=1e-12, rel=0)
    assert classifier.p_emergency(texts) != [0.5] * len(texts)  # a model, not a constant


@pytest.mark.parametrize(
    "text", ["and on ICU?", "and in majors?", "and the ICU?", "and 7C?", "what about resus?"]
)
def test_detector_follow_up_fragment_is_no_emergency_nor_caution(detector, text):
    # a place and a follow-up cue: too little said for the classifier to go on
    assert level(detector, text) == "none", detector.assess(text)


@pytest.mark.parametrize("text", ["east wing", "the east wing", "car park", "west wing"])
def test_detector_two_word_place_answer_is_no_caution(detector, text):
    # a place given as an answer shares n-grams with "smoke in the east wing": no finding
    assert level(detector, text) == "none", detector.assess(text)


@pytest.mark.parametrize(
    ("text", "kind"),
    [("cant breathe", "airway"), ("isnt breathing", "airway"), ("wont wake up", "collapse")],
)
def test_detector_cue_typed_without_apostrophe_still_counts(detector, text, kind):
    found = detector.assess(text)
    assert (found.level, found.kind) == ("emergency", kind), found


@pytest.mark.parametrize("text", ["choking!", "fire!", "he's fitting"])
def test_detector_one_word_cue_still_counts_in_a_short_message(detector, text):
    assert level(detector, text) == "emergency", detector.assess(text)


def test_detector_gate_skips_only_messages_no_cue_can_match(detector):
    """With the word gate the cues are the full pipeline's, on every training message and
    on messages built around each gate word; ordinary requests skip the pipeline."""
    from assistant.safety.classifier import default_training
    from assistant.safety.pipeline import cues

    training = default_training()
    texts = [x for v in training.emergency.values() for x in v] + list(training.normal)
    texts += [f"the {word} on 4B" for word in sorted(detector.gate)]
    texts += ["how many free beds on 4B", "book an appointment with dr patel tomorrow"]
    assert detector.gate and len(texts) > 2000
    for text in texts:
        assert detector.cues(text) == cues(detector.nlp(text)), text
    skipped = [
        t for t in training.normal if detector.gate.isdisjoint(w.lower_ for w in detector.nlp(t))
    ]
    assert len(skipped) > len(training.normal) / 2
