"""The keyed, anchored audit chain against an attacker who holds the database file.

The attacker can do anything to the database (drop the append-only triggers, rewrite
rows, recompute every hash with the public algorithm, move the chain head) but does not
hold the audit key, which lives outside the database. Each attack is run on SQLite and
on a real PostgreSQL server.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from assistant.__main__ import main
from assistant.audit import AuditEvent
from assistant.audit.anchor import append_checkpoint, read_checkpoints
from assistant.audit.chain import GENESIS_HASH, legacy_hash, row_fields
from assistant.audit.keys import AuditKeys, generate_audit_key
from assistant.audit.trail import SqlAuditTrail
from assistant.store import open_store_at
from assistant.store.engine import IMMEDIATE, make_engine
from assistant.store.migrate import alembic_config
from assistant.store.models import AuditEventRow
from tests.keys import AUDIT_KEYS


def _event(i: int, **overrides: object) -> AuditEvent:
    fields: dict[str, object] = dict(
        staff="n.jones", role="nurse", channel="rest", intent="locate_patient",
        action="action_locate_patient", permission="patients:locate",
        resource="Patient/p-1", patient_ref="Patient/p-1", outcome="success", detail=f"e{i}",
    )  # fmt: skip
    fields.update(overrides)
    return AuditEvent(**fields)  # type: ignore[arg-type]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'assistant.db'}"
        return
    server = request.getfixturevalue("postgres_url")
    name = f"audit_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


class Attacker:
    """Raw SQL on the database file/server, with the append-only triggers dropped."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        with self.engine.begin() as conn:
            if self.engine.dialect.name == "sqlite":
                conn.execute(text("DROP TRIGGER IF EXISTS audit_event_no_update"))
                conn.execute(text("DROP TRIGGER IF EXISTS audit_event_no_delete"))
            else:
                conn.execute(text("DROP TRIGGER audit_event_append_only ON audit_event"))

    def rows(self) -> list[AuditEventRow]:
        from sqlalchemy.orm import Session

        with Session(self.engine) as session:
            rows = session.query(AuditEventRow).order_by(AuditEventRow.seq).all()
            session.expunge_all()
            return rows

    def sql(self, statement: str, **params: object) -> None:
        with self.engine.begin() as conn:
            conn.execute(text(statement), params)

    def recompute_plain(self, from_seq: int, *, drop_key_ids: bool) -> None:
        """Recompute every hash from ``from_seq`` on with the public SHA-256 algorithm."""
        prev = GENESIS_HASH
        for row in self.rows():
            if row.seq >= from_seq:
                digest = legacy_hash(row_fields(row), prev)
                key = None if drop_key_ids else row.key_id
                self.sql(
                    "UPDATE audit_event SET prev_hash = :p, hash = :h, key_id = :k WHERE seq = :s",
                    p=prev, h=digest, k=key, s=row.seq,
                )  # fmt: skip
                prev = digest
            else:
                prev = row.hash
        last = self.rows()[-1]
        self.sql("UPDATE audit_chain_head SET last_seq = :s, last_hash = :h", s=last.seq,
                 h=last.hash)  # fmt: skip


@pytest.fixture
def trail(url):
    store = open_store_at(url)
    trail = SqlAuditTrail(store, AUDIT_KEYS)
    for i in range(6):
        trail.record(_event(i))
    yield trail
    store.close()


def test_attacker_rewrites_a_row_and_recomputes_plain_hashes_is_caught(trail, url):
    attacker = Attacker(url)
    attacker.sql("UPDATE audit_event SET staff = 'p.kim' WHERE seq = 3")
    attacker.recompute_plain(3, drop_key_ids=False)
    result = trail.verify()
    assert (result.ok, result.problem, result.seq) == (False, "changed", 3)


def test_attacker_downgrading_the_tail_to_unkeyed_is_caught(trail, url):
    attacker = Attacker(url)
    attacker.sql("UPDATE audit_event SET outcome = 'denied' WHERE seq = 4")
    attacker.recompute_plain(4, drop_key_ids=True)
    result = trail.verify()
    assert (result.ok, result.problem, result.seq) == (False, "changed", 4)


def test_attacker_downgrading_the_whole_trail_is_caught_by_the_anchor(trail, url, tmp_path):
    _, checkpoint = trail.checkpoint()
    assert checkpoint is not None and checkpoint.count == 6
    anchor = tmp_path / "anchors.jsonl"
    append_checkpoint(anchor, checkpoint)
    attacker = Attacker(url)
    attacker.sql("UPDATE audit_event SET staff = 'p.kim' WHERE seq = 2")
    attacker.recompute_plain(1, drop_key_ids=True)  # every event now a plain SHA-256 link

    result, anchored = trail.verify_anchored(read_checkpoints(anchor))

    assert result.ok and result.unkeyed == 6  # self-consistent, as the attacker wanted
    assert (anchored.ok, anchored.problem) == (False, "diverged")


def test_attacker_truncating_the_tail_and_moving_the_head_is_caught_by_the_anchor(
    trail, url, tmp_path
):
    anchor = tmp_path / "anchors.jsonl"
    append_checkpoint(anchor, trail.checkpoint()[1])  # type: ignore[arg-type]
    attacker = Attacker(url)
    attacker.sql("DELETE FROM audit_event WHERE seq > 4")
    head = attacker.rows()[-1]
    attacker.sql("UPDATE audit_chain_head SET last_seq = 4, last_hash = :h", h=head.hash)

    result, anchored = trail.verify_anchored(read_checkpoints(anchor))

    assert result.ok and result.checked == 4
    assert (anchored.ok, anchored.problem) == (False, "truncated")


