"""ADT failure cases over real MLLP: AE/AR with a reason, dead letters, the listener lives on."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hms import models
from hms.adt import events
from hms.adt.message import (
    DATA_TYPE_ERROR,
    DUPLICATE_KEY,
    INTERNAL_ERROR,
    MISSING_FIELD,
    SEGMENT_SEQUENCE,
    TABLE_VALUE,
    UNKNOWN_KEY,
    UNSUPPORTED_PROCESSING,
    UNSUPPORTED_TYPE,
    UNSUPPORTED_VERSION,
)
from tests.hms.adt_kit import FS_CR, VT, exchange, read_frame, sample, send


def dead_letters(engine: Any) -> list[models.AdtDeadLetter]:
    with Session(engine) as s:
        return list(s.scalars(select(models.AdtDeadLetter).order_by(models.AdtDeadLetter.pk)))


def applied(engine: Any) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(models.AdtMessage)) or 0)


def status(engine: Any, code: str) -> str | None:
    with Session(engine) as s:
        return s.scalar(
            select(models.Location.operational_status).where(models.Location.code == code)
        )


def still_serving(port: int) -> None:
    ack = send(port, sample("a20_bed_cleaned", BB00000201="ALIVE-1"))
    assert ack.code == "AA", ack.text


def test_adt_repeated_control_id_is_acknowledged_and_not_applied_twice(adt, fresh_engine):
    first, second = exchange(adt.port, sample("a01_admit"), sample("a01_admit"))
    assert first.code == second.code == "AA"
    assert second.control_id == "PAS0000101" and "not applied again" in second.reason
    assert applied(fresh_engine) == 1
    with Session(fresh_engine) as s:
        stays = s.scalar(
            select(func.count())
            .select_from(models.Encounter)
            .where(models.Encounter.visit_number == "V7700101")
        )
    assert stays == 1
    # the same sender may not reuse the id for another message
    other = sample("a11_cancel_admit", PAS0000111="PAS0000101")
    reused = send(adt.port, other)
    assert (reused.code, reused.error) == ("AE", DUPLICATE_KEY)
    assert status(fresh_engine, "4B-06") == "O"
    assert dead_letters(fresh_engine)[-1].control_id == "PAS0000101"


@pytest.mark.parametrize(
    ("message", "code", "error", "reason"),
    [
        ("this is not an HL7 message", "AR", SEGMENT_SEQUENCE, "MSH"),
        (sample("oru_r01_lab_result"), "AR", UNSUPPORTED_TYPE, "ORU"),
        (sample("a20_bed_cleaned").replace("|P|2.5|", "|P|2.9|"), "AR", UNSUPPORTED_VERSION, ""),
        (
            sample("a20_bed_cleaned").replace("|P|2.5|", "|X|2.5|"),
            "AR",
            UNSUPPORTED_PROCESSING,
            "MSH-11",
        ),
        (sample("a20_bed_cleaned").replace("BB00000201", ""), "AR", MISSING_FIELD, "MSH-10"),
        (
            sample("a20_bed_cleaned").replace("EVN|A20", "GARBAGE LINE|A20"),
            "AR",
            SEGMENT_SEQUENCE,
            "",
        ),
        (
            sample("a01_admit").replace("4B^Bay 1^06", "4Z^Bay 1^06"),
            "AE",
            UNKNOWN_KEY,
            "point of care",
        ),
        (sample("a01_admit").replace("4B^Bay 1^06", "4B^Bay 1^66"), "AE", UNKNOWN_KEY, "no bed"),
        (
            sample("a01_admit").replace("4B^Bay 1^06", "4B^Bay 4^06"),
            "AE",
            UNKNOWN_KEY,
            "Bay 1, not Bay 4",
        ),
        (sample("a01_admit").replace("4B^Bay 1^06^DEMOHOSP", ""), "AE", MISSING_FIELD, "PV1-3"),
        (
            sample("a01_admit").replace("20000001^^^DEMOHOSP^MR~9434765919^^^NHS^NH", ""),
            "AE",
            MISSING_FIELD,
            "PID-3",
        ),
        (sample("a01_admit").replace("19520314", "19521399"), "AE", DATA_TYPE_ERROR, "PID-7"),
        (
            sample("a01_admit").replace("20000001^", "ABC^"),
            "AE",
            DATA_TYPE_ERROR,
            "HMS_MRN_PATTERN",
        ),
        (
            sample("a20_bed_cleaned").replace("16^DEMOHOSP|U", "16^DEMOHOSP|Z"),
            "AE",
            TABLE_VALUE,
            "0116",
        ),
        (sample("a20_bed_cleaned")[:-1], "AE", MISSING_FIELD, "NPU-2"),
        (sample("a02_transfer"), "AE", UNKNOWN_KEY, "patient"),
        (sample("a13_cancel_discharge"), "AE", UNKNOWN_KEY, "patient"),
        (
            sample("a20_bed_cleaned").replace("20260305124000|||HKP", "2026-03-05|||HKP"),
            "AE",
            DATA_TYPE_ERROR,
            "EVN-2",
        ),
    ],
    ids=[
        "not-hl7",
        "not-adt",
        "version",
        "processing-id",
        "no-control-id",
        "bad-segment",
        "unknown-ward",
        "unknown-bed",
        "wrong-room",
        "no-bed",
        "no-mrn",
        "bad-birth-date",
        "mrn-pattern",
        "bad-bed-status",
        "no-bed-status",
        "unknown-patient",
        "nothing-to-cancel",
        "bad-event-time",
    ],
)
def test_adt_malformed_message_gets_ack_error_and_dead_letter(
    adt, fresh_engine, message, code, error, reason
):
    before = {c: status(fresh_engine, c) for c in ("4B-06", "ICU-16")}
    ack = send(adt.port, message)
    assert (ack.code, ack.error) == (code, error), ack.text
    assert reason in ack.reason
    (letter,) = dead_letters(fresh_engine)
    assert (letter.ack_code, letter.error_code) == (code, error)
    assert letter.raw.startswith(message[:20].replace("\n", "\r"))
    assert applied(fresh_engine) == 0
    assert {c: status(fresh_engine, c) for c in before} == before
    still_serving(adt.port)


def test_adt_occupied_bed_is_not_admitted_twice(adt, fresh_engine):
    send(adt.port, sample("a01_admit"))
    second = sample("a14_pending_admit", PAS0000114="PAS0000199", **{"4B^Bay 3^17": "4B^Bay 1^06"})
    second = second.replace("ADT^A14^ADT_A05", "ADT^A01^ADT_A01").replace("EVN|A14", "EVN|A01")
    ack = send(adt.port, second)
    assert (ack.code, ack.error) == (
        "AE",
        INTERNAL_ERROR,
    ) and "another in-progress stay" in ack.reason


def test_adt_bed_with_a_stay_cannot_be_marked_free(adt, fresh_engine):
    send(adt.port, sample("a01_admit"))
    ack = send(adt.port, sample("a20_bed_cleaned", **{"ICU^Bay 3^16": "4B^Bay 1^06"}))
    assert ack.code == "AE" and "in-progress stay" in ack.reason
    assert status(fresh_engine, "4B-06") == "O"


def test_adt_unexpected_error_is_ae_207_and_listener_survives(adt, fresh_engine, monkeypatch):
    def broken(_work: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(events.HANDLERS, "A20", broken)
    ack = send(adt.port, sample("a20_bed_cleaned"))
    assert (ack.code, ack.error) == ("AE", INTERNAL_ERROR)
    assert "disk" not in ack.text  # internals stay out of the ACK
    assert dead_letters(fresh_engine)[0].error_code == INTERNAL_ERROR
    monkeypatch.undo()
    still_serving(adt.port)


def test_adt_older_version_error_ack_uses_err_1(adt, fresh_engine):
    ack = send(adt.port, sample("a20_v231_closed").replace("7^Bay 3^15", "7^Bay 3^99"))
    assert (ack.code, ack.version, ack.error) == ("AE", "2.3.1", UNKNOWN_KEY)


def test_adt_many_messages_on_one_connection_are_acknowledged_in_order(adt, fresh_engine):
    names = [
        "a01_admit",
        "a15_pending_transfer",
        "a02_transfer",
        "a03_discharge",
        "a20_bed_cleaned",
    ]
    acks = exchange(adt.port, *(sample(n) for n in names))
    assert [a.code for a in acks] == ["AA"] * 5
    assert [a.control_id for a in acks] == [
        "PAS0000101",
        "PAS0000115",
        "PAS0000102",
        "PAS0000103",
        "BB00000201",
    ]
    assert status(fresh_engine, "ICU-16") == "U"


def test_adt_bytes_outside_frames_are_dropped(adt, fresh_engine):
    with socket.create_connection(("127.0.0.1", adt.port), timeout=10) as sock:
        body = sample("a20_bed_cleaned").encode()
        sock.sendall(b"noise before\r\n" + VT + body[:40])
        sock.sendall(body[40:] + FS_CR)  # a frame split over two writes
        ack = read_frame(sock, bytearray()).decode()
    assert "MSA|AA|BB00000201" in ack


def test_adt_oversized_frame_is_rejected_without_closing_the_connection(adt, fresh_engine):
    huge = sample("a20_bed_cleaned") + "\rZZZ|" + "x" * (1024 * 1024 + 10)
    acks = exchange(adt.port, huge, sample("a20_bed_cleaned"))
    assert acks[0].code == "AR" and "1 MB" in acks[0].reason
    assert acks[1].code == "AA"


def test_adt_connection_dropped_mid_frame_does_not_stop_the_listener(adt, fresh_engine):
    with socket.create_connection(("127.0.0.1", adt.port), timeout=10) as sock:
        sock.sendall(VT + sample("a01_admit").encode()[:50])
    still_serving(adt.port)
    assert applied(fresh_engine) == 1  # only the health message
