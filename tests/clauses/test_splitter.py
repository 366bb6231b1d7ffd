"""Cutting one message into several requests: only clauses that stand alone as tasks."""

from __future__ import annotations

from collections.abc import Mapping

from assistant.clauses import ClauseRules, ClauseSplitter, Reading
from intents.catalog import default_catalog

SENDER = "rest:n.jones:c1"


def reading(intent: str | None, confidence: float, *entities: str) -> Reading:
    return Reading(intent, confidence, frozenset(entities))


class FakeReader:
    """Readings by clause text; a text it does not know reads as not understood."""

    def __init__(self, readings: Mapping[str, Reading], form: bool | None = False) -> None:
        self.readings = dict(readings)
        self.form = form
        self.read_texts: list[str] = []
        self.form_asked = 0

    async def read(self, sender: str, text: str) -> Reading | None:
        assert sender == SENDER
        self.read_texts.append(text)
        return self.readings.get(text, reading(None, 0.4))

    async def form_active(self, sender: str) -> bool | None:
        self.form_asked += 1
        return self.form


class Splitter(ClauseSplitter):
    reader: FakeReader


def splitter(readings: Mapping[str, Reading], form: bool | None = False) -> Splitter:
    return Splitter(FakeReader(readings, form), ClauseRules.from_catalog(default_catalog()))


async def test_splitter_two_tasks_each_naming_their_details_are_two_requests_question_last():
    split = splitter(
        {
            "book T.A. into cardiology on friday": reading(
                "book_appointment", 0.99, "department", "time"
            ),
            "show me the dermatology list": reading("list_clinic_appointments", 0.98, "department"),
        }
    )
    got = await split.split(
        SENDER, "book T.A. into cardiology on friday and show me the dermatology list"
    )
    # the booking may ask something back: served last, so the turn ends on its question
    assert got == ["show me the dermatology list", "book T.A. into cardiology on friday"]


async def test_splitter_requests_that_answer_at_once_keep_their_order():
    split = splitter(
        {
            "mark bed 5 clean": reading("update_bed_status", 0.93, "bed", "bed_status"),
            "is bed 6 free?": reading("check_bed_availability", 0.7, "bed"),
        }
    )
    got = await split.split(SENDER, "mark bed 5 clean and is bed 6 free?")
    assert got == ["mark bed 5 clean", "is bed 6 free?"]


async def test_splitter_a_clause_of_details_only_keeps_the_message_whole():
    split = splitter(
        {
            "porter": reading("inform", 0.57, "help_type"),
            "wheelchair to 4B bed 3": reading("inform", 0.56, "ward", "bed"),
            "close bed 3": reading("update_bed_status", 0.66, "bed"),
            "4 on 4B": reading("inform", 0.82, "ward"),
        }
    )
    text = "porter and wheelchair to 4B bed 3"
    assert await split.split(SENDER, text) == [text]
    assert await split.split(SENDER, "close bed 3 and 4 on 4B") == ["close bed 3 and 4 on 4B"]
    assert split.reader.form_asked == 0  # nothing to cut: the conversation is not read


async def test_splitter_a_weak_or_detail_less_clause_keeps_the_message_whole():
    split = splitter(
        {
            "need a porter for a wheelchair": reading("request_help", 0.98, "help_type"),
            "oxygen to ICU bed 4": reading("update_bed_status", 0.53, "ward", "bed"),
            "the printer on 4B is jammed": reading("request_help", 0.93, "ward"),
            "water is on the floor": reading("request_help", 0.68),
        }
    )
    for text in (
        "need a porter for a wheelchair and oxygen to ICU bed 4",
        "the printer on 4B is jammed and water is on the floor",
    ):
        assert await split.split(SENDER, text) == [text]


