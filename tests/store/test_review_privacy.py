"""Messages kept for NLU review are under the same controls as every other conversation
store: `privacy rotate-key` re-encrypts them and counts them in its census (old keys are
not removable while a kept message still needs one), `privacy purge` deletes them past
retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from assistant.__main__ import main
from assistant.crypto import DataCipher, generate_key
from assistant.review.markup import Label
from assistant.review.queue import ItemNotFound, ReviewQueue
from assistant.store.models import NluReviewItem
from assistant.store.privacy_ops import purge_everywhere, rotate_everywhere
from assistant.store.tracker import open_tracker


def _keep(store, cipher: DataCipher, text: str) -> int:
    item = ReviewQueue(store, cipher).keep(
        text=text, channel="rest", role="nurse", kind="nlu_fallback_rephrase", predictions=()
    )
    assert item is not None
    return item


def test_rotate_everywhere_re_encrypts_kept_review_messages_and_counts_them(tmp_path, store):
    old, new = generate_key(), generate_key()
    item = _keep(store, DataCipher([old]), "bog bunged")
    ReviewQueue(store, DataCipher([old])).label(item, Label("request_help", "bog bunged"), "l.fox")
    tracker = open_tracker(f"sqlite:///{tmp_path / 'tracker.db'}")

    report = rotate_everywhere(store, tracker, DataCipher([new, old]))

    assert report.review_rotated == 1 and report.removable
    assert report.census["nlu_review"].current == 1
    only_new = ReviewQueue(store, DataCipher([new])).get(item)
    assert only_new.text == "bog bunged" and only_new.label_text == "bog bunged"
    tracker.close()


def test_rotate_everywhere_old_key_still_needed_by_a_review_message(tmp_path, store):
    old, new, unknown = generate_key(), generate_key(), generate_key()
    _keep(store, DataCipher([unknown]), "wobble")  # a key no longer configured
    tracker = open_tracker(f"sqlite:///{tmp_path / 'tracker.db'}")

    report = rotate_everywhere(store, tracker, DataCipher([new, old]))

    assert not report.removable
    assert report.census["nlu_review"].unreadable == 1
    tracker.close()


def test_purge_everywhere_deletes_review_messages_past_retention(tmp_path, store):
    cipher = DataCipher([generate_key()])
    old_item, recent = _keep(store, cipher, "old slang"), _keep(store, cipher, "new slang")
    with store.write() as session:
        session.execute(
            update(NluReviewItem)
            .where(NluReviewItem.id == old_item)
            .values(at=datetime.now(UTC) - timedelta(days=40))
        )
    tracker = open_tracker(f"sqlite:///{tmp_path / 'tracker.db'}")

    report = purge_everywhere(store, tracker, retention_days=30)

    assert report.nlu_review == 1
    queue = ReviewQueue(store, cipher)
    assert queue.get(recent).text == "new slang"
    with pytest.raises(ItemNotFound):
        queue.get(old_item)
    tracker.close()


def test_cli_privacy_names_the_review_messages(tmp_path, monkeypatch, capsys, db_url, store):
    old, new = generate_key(), generate_key()
    _keep(store, DataCipher([old]), "lav kaput")
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", db_url)
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'rasa_tracker.db'}")
    monkeypatch.setenv("ASSISTANT_DATA_KEY", f"{new},{old}")
    assert main(["privacy", "rotate-key"]) == 0
    out = capsys.readouterr().out
    assert "1 messages kept for NLU review" in out
    assert "nlu_review: 1 rows" in out and "can be removed" in out
    assert main(["privacy", "purge"]) == 0
    assert "0 messages kept for NLU review" in capsys.readouterr().out