def test_forged_checkpoint_is_refused(trail, tmp_path):
    _, checkpoint = trail.checkpoint()
    assert checkpoint is not None
    forged = checkpoint.__class__(3, checkpoint.head, checkpoint.at, checkpoint.key_id,
                                  checkpoint.signature)  # fmt: skip
    anchor = tmp_path / "anchors.jsonl"
    append_checkpoint(anchor, forged)
    _, anchored = trail.verify_anchored(read_checkpoints(anchor))
    assert (anchored.ok, anchored.problem) == (False, "bad_signature")


def test_trail_extending_the_anchor_verifies(trail, tmp_path):
    anchor = tmp_path / "anchors.jsonl"
    append_checkpoint(anchor, trail.checkpoint()[1])  # type: ignore[arg-type]
    trail.record(_event(7))
    append_checkpoint(anchor, trail.checkpoint()[1])  # type: ignore[arg-type]
    trail.record(_event(8))
    result, anchored = trail.verify_anchored(read_checkpoints(anchor))
    assert result.ok and result.checked == 8
    assert anchored.ok and anchored.checked == 2


def test_audit_key_rotation_keeps_old_events_verifiable(url):
    old, new = generate_audit_key(), generate_audit_key()
    store = open_store_at(url)
    SqlAuditTrail(store, AuditKeys((old,))).record(_event(1))
    rotated = SqlAuditTrail(store, AuditKeys((new, old)))
    rotated.record(_event(2))
    assert rotated.verify().ok
    assert [r.key_id for r in rotated.events()] == [AuditKeys((old,)).current_id,
                                                    AuditKeys((new,)).current_id]  # fmt: skip
    without_old = SqlAuditTrail(store, AuditKeys((new,))).verify()
    assert (without_old.ok, without_old.problem, without_old.seq) == (False, "unverifiable", 1)
    store.close()


def _legacy_row(seq: int, prev: str) -> dict[str, object]:
    fields = dict(row_fields_of(_event(seq)), at=datetime(2026, 1, 1, 9, seq, tzinfo=UTC))
    digest = legacy_hash(fields, prev)
    return {**fields, "seq": seq, "prev_hash": prev, "hash": digest}


def row_fields_of(event: AuditEvent) -> dict[str, object]:
    return {k: getattr(event, k) for k in (
        "staff", "role", "channel", "intent", "action", "permission", "resource",
        "patient_ref", "outcome", "detail", "reason")}  # fmt: skip


def test_migration_keeps_a_legacy_trail_and_seals_it_with_the_first_keyed_event(url):
    engine = make_engine(url)
    config = alembic_config()
    with engine.connect().execution_options(**IMMEDIATE) as conn, conn.begin():
        config.attributes["connection"] = conn
        command.upgrade(config, "0003_handoff")  # the trail as it was before keying
    prev, rows = GENESIS_HASH, []
    for seq in (1, 2, 3):
        rows.append(_legacy_row(seq, prev))
        prev = str(rows[-1]["hash"])
    with engine.begin() as conn:
        for legacy in rows:
            conn.execute(AuditEventRow.__table__.insert().values(  # type: ignore[attr-defined]
                **{k: v for k, v in legacy.items()}))  # fmt: skip
        conn.execute(text("UPDATE audit_chain_head SET last_seq = 3, last_hash = :h"), {"h": prev})
    engine.dispose()

    store = open_store_at(url)  # migrates to head
    trail = SqlAuditTrail(store, AUDIT_KEYS)
    trail.record(_event(4))
    result = trail.verify()
    assert result.ok and result.checked == 4 and result.unkeyed == 3

    attacker = Attacker(url)  # rewrite a legacy event and its legacy successors
    attacker.sql("UPDATE audit_event SET staff = 'p.kim' WHERE seq = 2")
    prev = GENESIS_HASH
    for row in attacker.rows()[:3]:
        digest = legacy_hash(row_fields(row), prev)
        attacker.sql("UPDATE audit_event SET prev_hash = :p, hash = :h WHERE seq = :s",
                     p=prev, h=digest, s=row.seq)  # fmt: skip
        prev = digest
    attacker.sql("UPDATE audit_event SET prev_hash = :p WHERE seq = 4", p=prev)
    broken = trail.verify()
    assert (broken.ok, broken.problem, broken.seq) == (False, "changed", 4)
    store.close()


def test_cli_checkpoint_then_verify_anchor_catches_the_attacker(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'assistant.db'}"
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", url)
    store = open_store_at(url)
    trail = SqlAuditTrail(store, AUDIT_KEYS)
    for i in range(5):
        trail.record(_event(i))
    anchor = tmp_path / "audit" / "anchors.jsonl"
    assert main(["audit", "checkpoint"]) == 0
    assert anchor.stat().st_mode & 0o777 == 0o600
    assert main(["audit", "verify", "--anchor", str(anchor)]) == 0
    assert "extends all 1 anchored checkpoints" in capsys.readouterr().out

    attacker = Attacker(url)
    attacker.sql("UPDATE audit_event SET patient_ref = 'Patient/p-2' WHERE seq = 2")
    attacker.recompute_plain(1, drop_key_ids=True)

    assert main(["audit", "verify", "--anchor", str(anchor)]) == 1
    out = capsys.readouterr().out
    print(out)  # shown with -s: the tampered trail caught against the anchor
    assert "does NOT match the checkpoint of 5 events" in out and "rewritten" in out
    assert main(["audit", "checkpoint"]) == 1  # never anchors a trail that left its anchors
    assert "not extend" in capsys.readouterr().err
    store.close()