async def test_splitter_the_same_task_twice_needs_what_each_is_about():
    split = splitter(
        {
            "mark bed 5 clean": reading("update_bed_status", 0.93, "bed", "bed_status"),
            "bed 6 dirty": reading("update_bed_status", 0.88, "bed", "bed_status"),
            "porter to 4B bed 7": reading("request_help", 0.9, "help_type", "ward", "bed"),
            "back to ward 7 after x-ray": reading("request_help", 0.67, "ward"),
            "the printer on 4B is jammed": reading("request_help", 0.93, "ward"),
            "the computer won't log in": reading("request_help", 0.95),
        }
    )
    assert await split.split(SENDER, "mark bed 5 clean and bed 6 dirty") == [
        "mark bed 5 clean",
        "bed 6 dirty",
    ]
    for text in (
        "porter to 4B bed 7 and then back to ward 7 after x-ray",
        "the printer on 4B is jammed and the computer won't log in",
    ):
        assert await split.split(SENDER, text) == [text]


async def test_splitter_a_sure_task_without_details_stands_alone():
    split = splitter(
        {
            "what's the status of my requests": reading("check_request_status", 0.99),
            "any free beds on 4B": reading("check_bed_availability", 1.0, "ward"),
        }
    )
    got = await split.split(SENDER, "what's the status of my requests and any free beds on 4B")
    assert got == ["what's the status of my requests", "any free beds on 4B"]


async def test_splitter_small_talk_emergencies_and_the_help_desk_are_never_cut_off():
    split = splitter(
        {
            "thanks": reading("thank", 0.99),
            "any free beds on 4B": reading("check_bed_availability", 1.0, "ward"),
            "how many beds are free on accident": reading("check_bed_availability", 1.0),
            "emergency": reading("emergency", 0.88),
            "let me talk to a person": reading("talk_to_human", 0.99),
        }
    )
    for text in (
        "thanks and any free beds on 4B",
        "how many beds are free on accident and emergency",
        "any free beds on 4B and let me talk to a person",
    ):
        assert await split.split(SENDER, text) == [text]


async def test_splitter_nothing_is_cut_while_a_form_waits_or_the_conversation_is_unknown():
    readings = {
        "find a free bed on 4B": reading("check_bed_availability", 0.96, "ward"),
        "get a porter to move bed 3 to x-ray": reading("request_help", 0.95, "help_type", "bed"),
    }
    text = "find a free bed on 4B and get a porter to move bed 3 to x-ray"
    assert await splitter(readings, form=True).split(SENDER, text) == [text]
    assert await splitter(readings, form=None).split(SENDER, text) == [text]
    assert await splitter(readings, form=False).split(SENDER, text) == [
        "find a free bed on 4B",
        "get a porter to move bed 3 to x-ray",
    ]


async def test_splitter_the_way_with_most_clauses_that_stand_alone_wins():
    split = splitter(
        {
            "any free beds on 4B": reading("check_bed_availability", 1.0, "ward"),
            "on ICU": reading("inform", 0.6, "ward"),
            "any free beds on 4B and on ICU": reading("check_bed_availability", 1.0, "ward"),
            "where is Amelia Haddad": reading("find_patient", 0.95, "patient_name"),
        }
    )
    got = await split.split(SENDER, "any free beds on 4B and on ICU; where is Amelia Haddad")
    assert got == ["any free beds on 4B and on ICU", "where is Amelia Haddad"]


async def test_splitter_unreadable_clauses_keep_the_message_whole():
    split = splitter({})
    text = "find a free bed on 4B and get a porter to move bed 3 to x-ray"
    assert await split.split(SENDER, text) == [text]
    assert await split.split(SENDER, "free beds on 4B") == ["free beds on 4B"]
    assert split.reader.read_texts == [
        "find a free bed on 4B",
        "get a porter to move bed 3 to x-ray",
    ]


def test_build_splitter_needs_the_rasa_api_token():
    from types import SimpleNamespace

    from assistant.clauses import build_splitter

    off = SimpleNamespace(rasa_auth_token="", rasa_urls=("http://r:1",))
    assert build_splitter(off) is None
    on = build_splitter(SimpleNamespace(rasa_auth_token="t", rasa_urls=("http://r:1",)))
    assert isinstance(on, ClauseSplitter)
    assert on.rules.tasks["request_help"].asks_back
    assert not on.rules.tasks["check_bed_availability"].asks_back
    assert "emergency" not in on.rules.tasks


