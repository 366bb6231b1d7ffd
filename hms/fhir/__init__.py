"""Row -> FHIR R4 JSON mapping, one module per resource family; systems and codes here.

The identifier and code systems are settings (``hms.config.Systems``, e.g.
``HMS_MRN_SYSTEM``); the ``SYS_*`` names are their defaults. Mappers take the systems
to write; the routes pass the app's (``request.app.state.options``).
"""

from hms.config import Systems

DEFAULT_SYSTEMS = Systems()

SYS_WARD = "urn:hms:ward"
SYS_BED = "urn:hms:bed"
SYS_MRN = "urn:hms:mrn"
SYS_STAFF = "urn:hms:staff"
SYS_ROLE = "urn:hms:role"
SYS_SERVICE = "urn:hms:service-type"
SYS_TICKET = "urn:hms:ticket"
SYS_HELP = "urn:hms:help-type"
SYS_FEATURE = "urn:hms:bed-feature"
SYS_PHYSICAL = "http://terminology.hl7.org/CodeSystem/location-physical-type"
SYS_BED_STATUS = "http://terminology.hl7.org/CodeSystem/v2-0116"
SYS_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
EMAIL_DOMAIN = "demo-hospital.example"

BED_STATUS = {
    "U": "Unoccupied",
    "O": "Occupied",
    "H": "Housekeeping",
    "C": "Closed",
    "K": "Contaminated",
    "I": "Isolated",
}
PHYSICAL = {"wa": "Ward", "ro": "Room", "bd": "Bed"}
FEATURES = {
    "isolation": "Isolation",
    "side-room": "Side room",
    "bariatric": "Bariatric",
    "monitored": "Monitored",
    "paediatric-cot": "Paediatric cot",
}
ROLES = (
    "nurse",
    "clinician",
    "scheduler",
    "porter",
    "helpdesk",
    "bed_manager",
    "housekeeping",
    "admin",
    "trainer",
)
HELP_TYPES = {
    "porter": "Porter",
    "it": "IT support",
    "housekeeping": "Housekeeping",
    "maintenance": "Maintenance",
    "other": "Other",
}
TASK_PRIORITIES = ("routine", "urgent", "asap", "stat")
TASK_STATUSES = (
    "draft",
    "requested",
    "received",
    "accepted",
    "rejected",
    "ready",
    "cancelled",
    "in-progress",
    "on-hold",
    "failed",
    "completed",
    "entered-in-error",
)
