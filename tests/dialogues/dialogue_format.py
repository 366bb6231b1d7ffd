"""The dialogue test format: load and validate ``tests/dialogues/<part>/<category>/<id>.yml``.

One YAML file is one conversation (see ``README.md`` in this folder for the format). The
schema is strict: an unknown key, a wrong type or a turn that both says and presses is an
error naming the file and the place (``turns.2.expect.kindd: Extra inputs are not
permitted``), so a typo can never silently weaken a test.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

HERE = Path(__file__).resolve().parent
PARTS = ("tuning", "heldout")
CATEGORIES = (
    "emergency",
    "digression",
    "correction",
    "slot_hygiene",
    "free_text",
    "handoff_wait",
    "unknown_value",
    "formats",
    "role_refusal",
    "capability",
    "multi_request",
    "fallback",
)
CHANNELS = ("rest", "slack", "kiosk")
SUPPORTED_CHANNELS = ("rest",)
ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,79}$"
KIND_PATTERN = re.compile(r"^[a-z0-9_|().*?+\[\]-]+$")


class FormatError(Exception):
    """A dialogue file that cannot be used: the message names the file and the problem."""


class _Loader(yaml.SafeLoader):
    """Safe YAML where only ``true``/``false``/``null`` are special: ``say: yes``,
    ``say: no``, ``say: 10004821`` and ``say: 007`` are sent as typed (YAML 1.1 would turn
    them into a boolean or a number); the schema converts counts to numbers."""


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _demo_staff() -> dict[str, str]:
    from hms.seed_data import NAMED_STAFF

    return {username: role for username, _p, _g, _f, role, _w in NAMED_STAFF}


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _check_regexes(values: Iterable[str]) -> None:
    for value in values:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regex {value!r}: {exc}") from exc


Regexes = Annotated[list[str], Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Expect(_Strict):
    """What one turn's replies must show. Every listed check must hold."""

    kind: list[str] | None = None
    data: dict[str, Any] | None = None
    text: Regexes | None = None
    not_text: Regexes | None = None
    first_reply_text: Regexes | None = None
    first_kind: list[str] | None = None
    buttons: Regexes | None = None
    asks: list[str] | None = None
    no_kind: list[str] | None = None

    _listify = field_validator(
        "kind",
        "text",
        "not_text",
        "first_reply_text",
        "first_kind",
        "buttons",
        "asks",
        "no_kind",
        mode="before",
    )(_as_list)

    @field_validator("kind", "first_kind", "no_kind", "asks")
    @classmethod
    def _kinds(cls, value: list[str] | None) -> list[str] | None:
        for kind in value or ():
            if not KIND_PATTERN.match(kind):
                raise ValueError(f"not a reply kind (lowercase name or name pattern): {kind!r}")
        _check_regexes(value or ())
        return value

    @field_validator("text", "not_text", "first_reply_text", "buttons")
    @classmethod
    def _regexes(cls, value: list[str] | None) -> list[str] | None:
        _check_regexes(value or ())
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> Expect:
        if not any(v is not None for v in self.model_dump().values()):
            raise ValueError("expect is empty: give at least one check or drop it")
        return self


PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)(\.number)?\}")


class Turn(_Strict):
    """One message of the staff member: typed text (``say``) or a button press (``press``).

    ``capture: {name: data_key}`` remembers ``custom.data[data_key]`` of this turn's replies;
    a later ``say`` uses it as ``{name}`` (the value) or ``{name.number}`` (its digits
    without leading zeros: HR-000042 -> 42), for ids the HMS hands out at run time; so do
    later ``expect.data`` values and text regexes. ``optional: true`` skips a ``press``
    turn when no offered button matches (a step the specification leaves open).

    ``answer: {slot: text}`` answers a form's questions in whatever order they come: while
    the last replies ask for a slot in the map (kind ``ask_<slot>``), its text is sent; it
    ends when nothing in the map is asked (a question asked a third time fails). Its
    ``expect`` is checked on the last replies."""

    say: str | None = Field(default=None, min_length=1, max_length=2000)
    press: str | None = Field(default=None, min_length=1)
    answer: dict[str, str] | None = Field(default=None, min_length=1)
    expect: Expect | None = None
    capture: dict[str, str] | None = None
    optional: bool = False

    @model_validator(mode="after")
    def _one_action(self) -> Turn:
        if sum(x is not None for x in (self.say, self.press, self.answer)) != 1:
            raise ValueError(
                "a turn has exactly one of 'say' (text), 'press' (button title regex) or "
                "'answer' (slot -> text)"
            )
        if self.press is not None:
            _check_regexes([self.press])
        if self.optional and self.press is None:
            raise ValueError("'optional' is for 'press' turns (skipped when no button matches)")
        for name in self.capture or {}:
            if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
                raise ValueError(f"capture name {name!r}: lowercase letters, digits and _")
        return self


class AppointmentCheck(_Strict):
    mrn: str = Field(pattern=r"^\d{4,12}$")
    status: str = "booked"
    delta: int
    department: str | None = None


class BedCheck(_Strict):
    bed: str = Field(pattern=r"^[A-Z0-9]+-\d{2}$")
    status: list[Literal["U", "O", "H", "C", "K", "I"]]

    _listify = field_validator("status", mode="before")(_as_list)


class TaskCheck(_Strict):
    help_type: str | None = None
    priority: list[str] | None = None
    description_contains: str | None = None
    ward: str | None = None
    delta: int = 1

    _listify = field_validator("priority", mode="before")(_as_list)