def near(intent: str, confidence: float, *entities: str, **shape) -> Reading:
    """A reading NLU was unsure of: not understood (or details only) ranked first."""
    ranking = (("nlu_fallback", 0.4), (intent, confidence), ("inform", 0.2))
    return Reading(None, 0.4, frozenset(entities), ranking, **shape)


async def test_splitter_a_near_miss_that_asks_or_opens_with_its_subject_is_a_request():
    split = splitter(
        {
            "mark bed 5 clean": reading("update_bed_status", 0.93, "bed", "bed_status"),
            "is bed 6 free?": near("check_bed_availability", 0.47, "bed", question=True),
            "free beds on 4B": Reading(
                "check_bed_availability", 0.99, frozenset({"ward"}), wards=("4B",)
            ),
            "porter to 4B bed 2": near(
                "request_help",
                0.45,
                "help_type",
                "ward",
                "bed",
                opens_with="help_type",
                wards=("4B",),
            ),
        }
    )
    got = await split.split(SENDER, "mark bed 5 clean and is bed 6 free?")
    assert got == ["mark bed 5 clean", "is bed 6 free?"]
    got = await split.split(SENDER, "free beds on 4B and then porter to 4B bed 2")
    assert got == ["free beds on 4B", "porter to 4B bed 2"]


async def test_splitter_a_near_miss_opening_with_its_subject_is_cut_from_the_same_task():
    # "get a porter for bed 5 and housekeeping for bed 7" was kept whole (the porter request
    # only 0.85): one housekeeping job was filed for bed 5 with the porter's description
    split = splitter(
        {
            "get a porter for bed 5": reading("request_help", 0.85, "help_type", "bed"),
            "housekeeping for bed 7": near(
                "request_help", 0.42, "help_type", "bed", opens_with="help_type"
            ),
            "close bed 4": reading("update_bed_status", 0.66, "bed"),
            "bed 7 too": near("update_bed_status", 0.45, "bed", opens_with="bed"),
        }
    )
    got = await split.split(SENDER, "get a porter for bed 5 and housekeeping for bed 7")
    assert got == ["get a porter for bed 5", "housekeeping for bed 7"]
    # another task's near miss, or one that opens with no subject, still keeps it whole
    assert await split.split(SENDER, "get a porter for bed 5 and bed 7 too") == [
        "get a porter for bed 5 and bed 7 too"
    ]


async def test_splitter_a_near_miss_that_is_a_tail_of_details_keeps_the_message_whole():
    split = splitter(
        {
            # "... and oxygen to ICU bed 4": neither a question nor opening with a bed
            "need a porter for a wheelchair": reading("request_help", 0.98, "help_type"),
            "oxygen to ICU bed 4": near("update_bed_status", 0.53, "ward", "bed"),
            # a near miss is cut off only from a request NLU is sure of
            "close bed 4": reading("update_bed_status", 0.66, "bed"),
            "is bed 9 free?": near("check_bed_availability", 0.47, "bed", question=True),
            # small talk ranked above the task: not a request
            "thanks a lot": Reading(
                None, 0.4, frozenset({"bed"}), (("thank", 0.45), ("check_bed_availability", 0.44))
            ),
            "any free beds on 4B": reading("check_bed_availability", 1.0, "ward"),
        }
    )
    for text in (
        "need a porter for a wheelchair and oxygen to ICU bed 4",
        "close bed 4 and is bed 9 free?",
        "any free beds on 4B and thanks a lot",
    ):
        assert await split.split(SENDER, text) == [text]


async def test_splitter_the_one_ward_named_is_lent_to_a_clause_about_a_bed_naming_none():
    split = splitter(
        {
            "free beds on 4B": Reading(
                "check_bed_availability", 0.99, frozenset({"ward"}), wards=("4B",)
            ),
            "get a porter to move bed 3 to x-ray": Reading(
                "request_help", 0.95, frozenset({"help_type", "bed"}), bed_end=26
            ),
            "is bed 9 free?": near("check_bed_availability", 0.5, "bed", question=True, bed_end=8),
            "what's the status of my requests": reading("check_request_status", 0.99),
            "free beds on 7": Reading(
                "check_bed_availability", 0.99, frozenset({"ward"}), wards=("7",)
            ),
        }
    )
    got = await split.split(SENDER, "free beds on 4B and get a porter to move bed 3 to x-ray")
    assert got == ["free beds on 4B", "get a porter to move bed 3 on 4B to x-ray"]
    assert await split.split(SENDER, "free beds on 7 and is bed 9 free?") == [
        "free beds on 7",
        "is bed 9 on ward 7 free?",
    ]
    # a request about no bed keeps its own scope
    got = await split.split(SENDER, "free beds on 4B and what's the status of my requests")
    assert got == ["free beds on 4B", "what's the status of my requests"]


