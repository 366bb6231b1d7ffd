"""Form validation: syntax only (no HMS calls; the guarded action checks against the HMS).

MRNs are normalised to 8 digits (spoken digits too), bed statuses to v2-0116 codes, help
types and urgencies to their codes, and time preferences must parse in the hospital zone.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions.base import lacks_permission
from actions.beds import bed_number, bed_status_code
from actions.help import help_type_code, priority_code
from actions.services import get_services
from actions.timeparse import parse_time_preference

DIGITS = {
    "zero": "0",
    "oh": "0",
    "o": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
Slots = dict[str, Any]


def normalise_mrn(text: Any) -> str | None:
    if text is None:
        return None
    digits = "".join(DIGITS.get(tok, tok) for tok in str(text).lower().replace("-", " ").split())
    digits = "".join(ch for ch in digits if ch.isdigit())
    return digits if len(digits) == 8 else None


class _PermissionGate(FormValidationAction):
    """Ends the form at once for a user whose roles lack the task's permission, so no
    patient details are collected from them. The form's submit rule then runs the guarded
    action, which gives the denial sentence and writes the audit event."""

    permission: ClassVar[str]

    @abstractmethod
    def name(self) -> str: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if await lacks_permission(tracker, self.permission):
            return [SlotSet("requested_slot", None)]
        return await super().run(dispatcher, tracker, domain)


class _PatientSlots:
    """Validators shared by the appointment forms (a mixin: not an action itself)."""

    def validate_mrn(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        mrn = normalise_mrn(value)
        if mrn is None:
            dispatcher.utter_message(response="utter_invalid_mrn")
        return {"mrn": mrn}

    def validate_patient_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        name = " ".join(str(value or "").split())
        return {"patient_name": name if len(name) >= 2 else None}

    def validate_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        services = get_services()
        now, tz = services.clock(), services.settings.hospital_tz
        if parse_time_preference(str(value or ""), now, tz):
            return {"time": str(value)}
        dispatcher.utter_message(response="utter_invalid_time")
        return {"time": None}


class ValidateBookAppointmentForm(_PatientSlots, _PermissionGate):
    permission = "appointments:book"

    def name(self) -> str:
        return "validate_book_appointment_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        if tracker.get_slot("clinician"):
            return [s for s in domain_slots if s != "department"]
        return domain_slots


class ValidateCancelAppointmentForm(_PatientSlots, _PermissionGate):
    permission = "appointments:cancel"

    def name(self) -> str:
        return "validate_cancel_appointment_form"


class ValidateRescheduleAppointmentForm(_PatientSlots, _PermissionGate):
    permission = "appointments:cancel"

    def name(self) -> str:
        return "validate_reschedule_appointment_form"


class ValidateUpdateBedStatusForm(_PermissionGate):
    permission = "beds:update"

    def name(self) -> str:
        return "validate_update_bed_status_form"

    def validate_bed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        ward, number = bed_number(str(value or ""))
        if number is None:
            dispatcher.utter_message(response="utter_invalid_bed")
            return {"bed": None}
        return {"bed": number, **({"ward": ward} if ward and not tracker.get_slot("ward") else {})}

    def validate_bed_status(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        code = bed_status_code(str(value or ""))
        if code is None:
            dispatcher.utter_message(response="utter_invalid_bed_status")
        return {"bed_status": code}


class ValidateRequestHelpForm(_PermissionGate):
    permission = "help:request"

    def name(self) -> str:
        return "validate_request_help_form"

    def validate_help_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        code = help_type_code(str(value or ""))
        if code is None:
            dispatcher.utter_message(response="utter_invalid_help_type")
        return {"help_type": code}

    def validate_urgency(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        code = priority_code(str(value or ""))
        if code is None:
            dispatcher.utter_message(response="utter_invalid_urgency")
        return {"urgency": code}