class HandoffCheck(_Strict):
    status: list[Literal["none", "open", "claimed", "returned", "resolved", "withdrawn"]] | None = (
        None
    )
    count: int | None = Field(default=None, ge=0)

    _listify = field_validator("status", mode="before")(_as_list)

    @model_validator(mode="after")
    def _something(self) -> HandoffCheck:
        if self.status is None and self.count is None:
            raise ValueError("handoff needs 'status' and/or 'count'")
        return self


class Outcome(_Strict):
    """One after-the-conversation check; exactly one key per list item."""

    appointment: AppointmentCheck | None = None
    bed: BedCheck | None = None
    task: TaskCheck | None = None
    handoff: HandoffCheck | None = None
    nothing_written: Literal[True] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Outcome:
        given = [k for k, v in self.model_dump().items() if v is not None]
        if len(given) != 1:
            raise ValueError(f"an outcome item has exactly one check, got {given or 'none'}")
        return self


class ConversationModel(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    category: Literal[CATEGORIES]  # type: ignore[valid-type]
    role: str
    channel: Literal[CHANNELS] = "rest"  # type: ignore[valid-type]
    description: str = Field(min_length=1)
    turns: list[Turn] = Field(min_length=1, max_length=40)
    outcome: list[Outcome] = Field(default_factory=list)

    @field_validator("role")
    @classmethod
    def _known_staff(cls, value: str) -> str:
        staff = _demo_staff()
        if value not in staff:
            raise ValueError(f"{value!r} is not a demo staff username ({', '.join(sorted(staff))})")
        return value

    @model_validator(mode="after")
    def _press_after_a_turn(self) -> ConversationModel:
        if self.turns[0].say is None:
            raise ValueError("the first turn says something: nothing was offered or asked yet")
        captured: set[str] = set()
        for number, turn in enumerate(self.turns):
            used = (turn.say or "") + " ".join((turn.answer or {}).values())
            if turn.expect is not None:
                used += " " + repr(turn.expect.model_dump())
            for name, _ in PLACEHOLDER.findall(used):
                if name not in captured:
                    raise ValueError(
                        f"turns.{number}.say uses {{{name}}} before a turn captures it"
                    )
            captured |= set(turn.capture or {})
        return self


@dataclass(frozen=True)
class Conversation:
    """A validated conversation and where it came from."""

    part: str
    path: Path
    model: ConversationModel

    @property
    def key(self) -> str:
        return f"{self.part}/{self.model.category}/{self.model.id}"

    @property
    def role_name(self) -> str:
        return _demo_staff()[self.model.role]


def part_of(path: Path, root: Path = HERE) -> tuple[str, str]:
    """(part, category folder) of a dialogue file, from its place under ``root``."""
    rel = path.resolve().relative_to(root.resolve())
    if len(rel.parts) != 3 or rel.parts[0] not in PARTS:
        raise FormatError(f"{path}: dialogue files live at <part>/<category>/<id>.yml")
    return rel.parts[0], rel.parts[1]


def _describe(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        where = ".".join(str(x) for x in err["loc"]) or "(file)"
        lines.append(f"  {where}: {err['msg']}")
    return "\n".join(lines)


def load(path: Path, root: Path = HERE) -> Conversation:
    """Load and validate one file; ``FormatError`` says what is wrong and where."""
    part, folder = part_of(path, root)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise FormatError(f"{path}: cannot read YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise FormatError(f"{path}: the file must be a YAML mapping (id, category, role, turns)")
    try:
        model = ConversationModel.model_validate(raw)
    except ValidationError as exc:
        raise FormatError(f"{path}: invalid dialogue:\n{_describe(exc)}") from exc
    problems = []
    if model.category != folder:
        problems.append(f"category {model.category!r} but the file is in folder {folder!r}")
    if model.id != path.stem:
        problems.append(f"id {model.id!r} differs from the file name {path.stem!r}")
    if model.channel not in SUPPORTED_CHANNELS:
        problems.append(
            f"channel {model.channel!r}: the runner supports {', '.join(SUPPORTED_CHANNELS)} "
            "(Slack and kiosk replies do not carry custom.kind/data to check)"
        )
    if problems:
        raise FormatError(f"{path}: " + "; ".join(problems))
    return Conversation(part, path, model)


def files(part: str | None = None, root: Path = HERE) -> list[Path]:
    """Every dialogue file of one part (or both), sorted."""
    parts = [part] if part else list(PARTS)
    found: list[Path] = []
    for name in parts:
        found += sorted((root / name).glob("*/*.yml")) + sorted((root / name).glob("*/*.yaml"))
    return sorted(found)


def load_all(part: str | None = None, root: Path = HERE) -> list[Conversation]:
    """Load every file; one ``FormatError`` listing every bad file and duplicate id."""
    loaded, errors = [], []
    for path in files(part, root):
        try:
            loaded.append(load(path, root))
        except FormatError as exc:
            errors.append(str(exc))
    seen: dict[str, Path] = {}
    for conv in loaded:
        if conv.model.id in seen:
            errors.append(
                f"{conv.path}: id {conv.model.id!r} is also used by {seen[conv.model.id]}"
            )
        seen.setdefault(conv.model.id, conv.path)
    if errors:
        raise FormatError("\n".join(errors))
    return loaded


def known_failures(path: Path = HERE / "heldout_known_failures.txt") -> frozenset[str]:
    """Held-out conversation ids allowed to fail (xfail, not strict); '#' starts a comment."""
    if not path.exists():
        return frozenset()
    ids = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return frozenset(i for i in ids if i)