async def test_splitter_the_one_bed_named_is_put_for_it_in_a_clause_about_no_bed():
    split = splitter(
        {
            "close bed 3": Reading(
                "update_bed_status", 0.95, frozenset({"bed", "bed_status"}), beds=("3",)
            ),
            "get maintenance for it": reading("request_help", 0.93, "help_type"),
            "get IT to fix the computer": reading("request_help", 0.95, "help_type"),
        }
    )
    got = await split.split(SENDER, "close bed 3 and then get maintenance for it")
    assert got == ["close bed 3", "get maintenance for bed 3"]
    got = await split.split(SENDER, "close bed 3 and get IT to fix the computer")
    assert got == ["close bed 3", "get IT to fix the computer"]


async def test_splitter_a_statement_of_details_for_the_other_request_keeps_it_whole():
    # "her MRN is ..." alone reads as finding a patient, "it's for ..." as listing their
    # appointments: both are details of the booking next to them
    split = splitter(
        {
            "book Rhys Kaur into cardiology": reading(
                "book_appointment", 0.98, "patient_name", "department"
            ),
            "her MRN is 10643380": reading("find_patient", 0.62, "mrn"),
            "book with dr carter": reading("book_appointment", 0.73, "clinician"),
            "it's for Rhys Kaur 10643380 next week": reading(
                "list_appointments", 0.77, "patient_name", "mrn", "time"
            ),
        }
    )
    for text in (
        "book Rhys Kaur into cardiology and her MRN is 10643380",
        "book with dr carter and it's for Rhys Kaur 10643380 next week",
    ):
        assert await split.split(SENDER, text) == [text]


async def test_splitter_a_question_or_an_order_next_to_a_request_is_still_its_own():
    split = splitter(
        {
            "book Rhys Kaur into cardiology": reading(
                "book_appointment", 0.98, "patient_name", "department"
            ),
            "show me the dermatology list": reading("list_clinic_appointments", 0.98, "department"),
        }
    )
    text = "book Rhys Kaur into cardiology and show me the dermatology list"
    assert len(await split.split(SENDER, text)) == 2


async def test_splitter_the_same_request_again_after_a_comma_is_two_requests():
    # "ward 4B bed 2 needs cleaning, ward 7 bed 1 needs cleaning" read whole paired bed 2
    # with ward 7 and changed a bed nobody named
    split = splitter(
        {
            "ward 4B bed 2 needs cleaning": reading(
                "update_bed_status", 0.97, "ward", "bed", "bed_status"
            ),
            "ward 7 bed 1 needs cleaning": reading(
                "update_bed_status", 0.96, "ward", "bed", "bed_status"
            ),
            "porter to 4B bed 7": reading("request_help", 0.9, "help_type", "ward", "bed"),
            "urgent": reading("request_help", 0.7, "urgency"),
            "is bed 3 free": reading("check_bed_availability", 0.95, "bed"),
        }
    )
    text = "ward 4B bed 2 needs cleaning, ward 7 bed 1 needs cleaning"
    assert await split.split(SENDER, text) == [
        "ward 4B bed 2 needs cleaning",
        "ward 7 bed 1 needs cleaning",
    ]
    # a comma that adds details, or two different tasks, keeps the message whole
    for text in (
        "porter to 4B bed 7, urgent",
        "ward 4B bed 2 needs cleaning, is bed 3 free",
        "ward 4B bed 2 needs cleaning, the printer is jammed",
    ):
        assert await split.split(SENDER, text) == [text]
