"""The facts each reply kind carries in ``custom.data``, typed (docs/architecture.md,
"Reply facts contract"). Producers build these; channels read them by these names and
never guess keys.

Kinds are ``<intent>_<outcome>`` for task answers (``check_bed_availability_success``),
the dialogue's own kinds (``ask_<slot>``, ``invalid_<slot>``, ``unknown_<thing>``,
``resume_offer``, ``stop_ok``, ``nlu_fallback_*``, ``fallback_default``) and fixed names for
the gateway's own replies (``emergency_answer``, ``handoff_waiting``). ``DATA`` maps every
fixed kind typed here to its ``TypedDict``; ``PREFIXED`` types the families named by a
prefix; ``data_type(kind)`` finds either.
"""

# No ``from __future__ import annotations`` here: TypedDict must see ``NotRequired`` at run
# time (Python 3.11) for ``__required_keys__`` to be right.
from typing import Any, NotRequired, TypedDict

# -- task answers read by the channels ------------------------------------------------------


class BedFact(TypedDict):
    """One free bed (``actions/beds.py`` ``bed_data``)."""

    id: str
    label: str
    ward: str | None
    room: str | None
    status: str
    features: list[str]


class WardCount(TypedDict):
    """Free and total beds of one ward (the hospital-wide summary)."""

    ward: str
    name: str
    free: int
    total: int


class BedAvailabilityData(TypedDict, total=False):
    """``check_bed_availability_*``: one ward's free beds (``ward``, ``beds``), one bed
    asked by number (``ward``, ``bed``, ``status``), free counts per ward code
    hospital-wide (``wards`` as a mapping) or the summary of every ward (``wards`` as a
    list)."""

    ward: str
    feature: str | None
    beds: list[BedFact]
    wards: dict[str, int] | list[WardCount]
    bed: str
    status: str | None


class PatientPlaceData(TypedDict):
    """``locate_patient_success`` / ``..._not_admitted`` (PHI): the minimum a shared screen
    may show is rebuilt from these (initials, last four digits of the MRN, where)."""

    initials: str
    mrn_last4: str
    ward: NotRequired[str | None]
    room: NotRequired[str | None]
    bed: NotRequired[str | None]


class ListedPatient(TypedDict):
    """One occupied bed of ``list_ward_patients_success`` (initials only, never a name)."""

    bed: str
    initials: str
    mrn_last4: str


class ListedAppointment(TypedDict):
    """One appointment of ``list_appointments_*`` / ``list_clinic_appointments_*``; a
    clinic's list adds the patient's initials and last four digits of the MRN."""

    id: str
    service: str | None
    start: str | None
    initials: NotRequired[str]
    mrn_last4: NotRequired[str]


class PatientListData(TypedDict, total=False):
    """``list_ward_patients_*`` (``ward``, ``count``, ``patients``; one bed adds ``bed``,
    ``room`` and the patient's ``initials``/``mrn_last4``), ``list_clinic_appointments_*``
    (``department``, ``date``, ``count``, ``appointments``) and ``list_appointments_*`` (the
    patient's ``patient_ref``/``initials``/``mrn_last4`` and ``appointments``) (PHI when it
    names patients: a shared screen shows the rows as initials)."""

    ward: str
    count: int
    patients: list[ListedPatient]
    department: str | None
    date: str
    appointments: list[ListedAppointment]
    bed: str
    room: str | None
    status: str | None
    patient_ref: str
    initials: str
    mrn_last4: str


class CapabilitiesData(TypedDict):
    """``ask_capabilities_success``: what the asker's roles may do."""

    permissions: list[str]


# -- the dialogue's own replies (actions/asks.py, slotvalues.py, state.py, flow.py, fallback.py)


class AskData(TypedDict):
    """``ask_<slot>``: a form's question; ``attempt`` counts the times it was asked."""

    slot: str
    attempt: NotRequired[int]


class InvalidValueData(TypedDict):
    """``invalid_<slot>``: the answer did not fit the slot (``format`` describes what does)."""

    slot: str
    format: NotRequired[str]


class UnknownValueData(TypedDict):
    """``unknown_<thing>``: a value the HMS does not know and the nearest known ones."""

    value: str | int | None
    suggestions: list[str]
    ward: NotRequired[str]
    bed: NotRequired[str | int]
    intent: NotRequired[str]


class ResumeOfferData(TypedDict):
    """``resume_offer``: the offer to go back to an interrupted task."""

    intent: str


class StopData(TypedDict):
    """``stop_ok``: a task was stopped (``intent``: the stashed one the user declined)."""

    intent: NotRequired[str | None]


class FallbackData(TypedDict):
    """``nlu_fallback_rephrase`` / ``nlu_fallback_clarify`` / ``fallback_default``; a form
    that gave up on a question names it (``intent``, ``slot``)."""

    intent: NotRequired[str]
    slot: NotRequired[str]


