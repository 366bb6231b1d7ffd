"""Names and numbers as staff say them: wards, clinics, clinicians, beds, MRNs, tickets."""

from __future__ import annotations

import pytest

from actions import directory
from actions.formats import MrnFormat, TicketFormat, ordinal_choice, small_number, words_to_digits
from assistant.hms.models import Service
from tests.actions.fakes import FakeHms


@pytest.mark.parametrize("said", ["4B", "ward four b", "Ward 4B", "4 b", "medical 4B"])
async def test_directory_ward_as_said(said):
    found = directory.resolve_ward(await FakeHms().list_wards(), said)
    assert found.value == "4B"


async def test_directory_unknown_ward_names_the_known_ones():
    found = directory.resolve_ward(await FakeHms().list_wards(), "ward 3")
    assert found.value is None and {v for _, v in found.suggestions} == {"4B", "7C"}


def test_directory_clinic_by_code_name_or_partial_name():
    services = [
        Service("svc-cardiology", "cardiology", "Cardiology Clinic"),
        Service("svc-ent", "ent", "ENT Clinic"),
    ]
    assert directory.resolve_clinic(services, "cardiology clinic").value == "cardiology"
    assert directory.resolve_clinic(services, "ENT").value == "ent"
    unknown = directory.resolve_clinic(services, "podiatry")
    assert unknown.value is None and unknown.suggestions


def test_directory_a_clinic_the_hospital_lacks_is_never_the_end_of_another_name():
    # "urology" had matched inside "Neurology Clinic" and booked neurology slots
    services = [
        Service("svc-neurology", "neurology", "Neurology Clinic"),
        Service("svc-dermatology", "dermatology", "Dermatology Clinic"),
    ]
    unknown = directory.resolve_clinic(services, "urology")
    assert unknown.value is None and unknown.suggestions
    assert directory.resolve_clinic(services, "derm").value == "dermatology"  # a start


async def test_directory_clinician_through_the_hms_name_search():
    hms = FakeHms()
    assert (await directory.find_clinician(hms, "Dr Patel")).value == "dr.patel"
    assert ("find_staff", (None,)) in hms.calls  # a name search, not a username lookup
    unknown = await directory.find_clinician(hms, "Dr Smithers")
    assert unknown.value is None and unknown.suggestions == (("Dr Patel", "dr.patel"),)


@pytest.mark.parametrize(
    ("said", "number"),
    [("twelve", 12), ("twenty one", 21), ("one two", 12), ("7", 7), ("bed", None), ("x", None)],
)
def test_formats_small_numbers_in_words(said, number):
    assert small_number(said) == number


def test_formats_spoken_digits():
    assert words_to_digits("mrn one oh oh double four") == "mrn 10044"


@pytest.mark.parametrize(
    ("said", "ids"),
    [
        ("HD-1042", ["HD-001042"]),
        ("hr 1042", ["HR-001042"]),
        ("status of HR-000123", ["HR-000123"]),
        ("ticket 1042", ["HR-001042", "HD-001042"]),
        ("any news on request 42?", ["HR-000042", "HD-000042"]),
        ("free beds", []),
    ],
)
def test_formats_ticket_forms_all_resolve(said, ids):
    assert TicketFormat(("HR", "HD"), 6).find(said) == ids


def test_formats_mrn_describe_follows_the_setting():
    assert MrnFormat().describe() == "6 to 10 digits"
    assert MrnFormat(r"[A-Z]\d{7}").find("it's a1234567") == "A1234567"


@pytest.mark.parametrize(
    ("said", "index"), [("the second one", 1), ("2", 1), ("last one", 2), ("first", 0), ("9", None)]
)
def test_formats_choice_by_ordinal(said, index):
    assert ordinal_choice(said, 3) == index


@pytest.mark.parametrize(
    ("said", "named"),
    [
        ("ward 3", "3"),
        ("ward three", "3"),
        ("Ward Nine", "9"),
        ("5c", "5C"),
        ("the cardiac ward", "cardiac"),
    ],
)
def test_directory_unknown_ward_is_named_back_as_a_ward(said, named):
    assert directory.ward_said(said) == named


def test_directory_unknown_ward_lists_every_ward_the_nearest_first():
    from assistant.hms.models import Ward

    wards = [
        Ward("ward-4b", "4B", "Ward 4B"),
        Ward("ward-ccu", "CCU", "Coronary Care Unit", ("Cardiac Care Unit",)),
        Ward("ward-paed", "PAED", "Paediatric Ward"),
    ]
    found = directory.resolve_ward(wards, "the cardiac ward")
    assert found.value is None
    assert [v for _, v in found.suggestions][0] == "CCU"
    assert {v for _, v in found.suggestions} == {"4B", "CCU", "PAED"}


@pytest.mark.parametrize(
    ("text", "spans", "described"),
    [
        # a porter job's destination that is no ward is what is needed ("x-ray" one word)
        ("porter for bed 6 to x-ray, not urgent", [(0, 6), (15, 16), (27, 37)], True),
        ("porter to the discharge lounge", [(0, 6)], True),
        ("the printer on 4B is jammed", [(15, 17)], True),
        ("there's a spill in bay 4 on ward 7, no rush", [(29, 35), (37, 44)], True),
        ("I need a porter to ICU", [(9, 15), (19, 22)], False),  # a ward: only where
        ("porter to 4B bed 3", [(0, 6), (10, 12), (17, 18)], False),
        ("porter please", [(0, 6)], False),
    ],
)
def test_formats_a_request_describes_its_job_or_only_asks_for_help(text, spans, described):
    from actions.slotvalues import describes

    assert describes(text, spans, 2) is described


