"""The runner's judgement on canned replies (no stack): kinds, data, text, buttons, press."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.dialogues.dialogue_format import Expect, load
from tests.dialogues.dialogue_runner import check_expect, contains, find_button, run
from tests.dialogues.dialogue_summary import summary, tally

BEDS = {
    "text": "Ward 4B has 2 free beds: 4B-03, 4B-11.",
    "custom": {
        "phi": False,
        "kind": "check_bed_availability_success",
        "data": {"ward": "4B", "feature": None, "beds": [{"label": "4B-03"}, {"label": "4B-11"}]},
    },
}
ASK = {
    "text": "Which ward?",
    "buttons": [{"title": "Needs cleaning", "payload": '/inform{"bed_status":"H"}'}],
    "custom": {"phi": False, "kind": "ask_ward", "data": {"slot": "ward"}},
}
EMERGENCY = {
    "text": "Call 2222 now.",
    "custom": {"kind": "emergency_answer", "data": {"number": "2222"}},
}


def test_dialogue_runner_kind_and_data_match() -> None:
    assert (
        check_expect(Expect.model_validate({"kind": "check_bed_availability_success"}), [ASK, BEDS])
        == []
    )
    assert check_expect(Expect(data={"ward": "4b", "feature": None}), [BEDS]) == []
    assert check_expect(Expect(kind=["x_none", "check_bed_.*_success"]), [BEDS]) == []
    assert check_expect(Expect(data={"beds": [{"label": "4B-11"}]}), [BEDS]) == []
    assert check_expect(Expect.model_validate({"asks": "ward"}), [ASK]) == []


def test_dialogue_runner_kind_and_data_mismatch() -> None:
    assert check_expect(Expect.model_validate({"kind": "check_bed_availability_none"}), [BEDS])
    assert check_expect(Expect(data={"ward": "ICU"}), [BEDS])
    assert check_expect(Expect(data={"feature": "isolation"}), [BEDS])
    assert check_expect(Expect.model_validate({"asks": "mrn"}), [ASK])
    assert check_expect(Expect(no_kind=["ask_.*"]), [BEDS, ASK])
    assert check_expect(Expect.model_validate({"kind": "check_bed"}), [BEDS]), (
        "kinds match whole names only"
    )


def test_dialogue_runner_text_first_reply_and_buttons() -> None:
    assert check_expect(Expect(first_reply_text=["2222"]), [EMERGENCY, ASK]) == []
    assert check_expect(Expect(first_reply_text=["2222"]), [ASK, EMERGENCY])
    assert check_expect(Expect.model_validate({"first_kind": "emergency_answer"}), [ASK, EMERGENCY])
    assert check_expect(Expect(text=["4B-03", "two|2 free"]), [BEDS]) == []
    assert check_expect(Expect(not_text=["isolation"]), [BEDS]) == []
    assert check_expect(Expect(not_text=["4b-03"]), [BEDS])
    assert check_expect(Expect(buttons=["bed_status"]), [ASK]) == []
    assert check_expect(Expect(buttons=["talk_to_human"]), [ASK])
    assert check_expect(Expect.model_validate({"kind": "anything"}), [])


@pytest.mark.parametrize(
    ("actual", "expected", "ok"),
    [
        ({"a": 1}, {"a": None}, False),
        ({}, {"a": None}, True),
        ({"a": None}, {"a": None}, True),
        ({"a": {"b": 2, "c": 3}}, {"a": {"b": 2}}, True),
        ({"n": 3}, {"n": "3"}, True),
        ({"n": True}, {"n": 1}, False),
        ({"l": [1, 2]}, {"l": [3]}, False),
        ({"s": "x"}, {"s": ["x"]}, False),
    ],
)
def test_dialogue_runner_contains(actual: Any, expected: Any, ok: bool) -> None:
    assert contains(actual, expected) is ok


def test_dialogue_runner_find_button_by_title() -> None:
    button = find_button([ASK], "cleaning")
    assert button is not None and button["payload"] == '/inform{"bed_status":"H"}'
    assert find_button([ASK], "^occupied") is None


class CannedStack:
    """Replies from a script, in order; records what was sent (the runner's only port)."""

    env: dict[str, str] = {}

    def __init__(self, replies: list[list[dict[str, Any]]]) -> None:
        self.replies = replies
        self.sent: list[tuple[str, str | None]] = []

    def token(self, username: str, ttl: int = 3600) -> str:
        return f"token-{username}"

    def post_message(self, token: str, text: str, conversation_id: str | None = None) -> dict:
        self.sent.append((text, conversation_id))
        return {"conversation_id": conversation_id, "replies": self.replies[len(self.sent) - 1]}

    def fhir_get(self, path: str, **params: Any) -> dict[str, Any]:
        raise AssertionError("no outcome in these files")


FILE = """\
id: runner-press
category: correction
role: n.jones
description: press sends the payload of the button the previous turn offered.
turns:
  - say: bed 6 on 4B
    expect: {{asks: ward}}
  - press: cleaning
    expect:
      kind: {kind}
"""


def _conversation(tmp_path: Path, kind: str) -> Any:
    path = tmp_path / "tuning" / "correction" / "runner-press.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(FILE.format(kind=kind))
    return load(path, tmp_path)


def test_dialogue_runner_run_presses_and_passes(tmp_path: Path) -> None:
    stack = CannedStack([[ASK], [BEDS]])
    result = run(stack, _conversation(tmp_path, "check_bed_availability_success"))
    assert result.passed, result.report()
    assert stack.sent[1][0] == '/inform{"bed_status":"H"}'
    assert stack.sent[0][1] == stack.sent[1][1], "one conversation id for the whole file"


def test_dialogue_runner_run_reports_failures(tmp_path: Path) -> None:
    result = run(CannedStack([[ASK], [BEDS]]), _conversation(tmp_path, "update_bed_status_success"))
    assert not result.passed
    assert "turn 2" in result.failures[0] and "update_bed_status_success" in result.failures[0]
    assert "bot[check_bed_availability_success]" in result.report()
    missing = run(CannedStack([[BEDS], [BEDS]]), _conversation(tmp_path, "x"))
    assert any("no button titled" in f for f in missing.failures)


def test_dialogue_summary_counts_per_part_and_category(tmp_path: Path) -> None:
    ok = run(CannedStack([[ASK], [BEDS]]), _conversation(tmp_path, "check_bed_availability_.*"))
    bad = run(CannedStack([[ASK], [ASK]]), load(next(tmp_path.glob("*/*/*.yml")), tmp_path))
    assert tally([ok, bad]) == {"tuning": {"correction": (1, 2)}}
    text = summary([ok, bad])
    assert "correction" in text and "1/2" in text and "50.0%" in text


CAPTURE_FILE = """\
id: runner-capture
category: formats
role: n.jones
description: a ticket id handed out at run time is used in a later message.
turns:
  - say: porter to 4B please
    capture: {ticket: ticket_id}
  - say: status of ticket {ticket.number} ({ticket})
"""


def test_dialogue_runner_capture_fills_later_turns(tmp_path: Path) -> None:
    path = tmp_path / "heldout" / "formats" / "runner-capture.yml"
    path.parent.mkdir(parents=True)
    path.write_text(CAPTURE_FILE)
    done = {
        "text": "Filed.",
        "custom": {"kind": "request_help_success", "data": {"ticket_id": "HR-000042"}},
    }
    stack = CannedStack([[done], [BEDS]])
    result = run(stack, load(path, tmp_path))
    assert result.passed, result.report()
    assert stack.sent[1][0] == "status of ticket 42 (HR-000042)"
    failed = run(CannedStack([[BEDS], [BEDS]]), load(path, tmp_path))
    assert any("nothing was captured" in f for f in failed.failures)


OPTIONAL_FILE = """\
id: runner-optional
category: correction
role: n.jones
description: an optional press is skipped when nothing matches; captured facts in expect.
turns:
  - say: porter to 4B please
    capture: {ticket: ticket_id}
  - press: ^Pick one
    optional: true
  - press: cleaning
    expect:
      data: {ticket_id: "{ticket}"}
      text: ["{ticket}"]
"""


def test_dialogue_runner_optional_press_and_captured_expect(tmp_path: Path) -> None:
    path = tmp_path / "tuning" / "correction" / "runner-optional.yml"
    path.parent.mkdir(parents=True)
    path.write_text(OPTIONAL_FILE)
    asked = {**ASK, "custom": {"kind": "ask_ward", "data": {"ticket_id": "HR-000042"}}}
    told = {
        "text": "HR-000042 is open",
        "custom": {"kind": "x", "data": {"ticket_id": "HR-000042"}},
    }
    stack = CannedStack([[asked], [told]])
    result = run(stack, load(path, tmp_path))
    assert result.passed, result.report()
    assert len(stack.sent) == 2, "the optional press sent nothing"
    other = {"text": "HR-000007", "custom": {"kind": "x", "data": {"ticket_id": "HR-000007"}}}
    assert not run(CannedStack([[asked], [other]]), load(path, tmp_path)).passed


ANSWER_FILE = """\
id: runner-answer
category: free_text
role: n.jones
description: answer fills a form's questions in the order the assistant asks them.
turns:
  - say: housekeeping to 4B bed 25
  - answer: {urgency: not urgent, help_description: spilt water by the bed}
    expect: {kind: request_help_success}
"""


def _asks(slot: str) -> dict[str, Any]:
    return {"text": "?", "custom": {"kind": f"ask_{slot}", "data": {"slot": slot}}}


def test_dialogue_runner_answer_follows_the_questions(tmp_path: Path) -> None:
    path = tmp_path / "heldout" / "free_text" / "runner-answer.yml"
    path.parent.mkdir(parents=True)
    path.write_text(ANSWER_FILE)
    done = {"text": "Filed", "custom": {"kind": "request_help_success", "data": {}}}
    stack = CannedStack([[_asks("help_description")], [_asks("urgency")], [done]])
    result = run(stack, load(path, tmp_path))
    assert result.passed, result.report()
    assert [t for t, _ in stack.sent[1:]] == ["spilt water by the bed", "not urgent"]
    looping = CannedStack([[_asks("urgency")]] * 4)
    failed = run(looping, load(path, tmp_path))
    assert any("asked for urgency again" in f for f in failed.failures)
    assert len(looping.sent) == 3
    nothing_asked = run(CannedStack([[done]]), load(path, tmp_path))
    assert nothing_asked.passed, "no question: nothing to answer, expect checks the last replies"


def test_dialogue_outcomes_store_url_as_config_resolves_it(tmp_path: Path) -> None:
    from tests.dialogues.dialogue_outcomes import store_url

    env = {"VAR_DIR": str(tmp_path)}
    assert store_url(env) == f"sqlite:///{tmp_path.resolve() / 'assistant.db'}"
    (tmp_path / "demo.env").write_text("ASSISTANT_DATABASE_URL=sqlite:////x/from-file.db\n")
    assert store_url(env) == "sqlite:////x/from-file.db"
    env["ASSISTANT_DATABASE_URL"] = "postgresql://db/assistant"
    assert store_url(env) == "postgresql://db/assistant"


def test_dialogue_runner_capture_takes_a_button_title() -> None:
    from tests.dialogues.dialogue_runner import capture

    replies = [
        {
            "text": "Free slots",
            "buttons": [{"title": "Tue 8 Dec at 09:40"}, {"title": "Tue 8 Dec at 10:00"}],
        }
    ]
    assert capture({"slot": "button:2"}, replies) == {"slot": "Tue 8 Dec at 10:00"}
    assert capture({"slot": "button:5"}, replies) == {}


@pytest.mark.parametrize(
    ("machine", "hospital"),
    [
        ("2026-12-04T03:00:00+00:00", "2026-12-10T22:45:00+00:00"),  # a Friday night
        ("2026-12-10T22:00:00+00:00", "2026-12-10T22:45:00+00:00"),  # that Thursday, earlier
        ("2026-12-10T23:00:00+00:00", "2026-12-17T22:45:00+00:00"),  # just after: a week on
        ("2026-07-01T12:00:00+00:00", "2026-07-02T21:45:00+00:00"),  # summer time: 22:45 BST
    ],
)
def test_dialogue_clock_is_the_next_thursday_evening(machine, hospital):
    from datetime import datetime

    from tests.dialogues.dialogue_clock import clock_shift

    now = datetime.fromisoformat(machine)
    shift = clock_shift(now)
    assert shift > 0
    assert (now.timestamp() + shift) == datetime.fromisoformat(hospital).timestamp()
