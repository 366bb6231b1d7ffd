"""The one guarded path every hospital-data action runs through.

``GuardedAction.run``:
1. verify the signed principal in the message metadata (missing/forged/expired, or bound
   to another conversation -> refuse);
2. resolve the staff member in the HMS (cached ~60 s; unknown or inactive -> refuse);
   (``instead``: when these words ask this user for another task, that task's guarded
   action runs from here, with its own permission check and audit event);
3. check the permission in the role policy (denied -> a clear sentence naming it);
4. probe the audit trail (``AuditSink.check()``): if it cannot be written, refuse before
   ``perform``, so an action that changes data never runs unaudited (an intent the catalog
   marks ``read_only`` is not probed: it changes nothing, and its answer is withheld anyway
   when the outcome's event cannot be written, step 6);
5. ``perform`` with an HMS client acting as that user; ward scope is checked there, via
   ``ctx.check_ward``, once the target ward is known;
6. write exactly one audit event, then release the answer to the user.

Ordering: answers are buffered in the context and only sent after the audit event is
written. The trail is append-only (no update path), so there is no "attempt" row to
finalise; instead the probe runs before ``perform`` and the one outcome event is written
after it. Remaining window: the trail can fail between the probe and the outcome write
(disk full, database gone mid-request). Then read results are withheld and the user is
told; an HMS write made by ``perform`` has already happened (the HMS records the acting
user on it) and the failure is logged as an error for operators. Refusals before
``perform`` are audited too, but a refusal is sent even if that audit write fails.
Sinks without ``check()`` (old test doubles) are not probed.
HMS failures become one clear sentence; never a stack trace.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.followup import remember, unknown_slot
from actions.formats import spoken_beds
from actions.services import Services, get_services
from actions.state import Turn, finish, gave_up_on, kept_after_giving_up, still_waiting
from actions.steps import (
    count_misses,
    give_up_unknown,
    misses_before,
    offer_help_desk,
    said_unknown,
    unknown_value,
)
from assistant.audit import AuditEvent, AuditWriteError
from assistant.hms.clock import clock_shift
from assistant.hms.errors import Conflict, Forbidden, HmsError, Invalid, NotFound, Unavailable
from assistant.hms.models import Staff
from assistant.hms.protocol import HmsClient
from assistant.identity.principal import METADATA_KEY, Principal, PrincipalError, verify_principal
from intents.catalog import default_catalog

log = logging.getLogger(__name__)

HELP_DESK_BUTTON = {"title": "Contact the help desk", "payload": "/talk_to_human"}
UNVERIFIED = (
    "I can't verify who you are, so I can't look anything up. "
    "Please sign in again (on a kiosk: badge and PIN) and repeat your request."
)
UNKNOWN_STAFF = (
    "I can't find an active staff record for your sign-in, so I can't look anything up. "
    "Please contact the help desk."
)
UNAVAILABLE = (
    "The hospital system isn't answering right now, so I couldn't do that. "
    "Please try again in a few minutes, or contact the help desk."
)
AUDIT_DOWN = (
    "I can't write to the audit trail right now, so I won't show or change hospital "
    "records. Please try again shortly or contact the help desk."
)
GENERIC_ERROR = "Something went wrong on my side, so I couldn't do that. Please try again."
GAVE_UP = (
    "I couldn't get the {what}, so I've stopped there and nothing was changed. You can "
    "start again, or I can put you through to the help desk."
)


class WardDenied(Exception):
    """Raised by ``ActionContext.check_ward`` when the target ward is out of scope."""

    def __init__(self, ward: str) -> None:
        super().__init__(ward)
        self.ward = ward


@dataclass(frozen=True)
class Outcome:
    """What ``perform`` did, for the audit event and the tracker."""

    result: str = "success"  # success | denied | not_found | conflict | error | refused
    events: tuple[dict[str, Any], ...] = ()
    resource: str | None = None  # e.g. "Location/bed-4b-06"
    patient_ref: str | None = None  # e.g. "Patient/p-123" (a reference, never a name)
    detail: str = ""  # no PHI
    reason: str | None = None


@dataclass
class ActionContext:
    dispatcher: CollectingDispatcher
    tracker: Tracker
    domain: dict[str, Any]
    principal: Principal
    staff: Staff
    role: str
    hms: HmsClient
    services: Services
    now: datetime
    permission: str | None
    messages: list[dict[str, Any]] = field(default_factory=list)

    def slot(self, name: str) -> Any:
        return self.tracker.get_slot(name)

    def text(self, name: str) -> str | None:
        value = self.tracker.get_slot(name)
        if isinstance(value, list):
            value = value[0] if value else None
        return str(value).strip() if value not in (None, "") else None

    @property
    def intent(self) -> str | None:
        """NLU's intent, except that a yes taken back ("undo that") is no yes."""
        turn = Turn.of(self.tracker)
        return None if turn.intent == "affirm" and turn.takes_back else turn.intent

    def say(
        self,
        text: str,
        *,
        kind: str,
        phi: bool = False,
        data: dict[str, Any] | None = None,
        buttons: list[dict[str, str]] | None = None,
    ) -> None:
        """Queue an answer; ``kind`` is ``<intent>_<outcome>`` for channel rendering. A bed
        of a numbered ward is said with its ward ("Ward 7 Bed 3", ``formats.spoken_beds``)."""
        self.messages.append(
            {
                "text": spoken_beds(text),
                "buttons": buttons or [],
                "json_message": {"phi": phi, "kind": kind, "data": data or {}},
            }
        )

    def check_ward(self, ward_code: str | None) -> None:
        """Refuse (``WardDenied``) when a ward-scoped permission reaches outside own wards."""
        if ward_code is None or self.permission is None:
            return
        allowed = self.services.policy.allows_on_ward(
            self.staff.roles, self.permission, ward_code, self.staff.ward_codes
        )
        if not allowed:
            raise WardDenied(ward_code)