@pytest.mark.parametrize(
    ("code", "said"), [("ent", "ENT"), ("dermatology", "Dermatology"), (None, "Clinic")]
)
def test_formats_clinic_word_keeps_acronyms_in_capitals(code, said):
    from actions.formats import clinic_word

    assert clinic_word(code) == said


@pytest.mark.parametrize(
    ("said", "ids"),
    [
        ("whats the status of ticket twelve", ["HR-000012", "HD-000012"]),
        ("hr forty two", ["HR-000042"]),
        ("ticket twenty one please", ["HR-000021", "HD-000021"]),
        ("ticket for bed four", []),  # no number right after the word
        ("job done", []),
    ],
)
def test_formats_ticket_numbers_said_in_words(said, ids):
    from actions.formats import TicketFormat

    assert TicketFormat().find(said) == ids


def test_directory_ward_said_in_words_nlu_did_not_tag():
    from assistant.hms.models import Ward

    wards = [
        Ward("ward-icu", "ICU", "Intensive Care Unit", ("intensive care",)),
        Ward("ward-7", "7", "Ward 7", ()),
        Ward("ward-mat", "MAT", "Maternity Ward", ("maternity",)),
    ]
    assert directory.ward_in_words(wards, "icu bed 4 needs cleaning") == "ICU"
    assert directory.ward_in_words(wards, "bed 3 on intensive care is clean") == "ICU"
    assert directory.ward_in_words(wards, "bed 7 needs cleaning") is None  # a bed, not ward 7
    assert directory.ward_in_words(wards, "icu or maternity") is None  # two: not a guess
    assert directory.ward_in_words(wards, "bed 4 needs cleaning") is None


def test_directory_ward_code_of_digits_and_letters_is_found_in_lower_case():
    from assistant.hms.models import Ward

    wards = [Ward("ward-4b", "4B", "Ward 4B", ()), Ward("ward-7", "7", "Ward 7", ())]
    # "4b bed 2" answering "Which ward?": NLU tags only the bed in lower case
    assert directory.ward_in_words(wards, "4b bed 2") == "4B"
    assert directory.ward_in_words(wards, "its on 4b") == "4B"
    assert directory.ward_in_words(wards, "bed 7 on 4b") == "4B"  # 7 is the bed
    assert directory.ward_in_words(wards, "bed 7 needs cleaning") is None


async def test_directory_status_of_a_bed_read_as_a_request_status_is_the_bed_question():
    from actions.help import ActionCheckRequestStatus
    from actions.services import set_services
    from tests.actions.fakes import make_services, run, tracker

    set_services(make_services())
    trk = tracker("n.jones", intent="check_request_status", text="whats the status of bed 2 4B")
    messages, _ = await run(ActionCheckRequestStatus(), trk)
    assert messages[0]["custom"]["kind"].startswith("check_bed_availability")
    trk = tracker("n.jones", intent="check_request_status", text="status of HR-000012")
    messages, _ = await run(ActionCheckRequestStatus(), trk)
    assert not messages[0]["custom"]["kind"].startswith("check_bed_availability")


@pytest.mark.parametrize("said", ["cardiologist", "a cardiologist", "any cardiologist"])
def test_directory_a_specialist_is_their_specialtys_clinic(said):
    # "any free cardiologist slots tomorrow", "book ... with a cardiologist": the clinic
    # was asked for, then "I don't know a clinic 'any cardiologist'"
    services = [
        Service("svc-cardiology", "cardiology", "Cardiology Clinic"),
        Service("svc-physiotherapy", "physiotherapy", "Physiotherapy Clinic"),
    ]
    assert directory.resolve_clinic(services, said).value == "cardiology"
    assert directory.resolve_clinic(services, "physiotherapist").value == "physiotherapy"
    assert directory.said_clinic("any free cardiologist slots tomorrow") == "cardiologist"
    assert directory.resolve_clinic(services, "urologist").value is None


@pytest.mark.parametrize(
    ("typed", "named"),
    [("sorry i mean 5d", "5D"), ("no, 5d not 4a", "5D"), ("i meant ward nine", "9")],
)
async def test_slotvalues_a_corrected_ward_is_named_without_the_correction(typed, named):
    # "sorry i mean 5d" typed while the ward was asked: it said "I don't know ward
    # 'sorryimean5d'"
    from actions.slotvalues import CheckContext, check_ward

    async def reader():
        return FakeHms()

    ctx = CheckContext(MrnFormat(r"\d{8}"), "Europe/London", None, {}, reader)  # type: ignore[arg-type]
    result = await check_ward(typed, ctx)
    assert result.value is None and result.reply is not None
    assert f"'{named}'" in result.reply.text


async def test_slotvalues_a_corrected_known_ward_is_that_ward():
    from actions.slotvalues import CheckContext, check_ward

    async def reader():
        return FakeHms()

    ctx = CheckContext(MrnFormat(r"\d{8}"), "Europe/London", None, {}, reader)  # type: ignore[arg-type]
    assert (await check_ward("sorry i meant 4b", ctx)).value == "4B"


@pytest.mark.parametrize(
    ("text", "clinic"),
    [
        ("book Kerry Demir 10001575 into optho thurs", "optho"),
        ("book him into podiatry weds", "podiatry"),
        ("put her into the derm clinic friday", "derm"),
    ],
)
def test_directory_a_clinic_said_before_a_day_is_said(text, clinic):
    # "book Kerry Demir 10001575 into optho thurs" asked "Which clinic or department?" and
    # never said 'optho' was not known
    assert directory.said_clinic(text) == clinic
