"""The dialogue files themselves (no stack): every file valid, ids unique, the format's
errors clear, the known-failures list names real held-out conversations."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dialogues.dialogue_format import HERE, FormatError, files, known_failures, load, load_all

GOOD = """\
id: {id}
category: capability
role: n.jones
description: A nurse asks what the assistant can do.
turns:
  - say: what can you do
    expect:
      kind: ask_capabilities_success
"""


def _write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_dialogue_files_all_valid() -> None:
    conversations = load_all()
    assert conversations, "no dialogue files found under tests/dialogues/<part>/<category>/"


def test_dialogue_files_known_failures_are_heldout_ids() -> None:
    heldout = {load(p).model.id for p in files("heldout")}
    unknown = sorted(known_failures() - heldout)
    assert not unknown, f"heldout_known_failures.txt names no held-out conversation: {unknown}"


def test_dialogue_format_accepts_a_minimal_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "tuning/capability/ok-1.yml", GOOD.format(id="ok-1"))
    conversation = load(path, tmp_path)
    assert conversation.key == "tuning/capability/ok-1"
    assert conversation.model.channel == "rest"
    assert conversation.model.turns[0].expect is not None
    assert conversation.model.turns[0].expect.kind == ["ask_capabilities_success"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("kind: ask", "kindd: ask"), "turns.0.expect.kindd: Extra inputs are not permitted"),
        (("category: capability", "category: chitchat"), "category"),
        (("role: n.jones", "role: nobody"), "not a demo staff username"),
        (("  - say: what can you do", "  - say: hi\n    press: Yes"), "exactly one of 'say'"),
        (("  - say: what can you do", "  - press: Yes"), "first turn says something"),
        (("kind: ask_capabilities_success", "text: ['(unclosed']"), "not a valid regex"),
        (("description: A nurse", "channel: fax\ndescription: A nurse"), "channel"),
        (("description: A nurse", "channel: slack\ndescription: A nurse"), "runner supports"),
        (("id: bad-1", "id: other"), "differs from the file name"),
    ],
)
def test_dialogue_format_rejects_malformed(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    text = GOOD.format(id="bad-1").replace(*change)
    assert text != GOOD.format(id="bad-1")
    path = _write(tmp_path, "tuning/capability/bad-1.yml", text)
    with pytest.raises(FormatError) as info:
        load(path, tmp_path)
    assert str(path) in str(info.value)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("outcome", "message"),
    [
        ("  - bed: {bed: 4B-06, status: X}", "status"),
        ("  - bed: {bed: 4B-06, status: H}\n    task: {delta: 1}", "exactly one check"),
        ("  - handoff: {}", "'status' and/or 'count'"),
        ("  - appointment: {mrn: '10004821', status: booked}", "delta"),
        ("  - nothing_written: false", "nothing_written"),
    ],
)
def test_dialogue_format_rejects_bad_outcomes(tmp_path: Path, outcome: str, message: str) -> None:
    path = _write(
        tmp_path, "heldout/capability/bad-2.yml", GOOD.format(id="bad-2") + "outcome:\n" + outcome
    )
    with pytest.raises(FormatError, match=message):
        load(path, tmp_path)


def test_dialogue_format_rejects_empty_expect_and_non_mapping(tmp_path: Path) -> None:
    empty = GOOD.format(id="bad-3").replace("      kind: ask_capabilities_success\n", "      {}\n")
    with pytest.raises(FormatError, match="expect is empty"):
        load(_write(tmp_path, "tuning/capability/bad-3.yml", empty), tmp_path)
    with pytest.raises(FormatError, match="YAML mapping"):
        load(_write(tmp_path, "tuning/capability/bad-4.yml", "- just\n- a list\n"), tmp_path)
    with pytest.raises(FormatError, match="cannot read YAML"):
        load(_write(tmp_path, "tuning/capability/bad-5.yml", "id: [unclosed\n"), tmp_path)
    with pytest.raises(FormatError, match="<part>/<category>/<id>.yml"):
        load(_write(tmp_path, "elsewhere/capability/x.yml", GOOD.format(id="x")), tmp_path)


def test_dialogue_format_load_all_reports_duplicate_ids(tmp_path: Path) -> None:
    _write(tmp_path, "tuning/capability/dup.yml", GOOD.format(id="dup"))
    _write(tmp_path, "heldout/capability/dup.yml", GOOD.format(id="dup"))
    with pytest.raises(FormatError, match="also used by"):
        load_all(root=tmp_path)


def test_dialogue_format_known_failures_skip_comments(tmp_path: Path) -> None:
    listed = tmp_path / "known.txt"
    listed.write_text("# header\nbeds-one  # why\n\n  help-two\n")
    assert known_failures(listed) == {"beds-one", "help-two"}
    assert known_failures(tmp_path / "missing.txt") == frozenset()


def test_dialogue_files_live_under_this_folder() -> None:
    assert HERE.name == "dialogues"
    for path in files():
        assert path.suffix in (".yml", ".yaml")


def test_dialogue_format_reads_yes_no_and_numbers_as_typed(tmp_path: Path) -> None:
    text = (
        GOOD.format(id="typed").replace(
            "  - say: what can you do",
            "  - say: what can you do\n  - say: yes\n  - say: no\n  - say: 0012345\n  - press: Yes",
        )
        + "outcome:\n  - appointment: {mrn: 10004821, delta: 1}\n"
    )
    conversation = load(_write(tmp_path, "tuning/capability/typed.yml", text), tmp_path)
    said = [t.say for t in conversation.model.turns]
    assert said[1:4] == ["yes", "no", "0012345"]
    assert conversation.model.turns[4].press == "Yes"
    check = conversation.model.outcome[0].appointment
    assert check is not None and check.mrn == "10004821" and check.delta == 1


def test_dialogue_format_rejects_placeholder_before_capture(tmp_path: Path) -> None:
    text = GOOD.format(id="cap").replace("what can you do", "status of ticket {ticket.number}")
    with pytest.raises(FormatError, match=r"uses \{ticket\} before a turn captures it"):
        load(_write(tmp_path, "tuning/capability/cap.yml", text), tmp_path)
