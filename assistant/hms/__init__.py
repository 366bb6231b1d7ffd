"""The assistant's only view of hospital data: an async FHIR R4 client.

Actions depend on the ``HmsClient`` protocol; ``FhirHmsClient`` implements it over HTTP.
"""

from .client import FhirHmsClient
from .errors import Conflict, Forbidden, HmsError, Invalid, NotFound, Unavailable
from .models import (
    BED_STATUSES,
    Appointment,
    Bed,
    BedSummary,
    HelpTask,
    Patient,
    Service,
    Slot,
    Staff,
    Stay,
    Ward,
)
from .protocol import HmsClient

__all__ = [
    "BED_STATUSES",
    "Appointment",
    "Bed",
    "BedSummary",
    "Conflict",
    "FhirHmsClient",
    "Forbidden",
    "HelpTask",
    "HmsClient",
    "HmsError",
    "Invalid",
    "NotFound",
    "Patient",
    "Service",
    "Slot",
    "Staff",
    "Stay",
    "Unavailable",
    "Ward",
]