class WaitData(TypedDict):
    """``wait_ok``: "hang on" while a form asks; the question (``slot``) stays open."""

    slot: str


# -- the gateway's own replies --------------------------------------------------------------


class EmergencyData(TypedDict):
    """``emergency_answer``: the number comes first, in the first reply. The gateway's
    safety net names what it heard (``emergency``); Rasa's own second net does not."""

    number: str
    emergency: NotRequired[str]


class CautionData(TypedDict):
    """``emergency_caution``: put before the answer when a message might be an emergency."""

    number: str


class TicketOpenedData(TypedDict):
    """``talk_to_human_success``: the help-desk ticket the action opened."""

    ticket_id: str


class QueuedTicket(TypedDict):
    """One handoff ticket as the help desk's queue shows it (no requester, no message text)."""

    ticket_id: str
    status: str
    channel: str
    waiting_minutes: int
    claimed_by: NotRequired[str]


class HandoffQueueData(TypedDict):
    """``handoff_queue_success`` / ``handoff_queue_none``: the open and claimed handoff
    tickets (open first, longest waiting first; at most 10) and how many there are."""

    tickets: list[QueuedTicket]
    total: int


class WelcomeData(TypedDict):
    """``onboarding_welcome``: the role guide shown once per channel."""

    roles: list[str]
    intents: list[str]


class PracticeTourData(TypedDict):
    """``practice_on`` / ``practice_tour_step``: the role's practice tour and its progress."""

    tour: list[str]
    done: list[str]
    step: NotRequired[str]


class HandoffWaitingData(TypedDict):
    """``handoff_waiting``: the conversation is with the help desk."""

    ticket_id: str
    claimed_by: NotRequired[str]


class HandoffWithdrawnData(TypedDict):
    """``handoff_withdrawn``: the requester withdrew the ticket."""

    ticket_id: str


class UnavailableData(TypedDict):
    """``assistant_unavailable``: Rasa is restarting; the REST channel answers 503."""

    retry_after: int


class NoData(TypedDict):
    """Kinds whose ``data`` is empty (``rate_limited``, ``payload_refused``, ``practice_off``)."""


DATA: dict[str, type[Any]] = {
    "check_bed_availability_success": BedAvailabilityData,
    "check_bed_availability_none": BedAvailabilityData,
    "check_bed_availability_summary": BedAvailabilityData,
    "locate_patient_success": PatientPlaceData,
    "locate_patient_not_admitted": PatientPlaceData,
    "list_ward_patients_success": PatientListData,
    "list_ward_patients_none": PatientListData,
    "list_clinic_appointments_success": PatientListData,
    "list_clinic_appointments_none": PatientListData,
    "list_appointments_success": PatientListData,
    "list_appointments_none": PatientListData,
    "ask_capabilities_success": CapabilitiesData,
    "resume_offer": ResumeOfferData,
    "stop_ok": StopData,
    "wait_ok": WaitData,
    "nlu_fallback_rephrase": FallbackData,
    "nlu_fallback_clarify": FallbackData,
    "fallback_default": FallbackData,
    "talk_to_human_success": TicketOpenedData,
    "handoff_queue_success": HandoffQueueData,
    "handoff_queue_none": HandoffQueueData,
    "handoff_queue_ticket": QueuedTicket,
    "handoff_queue_unavailable": NoData,
    "onboarding_welcome": WelcomeData,
    "practice_on": PracticeTourData,
    "practice_tour_step": PracticeTourData,
    "practice_off": NoData,
    "practice_unavailable": NoData,
    "talk_to_human_practice": NoData,
    "emergency_answer": EmergencyData,
    "emergency_caution": CautionData,
    "handoff_waiting": HandoffWaitingData,
    "handoff_withdrawn": HandoffWithdrawnData,
    "rate_limited": NoData,
    "assistant_unavailable": UnavailableData,
    "payload_refused": NoData,
}


# Families of kinds named by a prefix. The intent ``ask_capabilities`` answers
# ``ask_capabilities_<outcome>``: a task answer, not a form's question.
PREFIXED: tuple[tuple[str, type[Any]], ...] = (
    ("ask_", AskData),
    ("choose_", AskData),  # the second miss: the question turned into a choice
    ("invalid_", InvalidValueData),
    ("unknown_", UnknownValueData),
)
_NOT_PREFIXED = ("ask_capabilities_",)


def data_type(kind: str) -> type[Any] | None:
    """The ``TypedDict`` of ``kind``'s data, or ``None`` for a kind not typed here."""
    if kind in DATA or kind.startswith(_NOT_PREFIXED):
        return DATA.get(kind)
    return next((typed for prefix, typed in PREFIXED if kind.startswith(prefix)), None)
