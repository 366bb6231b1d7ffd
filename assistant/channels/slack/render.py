"""Assistant replies -> Slack Block Kit.

Text is mrkdwn-escaped and shown as written (ticket ids such as ``HR-000123`` stay plain
text). Buttons become an actions block whose values carry the conversation id and the
payload, so a click continues the same conversation. Bed availability
(``custom.kind`` ``check_bed_availability_*``) becomes a compact table per ward.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from assistant.conversation import Reply
from assistant.conversation.kinds import BedAvailabilityData, BedFact

BUTTON_ACTION_PREFIX = "hms_btn_"
MAX_BLOCKS = 50
MAX_BEDS_SHOWN = 8
_MAX_VALUE = 2000


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def button_value(conversation: str, payload: str, title: str, private: bool) -> str:
    value = json.dumps({"c": conversation, "p": payload, "t": title[:75], "e": int(private)})
    if len(value) > _MAX_VALUE:
        raise ValueError("button payload too long for Slack")
    return value


def parse_button_value(value: str) -> dict[str, Any]:
    data = json.loads(value)
    if not isinstance(data, dict) or not isinstance(data.get("c"), str):
        raise ValueError("not an HMS button value")
    return data


def fallback_text(replies: Sequence[Reply]) -> str:
    """The notification / screen-reader text of a message (plain, unformatted)."""
    text = "\n".join(r.text for r in replies if r.text)
    return text or "(no answer)"


def render(replies: Sequence[Reply], conversation: str, *, private: bool = False) -> list[dict]:
    blocks: list[dict[str, Any]] = []
    counter = 0
    for reply in replies:
        if reply.text:
            blocks.append(_section(reply.text))
        blocks.extend(_custom_blocks(reply))
        if reply.buttons:
            elements = []
            for button in reply.buttons:
                elements.append(
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": button.title[:75], "emoji": True},
                        "action_id": f"{BUTTON_ACTION_PREFIX}{counter}",
                        "value": button_value(conversation, button.payload, button.title, private),
                    }
                )
                counter += 1
            for start in range(0, len(elements), 25):
                blocks.append({"type": "actions", "elements": elements[start : start + 25]})
    return blocks[:MAX_BLOCKS]


def chosen_blocks(blocks: Iterable[Mapping[str, Any]], title: str, slack_user: str) -> list[dict]:
    """The clicked message with its buttons replaced by a note of the choice."""
    kept: list[dict[str, Any]] = [dict(b) for b in blocks if b.get("type") != "actions"]
    note = f"<@{slack_user}> chose *{escape(title)}*"
    kept.append({"type": "context", "elements": [{"type": "mrkdwn", "text": note}]})
    return kept


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": escape(text)[:3000]}}


def _custom_blocks(reply: Reply) -> list[dict[str, Any]]:
    if reply.kind.startswith("check_bed_availability"):
        return bed_table(cast(BedAvailabilityData, reply.data))
    return []


def _bed_line(bed: BedFact) -> str:
    extra = [str(bed["room"])] if bed.get("room") else []
    extra.extend(str(f) for f in bed.get("features") or [])
    return f"{bed.get('label') or '?'}  {', '.join(extra)}".rstrip()


def bed_table(data: BedAvailabilityData) -> list[dict[str, Any]]:
    """Per ward: ``*Ward 4B*  3 free / 20`` and a preformatted list of free beds.

    ``data`` is what ``actions/beds.py`` sends (``assistant.conversation.kinds``):
    ``{"ward": "4B", "beds": [BedFact]}``, ``{"wards": {"4B": 3}}`` (free counts), or
    ``{"wards": [WardCount]}``.
    """
    wards: dict[str, dict[str, Any]] = {}
    raw_wards = data.get("wards") or []
    counts: list[Mapping[str, Any]] = (
        [{"ward": code, "free": free} for code, free in raw_wards.items()]
        if isinstance(raw_wards, Mapping)  # {"4B": 3, ...}: free counts per ward code
        else list(raw_wards)
    )
    for ward in counts:
        wards[str(ward.get("ward") or "?")] = {**ward, "beds": []}
    default_ward = str(data.get("ward") or "?")
    for bed in data.get("beds") or []:
        code = str(bed.get("ward") or default_ward)
        wards.setdefault(code, {"beds": []})["beds"].append(bed)
    blocks: list[dict[str, Any]] = []
    for code, ward in wards.items():
        name = str(ward.get("name") or f"Ward {code}")
        beds = ward["beds"]
        free = ward.get("free", len(beds))
        count = f"{free} free" + (f" / {ward['total']}" if ward.get("total") is not None else "")
        text = f"*{escape(name)}*  {count}"
        if beds:
            lines = [escape(_bed_line(b)) for b in beds[:MAX_BEDS_SHOWN]]
            if len(beds) > MAX_BEDS_SHOWN:
                lines.append(f"+{len(beds) - MAX_BEDS_SHOWN} more")
            text += "\n```" + "\n".join(lines) + "```"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}})
    return blocks[:MAX_BLOCKS]