def role_label(role: str | None) -> str:
    """A role as staff say it ("bed_manager" -> "bed manager"); permission codes
    ("patients:locate") stay in the audit trail, never in a refusal."""
    return (role or "").replace("_", " ")


def join_or(items: list[str] | tuple[str, ...]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def tracker_principal(services: Services, tracker: Tracker) -> Principal:
    """The gateway-signed principal of the latest message, bound to this conversation.

    PrincipalError if it is missing, forged, expired or was signed for another sender id.
    """
    metadata = tracker.latest_message.get("metadata") or {}
    return verify_principal(
        services.settings.principal_key,
        metadata.get(METADATA_KEY),
        sender=tracker.sender_id,
        # the gateway signed it by the machine's clock, not the hospital's (which tests
        # may set ahead: assistant.hms.clock)
        now=services.clock().timestamp() - clock_shift(),
    )


async def _verified_staff(services: Any, tracker: Tracker) -> Any:
    """The verified user's staff record, or None when that cannot be told (no or bad
    principal, HMS down, unknown user): callers leave those cases to the guarded action."""
    try:
        principal = tracker_principal(services, tracker)
        return await GuardedAction._staff(services, principal.staff)
    except (PrincipalError, HmsError):
        return None


async def lacks_permission(tracker: Tracker, permission: str) -> bool:
    """True only when the verified user is known and their roles lack ``permission``.

    Used by form validation to end a form before it collects patient details from someone
    who may not do the task. Any other problem (no principal, HMS down) is left to the
    guarded action, which refuses and audits it; so is the denial itself.
    """
    services = get_services()
    staff = await _verified_staff(services, tracker)
    return staff is not None and not services.policy.allows(staff.roles, permission)


async def lacks_ward(tracker: Tracker, permission: str, ward_code: str) -> bool:
    """True only when the verified user is known and ``permission`` does not reach
    ``ward_code`` (a ward-scoped permission outside their wards): a form ends there and
    the guarded action refuses and audits it, rather than asking the rest first."""
    services = get_services()
    staff = await _verified_staff(services, tracker)
    return staff is not None and not services.policy.allows_on_ward(
        staff.roles, permission, ward_code, staff.ward_codes
    )


async def sole_ward(tracker: Tracker) -> str | None:
    """The verified user's own ward when they have exactly one (a ward nurse), else None
    (several wards, none, or the user cannot be told: the form asks which ward)."""
    staff = await _verified_staff(get_services(), tracker)
    wards = sorted(staff.ward_codes) if staff is not None else []
    return wards[0] if len(wards) == 1 else None


async def permitted_tasks(tracker: Tracker) -> frozenset[str] | None:
    """The task intents the verified user may ask for (to offer only those as choices);
    None when that cannot be told (no principal, HMS down, unknown user)."""
    services = get_services()
    staff = await _verified_staff(services, tracker)
    if staff is None:
        return None
    return frozenset(
        i.name
        for i in default_catalog().intents
        if i.is_task and (not i.permission or services.policy.allows(staff.roles, i.permission))
    )


async def guarded_reader(
    tracker: Tracker, intent: str, step: str, *, resource: str = "directory"
) -> HmsClient | None:
    """An HMS client for a directory look-up made while a form asks its questions (ward,
    clinic and clinician names), on the same terms as the guarded action: a verified
    principal, an active staff record, the intent's permission, and one audit event.
    None when any of that fails; the guarded action then refuses as usual."""
    services = get_services()
    try:
        principal = tracker_principal(services, tracker)
        staff = await GuardedAction._staff(services, principal.staff)
    except (PrincipalError, HmsError):
        return None
    permission = default_catalog().get(intent).permission
    if staff is None or (permission and not services.policy.allows(staff.roles, permission)):
        return None
    granting = [r for r in sorted(staff.roles) if services.policy.allows([r], permission or "")]
    event = AuditEvent(
        staff=staff.username,
        role=(granting or sorted(staff.roles) or [""])[0],
        channel=principal.channel,
        intent=intent,
        action=step,
        permission=permission or "",
        resource=resource,
        patient_ref=None,
        outcome="success",
        detail=f"{resource} lookup",
    )
    try:
        services.audit.record(event)
    except AuditWriteError:
        return None
    return services.hms.with_actor(staff.username)


class GuardedAction(Action, ABC):
    """Base of every action that touches hospital data. Subclasses set ``intent`` (the
    permission, PHI flag and form come from the intent catalog) and ``activity``."""

    intent: ClassVar[str]
    activity: ClassVar[str] = "That"  # "Booking appointments" for the denial sentence

    def name(self) -> str:
        return f"action_{self.intent}"

    @property
    def permission(self) -> str | None:
        """From the catalog; None: identity only (e.g. role-tailored help)."""
        return default_catalog().get(self.intent).permission

    @abstractmethod
    async def perform(self, ctx: ActionContext) -> Outcome: ...

    def instead(self, services: Services, staff: Staff, tracker: Tracker) -> GuardedAction | None:
        """The guarded action these words are for, when it is another one for this user
        (checked before the permission: "list my requests" from a nurse, whom NLU read as
        asking for porter jobs, is her own requests). None: this action."""
        return None

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        events = await self._guarded(dispatcher, tracker, domain)
        return finish(tracker, events, dispatcher, self.intent)

    async def _guarded(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        services = get_services()
        channel = "unknown"
        try:
            principal = tracker_principal(services, tracker)
        except PrincipalError as exc:
            self._audit(
                services, "unknown", "", channel, "denied", reason="principal", detail=str(exc)
            )
            dispatcher.utter_message(text=UNVERIFIED, json_message=self._kind("unverified"))
            return []
        channel = principal.channel
        try:
            staff = await GuardedAction._staff(services, principal.staff)
        except HmsError:
            self._audit(services, principal.staff, "", channel, "error", reason="staff_lookup")
            dispatcher.utter_message(
                text=UNAVAILABLE, buttons=[HELP_DESK_BUTTON], json_message=self._kind("unavailable")
            )
            return []
        if staff is None:
            self._audit(services, principal.staff, "", channel, "denied", reason="unknown_staff")
            dispatcher.utter_message(text=UNKNOWN_STAFF, json_message=self._kind("unknown_staff"))
            return []
        role = self._role(services, staff)
        from actions.clinicalorder import a_clinical_order, say_not_ordered

        if a_clinical_order(tracker, self.intent):  # "order bloods for bed 5": out of scope
            say_not_ordered(dispatcher)
            return []
        from actions.deskqueue import desk_question  # imports this module
        from actions.jobtalk import worker_words  # imports this module

        # a help-desk agent asking about the handoff queue, or a porter about the job in
        # hand ("cancel it", "put it back"), whatever NLU read it as
        other = (
            desk_question(self, services, staff, tracker)
            or worker_words(self, services, staff, tracker)
            or self.instead(services, staff, tracker)
        )
        if other is not None:  # these words ask this user for another task
            return await other._guarded(dispatcher, tracker, domain)
        if self.permission and not services.policy.allows(staff.roles, self.permission):
            self._audit(services, staff.username, role, channel, "denied", reason="permission")
            dispatcher.utter_message(
                text=self.denial_text(services, staff),
                json_message=self._kind(
                    "denied", permission=self.permission, roles=sorted(staff.roles)
                ),
            )
            return []
        try:
            if not default_catalog().get(self.intent).read_only:
                self._probe(services)
        except AuditWriteError:
            log.error("audit trail not writable: %s refused before running", self.name())
            self._audit(services, staff.username, role, channel, "error", reason="audit_down")
            dispatcher.utter_message(
                text=AUDIT_DOWN, buttons=[HELP_DESK_BUTTON], json_message=self._kind("error")
            )
            return []

        gave_up = gave_up_on(tracker)
        if gave_up is not None:
            what = gave_up.replace("_", " ") if gave_up != "mrn" else "MRN"
            self._audit(services, staff.username, role, channel, "refused", reason="incomplete")
            dispatcher.utter_message(
                text=GAVE_UP.format(what=what),
                buttons=[HELP_DESK_BUTTON],
                json_message={
                    "phi": False,
                    "kind": "fallback_default",
                    "data": {"intent": self.intent, "slot": gave_up},
                },
            )
            # kept quietly: the answer said right after ("tuesday") takes it up again
            return kept_after_giving_up(tracker, self.intent, gave_up)
        ctx = ActionContext(
            dispatcher=dispatcher,
            tracker=tracker,
            domain=domain,
            principal=principal,
            staff=staff,
            role=role,
            hms=services.hms.with_actor(staff.username),
            services=services,
            now=services.clock(),
            permission=self.permission,
        )
        outcome = await self._perform(ctx)
        try:
            services.audit.record(self._event(ctx, outcome))
        except AuditWriteError:
            log.error("audit write failed for %s (outcome %s)", self.name(), outcome.result)
            dispatcher.utter_message(text=AUDIT_DOWN, buttons=[HELP_DESK_BUTTON])
            return []
        said = [str((m.get("json_message") or {}).get("kind") or "") for m in ctx.messages]
        unknown = unknown_slot(said)  # "I don't know ward '9'": "ok, 4B then" asks again
        missed = misses_before(tracker, self.intent, unknown) if unknown else 0
        value = said_unknown(ctx.messages, unknown) or unknown_value(tracker, unknown)
        if unknown and value and misses_before(tracker, self.intent, unknown, value) >= 2:
            give_up_unknown(ctx.messages, self.intent, unknown)  # not the same answer a third time
            unknown = None
        elif unknown is not None and missed:
            offer_help_desk(ctx.messages)  # the second miss in a row: a person is offered
        # the same step asked again ("Please pick one of these") is a miss (actions.steps)
        events = count_misses(tracker, self.intent, list(outcome.events), ctx.messages)
        for message in ctx.messages:
            dispatcher.utter_message(**message)
        answered = outcome.result in (
            "success",
            "not_found",
            "denied",
            "conflict",
        )  # "sorry, 4B" next
        if (answered or unknown) and not still_waiting(events):
            events += remember(self.intent, tracker, events, unknown, value)  # "and friday?"
        return events

    async def _perform(self, ctx: ActionContext) -> Outcome:
        """Run ``perform`` and turn every failure into one clear queued answer."""
        kind = self.intent
        try:
            return await self.perform(ctx)
        except WardDenied as exc:
            ctx.messages.clear()
            assigned = join_or(sorted(ctx.staff.ward_codes)) or "no ward"
            # naming a patient's ward would itself tell the user where the patient is
            private = (self.permission or "").startswith("patients:")
            where = "that ward" if private else f"ward {exc.ward}"
            ctx.say(
                f"{self.activity} on {where} is only for that ward's staff; "
                f"you are signed in as {role_label(ctx.role) or 'staff'} for {assigned}.",
                kind=f"{kind}_denied",
            )
            return Outcome("denied", reason="ward_scope", detail=f"ward={exc.ward}")
        except Unavailable:
            ctx.messages.clear()
            ctx.say(UNAVAILABLE, kind=f"{kind}_unavailable", buttons=[HELP_DESK_BUTTON])
            return Outcome("error", reason="hms_unavailable")
        except Conflict:
            ctx.messages.clear()
            ctx.say(
                "Someone else changed that just now. Please try again.", kind=f"{kind}_conflict"
            )
            return Outcome("conflict", reason="hms_conflict")
        except NotFound:
            ctx.messages.clear()
            ctx.say("I couldn't find that in the hospital system.", kind=f"{kind}_not_found")
            return Outcome("not_found")
        except Invalid:
            ctx.messages.clear()
            ctx.say("The hospital system didn't accept that request.", kind=f"{kind}_invalid")
            return Outcome("error", reason="hms_invalid")
        except Forbidden:
            ctx.messages.clear()
            ctx.say(GENERIC_ERROR, kind=f"{kind}_error", buttons=[HELP_DESK_BUTTON])
            return Outcome("error", reason="hms_forbidden")
        except Exception:  # never a stack trace to the user
            log.exception("action %s failed", self.name())
            ctx.messages.clear()
            ctx.say(GENERIC_ERROR, kind=f"{kind}_error", buttons=[HELP_DESK_BUTTON])
            return Outcome("error", reason="exception")

    def _kind(self, outcome: str, **data: Any) -> dict[str, Any]:
        return {"phi": False, "kind": f"{self.intent}_{outcome}", "data": data}

    @staticmethod
    def _probe(services: Services) -> None:
        """Raise AuditWriteError when the trail cannot be written now (see the module doc)."""
        check = getattr(services.audit, "check", None)
        if callable(check):
            check()

    @staticmethod
    async def _staff(services: Services, username: str) -> Staff | None:
        hit, cached = services.staff_cache.get(username)
        if hit:
            return cached
        found = await services.hms.find_staff(username=username)
        staff = next((s for s in found if s.username == username and s.active), None)
        services.staff_cache.put(username, staff)
        return staff

    def _role(self, services: Services, staff: Staff) -> str:
        perm = self.permission or ""
        granting = [r for r in sorted(staff.roles) if services.policy.allows([r], perm)]
        return (granting or sorted(staff.roles) or [""])[0]

    def denial_text(self, services: Services, staff: Staff) -> str:
        roles = [role_label(r) for r in services.policy.roles_with(self.permission or "")]
        who = join_or([role_label(r) for r in sorted(staff.roles)]) or "a user with no role"
        allowed = f"the {join_or(roles)} role" if roles else "a role nobody has"
        # as DESIGN.md words it: "Booking appointments needs the scheduler or clinician
        # role; you are signed in as porter" (the permission itself is in the audit event)
        return f"{self.activity} needs {allowed}; you are signed in as {who}."

    def _event(self, ctx: ActionContext, outcome: Outcome) -> AuditEvent:
        return self._make(ctx.staff.username, ctx.role, ctx.principal.channel, outcome)

    def _make(self, staff: str, role: str, channel: str, outcome: Outcome) -> AuditEvent:
        return AuditEvent(
            staff=staff,
            role=role,
            channel=channel,
            intent=self.intent,
            action=self.name(),
            permission=self.permission or "",
            resource=outcome.resource,
            patient_ref=outcome.patient_ref,
            outcome=outcome.result,
            detail=outcome.detail,
            reason=outcome.reason,
        )

    def _audit(
        self,
        services: Services,
        staff: str,
        role: str,
        channel: str,
        outcome: str,
        *,
        reason: str,
        detail: str = "",
    ) -> None:
        """Audit a refusal made before ``perform``; the refusal stands even if this fails."""
        event = self._make(staff, role, channel, Outcome(outcome, detail=detail, reason=reason))
        try:
            services.audit.record(event)
        except AuditWriteError:
            log.error("audit write failed for a refused %s", self.name())
