"""Run one dialogue file against a running stack and judge it.

``run(stack, conversation)`` opens a fresh REST conversation as the file's staff member,
sends each turn (``say`` text, or the payload of the button ``press`` names), checks each
turn's ``expect`` against the replies' facts (``custom.kind`` / ``custom.data``, text
regexes, buttons) and, after the last turn, the ``outcome`` checks against the HMS and the
assistant store (``dialogue_outcomes``). It returns a ``Result``; it never raises for a
failed expectation, so the bench can count and pytest can assert.

``stack`` is anything with ``token(username)``, ``post_message(token, text, conversation)``,
``fhir_get(path, **params)`` and ``env`` (the ``stack`` fixture's ``StackHandle``, or the
bench's own stack).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from tests.dialogues.dialogue_format import PLACEHOLDER, Conversation, Expect, Turn
from tests.dialogues.dialogue_outcomes import OutcomeProbe


class StackLike(Protocol):
    env: dict[str, str]

    def token(self, username: str, ttl: int = 3600) -> str: ...

    def post_message(
        self, token: str, text: str, conversation_id: str | None = None
    ) -> dict[str, Any]: ...

    def fhir_get(self, path: str, **params: Any) -> dict[str, Any]: ...


@dataclass(frozen=True)
class TurnRecord:
    said: str
    pressed: str | None
    replies: tuple[dict[str, Any], ...]


@dataclass
class Result:
    key: str
    part: str
    category: str
    role: str
    passed: bool = False
    failures: list[str] = field(default_factory=list)
    turns: list[TurnRecord] = field(default_factory=list)

    def transcript(self) -> str:
        lines = []
        for turn in self.turns:
            pressed = f"  [pressed {turn.pressed!r}]" if turn.pressed else ""
            lines.append(f"{self.role}> {turn.said}{pressed}")
            for reply in turn.replies:
                custom = reply.get("custom") or {}
                buttons = [b.get("title") for b in reply.get("buttons") or []]
                lines.append(
                    f"  bot[{custom.get('kind', '-')}]> {reply.get('text', '')}"
                    + (f"  {buttons}" if buttons else "")
                    + (f"  data={custom.get('data')}" if custom.get("data") else "")
                )
        return "\n".join(lines)

    def report(self) -> str:
        return "\n".join(
            [f"{self.key} failed:", *(f"  - {f}" for f in self.failures), self.transcript()]
        )


# -- matching ---------------------------------------------------------------------------


def kind_of(reply: dict[str, Any]) -> str:
    custom = reply.get("custom")
    return str(custom.get("kind") or "") if isinstance(custom, dict) else ""


def data_of(reply: dict[str, Any]) -> dict[str, Any]:
    custom = reply.get("custom")
    data = custom.get("data") if isinstance(custom, dict) else None
    return data if isinstance(data, dict) else {}


def kind_matches(kind: str, wanted: Sequence[str]) -> bool:
    """A kind matches a wanted name, or a name pattern (full-match regex)."""
    return any(re.fullmatch(w, kind) for w in wanted)


def contains(actual: Any, expected: Any) -> bool:
    """Subset match of reply data: dict keys recursively (``None`` = absent or null),
    list items each found in the actual list, strings case-insensitively, else equality."""
    if expected is None:
        return actual is None
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return False
        return all(contains(actual.get(k), v) for k, v in expected.items())
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return False
        return all(any(contains(a, e) for a in actual) for e in expected)
    if isinstance(expected, str) and isinstance(actual, str):
        return expected.casefold() == actual.casefold()
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    if isinstance(expected, int | float) and isinstance(actual, str):
        return str(expected) == actual
    if isinstance(expected, str) and isinstance(actual, int | float):
        return expected == str(actual)
    return bool(expected == actual)


def _found(pattern: str, text: str) -> bool:
    return re.search(pattern, text, re.IGNORECASE) is not None


def check_expect(expect: Expect, replies: Sequence[dict[str, Any]]) -> list[str]:
    """What of ``expect`` the replies do not show (empty: all good)."""
    kinds = [kind_of(r) for r in replies]
    text = "\n".join(str(r.get("text") or "") for r in replies)
    problems: list[str] = []
    if expect.kind and not any(kind_matches(k, expect.kind) for k in kinds):
        problems.append(f"no reply of kind {expect.kind} (kinds: {kinds})")
    if expect.first_kind and not (replies and kind_matches(kinds[0], expect.first_kind)):
        problems.append(f"first reply is not of kind {expect.first_kind} (kinds: {kinds})")
    if expect.asks:
        wanted = [f"{how}_{slot}" for slot in expect.asks for how in ("ask", "choose")]
        if not any(kind_matches(k, wanted) for k in kinds):
            problems.append(f"no question for {expect.asks} (kinds: {kinds})")
    if expect.no_kind:
        bad = [k for k in kinds if kind_matches(k, expect.no_kind)]
        if bad:
            problems.append(f"unwanted reply kinds {bad}")
    if expect.data is not None and not any(contains(data_of(r), expect.data) for r in replies):
        problems.append(f"no reply's data contains {expect.data}")
    for pattern in expect.text or ():
        if not _found(pattern, text):
            problems.append(f"reply text does not match /{pattern}/")
    for pattern in expect.not_text or ():
        if _found(pattern, text):
            problems.append(f"reply text matches unwanted /{pattern}/")
    first = str(replies[0].get("text") or "") if replies else ""
    for pattern in expect.first_reply_text or ():
        if not _found(pattern, first):
            problems.append(f"first reply text does not match /{pattern}/")
    buttons = [b for r in replies for b in (r.get("buttons") or [])]
    for pattern in expect.buttons or ():
        if not any(
            _found(pattern, str(b.get("payload", ""))) or _found(pattern, str(b.get("title", "")))
            for b in buttons
        ):
            problems.append(f"no button matching /{pattern}/")
    return problems


def find_button(replies: Sequence[dict[str, Any]], title_pattern: str) -> dict[str, Any] | None:
    """The first button whose title matches (regex search, case-insensitive)."""
    for reply in replies:
        for button in reply.get("buttons") or []:
            if _found(title_pattern, str(button.get("title", ""))):
                return dict(button)
    return None


def fill(text: str, captured: dict[str, str], escape: bool = False) -> str:
    """Put captured values into ``{name}`` / ``{name.number}`` placeholders (regex-escaped
    for a regex); a placeholder nothing was captured for is left as it is."""

    def value(match: re.Match[str]) -> str:
        raw = captured.get(match.group(1))
        if raw is None:
            return match.group(0)
        if match.group(2):
            digits = "".join(c for c in raw if c.isdigit())
            raw = str(int(digits)) if digits else raw
        return re.escape(raw) if escape else raw

    return PLACEHOLDER.sub(value, text)


def fill_expect(expect: Expect, captured: dict[str, str]) -> Expect:
    """The expectation with captured values in its data values and text regexes."""
    if not captured:
        return expect

    def data(value: Any) -> Any:
        if isinstance(value, str):
            return fill(value, captured)
        if isinstance(value, dict):
            return {k: data(v) for k, v in value.items()}
        if isinstance(value, list):
            return [data(v) for v in value]
        return value

    regexes = {
        key: [fill(r, captured, escape=True) for r in getattr(expect, key)]
        for key in ("text", "not_text", "first_reply_text", "buttons")
        if getattr(expect, key)
    }
    return expect.model_copy(update={"data": data(expect.data), **regexes})


def capture(wanted: dict[str, str], replies: Sequence[dict[str, Any]]) -> dict[str, str]:
    """``name -> value`` of each wanted data key found in some reply (first found wins);
    ``button:N`` is the title of the N-th button (from 1) of some reply."""
    found: dict[str, str] = {}
    for name, key in wanted.items():
        for reply in replies:
            if key.startswith("button:") and key[7:].isdigit():
                buttons = reply.get("buttons") or []
                index = int(key[7:]) - 1
                value = buttons[index].get("title") if 0 <= index < len(buttons) else None
            else:
                value = data_of(reply).get(key)
            if value not in (None, "", [], {}):
                found[name] = str(value)
                break
    return found


# -- running ----------------------------------------------------------------------------


def sender_of(conversation: Conversation, conversation_id: str) -> str:
    """The sender id the gateway gives this REST conversation (the handoff ticket's key)."""
    return f"{conversation.model.channel}:{conversation.model.role}:{conversation_id}"


MAX_ASKED = 2  # an ``answer`` turn answers the same question at most twice


def asked_slots(replies: Sequence[dict[str, Any]]) -> list[str]:
    """The slots the replies ask for: the question (``ask_<slot>``) or, after a second
    miss, the choice it became (``choose_<slot>``)."""
    return [k.split("_", 1)[1] for k in map(kind_of, replies) if k.startswith(("ask_", "choose_"))]


class _Conversation:
    """One REST conversation: sends, records, remembers the last replies."""

    def __init__(self, stack: StackLike, result: Result, username: str) -> None:
        self.stack, self.result = stack, result
        self.token = stack.token(username)
        self.id = f"dlg-{uuid.uuid4().hex[:24]}"
        self.previous: tuple[dict[str, Any], ...] = ()

    def send(self, number: int, text: str, pressed: str | None = None) -> bool:
        try:
            body = self.stack.post_message(self.token, text, self.id)
        except Exception as exc:
            self.result.failures.append(f"turn {number}: sending {text!r} failed: {exc!r}")
            return False
        self.previous = tuple(r for r in body.get("replies") or [] if isinstance(r, dict))
        self.result.turns.append(TurnRecord(text, pressed, self.previous))
        return True


def _turn(chat: _Conversation, number: int, turn: Turn, captured: dict[str, str]) -> bool:
    """Play one turn; False when the conversation cannot go on."""
    failures = chat.result.failures
    if turn.press is not None:
        button = find_button(chat.previous, turn.press)
        if button is None:
            if turn.optional:
                return True
            offered = [b.get("title") for r in chat.previous for b in r.get("buttons") or []]
            failures.append(f"turn {number}: no button titled /{turn.press}/ (offered: {offered})")
            return False
        return chat.send(number, str(button.get("payload", "")), str(button.get("title", "")))
    texts = [turn.say] if turn.say is not None else list((turn.answer or {}).values())
    missing = sorted(
        {n for t in texts for n, _ in PLACEHOLDER.findall(str(t)) if n not in captured}
    )
    if missing:
        failures.append(f"turn {number}: nothing was captured for {missing}")
        return False
    if turn.say is not None:
        return chat.send(number, fill(turn.say, captured))
    answers = {slot: fill(text, captured) for slot, text in (turn.answer or {}).items()}
    times: dict[str, int] = {}
    while True:
        slot = next((s for s in asked_slots(chat.previous) if s in answers), None)
        if slot is None:
            return True
        times[slot] = times.get(slot, 0) + 1
        if times[slot] > MAX_ASKED:
            failures.append(f"turn {number}: asked for {slot} again after {MAX_ASKED} answers")
            return False
        if not chat.send(number, answers[slot]):
            return False


def run(stack: StackLike, conversation: Conversation) -> Result:
    model = conversation.model
    result = Result(conversation.key, conversation.part, model.category, model.role)
    chat = _Conversation(stack, result, model.role)
    probe = OutcomeProbe(stack, model.role, sender_of(conversation, chat.id))
    try:
        probe.before(model.outcome)
    except Exception as exc:
        result.failures.append(f"reading the HMS before the conversation: {exc!r}")
        return result
    captured: dict[str, str] = {}
    for number, turn in enumerate(model.turns, start=1):
        sent = len(result.turns)
        if not _turn(chat, number, turn, captured):
            break
        if len(result.turns) == sent and turn.answer is None:
            continue  # an optional press that was skipped
        if turn.expect is not None:
            said = repr(result.turns[-1].said[:60]) if len(result.turns) > sent else "nothing asked"
            for problem in check_expect(fill_expect(turn.expect, captured), chat.previous):
                result.failures.append(f"turn {number} ({said}): {problem}")
        if turn.capture:
            captured.update(capture(turn.capture, chat.previous))
    else:
        try:
            result.failures += probe.after(model.outcome)
        except Exception as exc:
            result.failures.append(f"checking the outcome: {exc!r}")
    result.passed = not result.failures
    return result
