"""The review queue (redaction, encryption, de-duplication), labels, export and the page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import yaml

from assistant.crypto import DataCipher, generate_key
from assistant.review.export import export_queue, known_examples
from assistant.review.markup import LabelError, check_label
from assistant.review.peek import parse_latest
from assistant.review.queue import ReviewError, ReviewQueue
from assistant.store import open_store_at
from intents.catalog import load_catalog
from tests.pages.pages_kit import build

INTENTS = frozenset(load_catalog().names())
NLU = Path(__file__).resolve().parents[2] / "training_data" / "nlu"


@pytest.fixture
def queue(tmp_path):
    store = open_store_at(f"sqlite:///{tmp_path / 'a.db'}")
    yield ReviewQueue(store, DataCipher([generate_key()]))
    store.close()


def label(intent, text):
    return check_label(intent, text, intents=INTENTS, entities=load_catalog().entities())


def test_review_queue_redacts_and_encrypts(queue):
    item_id = queue.keep(
        text="where is patient Jane Doe mrn 10004821 now",
        channel="rest",
        role="nurse",
        kind="nlu_fallback_clarify",
        predictions=(),
    )
    item = queue.get(item_id)
    assert "10004821" not in item.text and "Jane" not in item.text
    assert "[mrn]" in item.text and "patient [name]" in item.text
    with queue._store.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT text FROM nlu_review").scalar_one()
    assert "where is" not in stored  # encrypted at rest


def test_review_queue_counts_repeats_instead_of_duplicating(queue):
    first = queue.keep(
        text="Flibber  the gizmo", channel="rest", role="nurse", kind="k", predictions=()
    )
    again = queue.keep(
        text="flibber the gizmo!", channel="slack", role="porter", kind="k", predictions=()
    )
    assert first == again and queue.get(first).seen == 2
    assert len(queue.items()) == 1


def test_review_label_checks_intent_entities_and_phi():
    assert label("request_help", "porter to [4B](ward)").plain == "porter to 4B"
    with pytest.raises(LabelError, match="unknown intent"):
        label("make_tea", "tea please")
    with pytest.raises(LabelError, match="unknown entity"):
        label("request_help", "porter to [4B](wardd)")
    with pytest.raises(LabelError, match="placeholder"):
        label("find_patient", "where is mrn [mrn]")
    with pytest.raises(LabelError, match="patient or an MRN"):
        label("find_patient", "where is 10004821")


def test_review_status_rules(queue):
    item_id = queue.keep(text="wobble", channel="rest", role="nurse", kind="k", predictions=())
    queue.discard(item_id, "l.fox")
    with pytest.raises(ReviewError):
        queue.label(item_id, label("greet", "wobble"), "l.fox")


def test_review_export_writes_rasa_yaml_deduplicated(queue, tmp_path):
    nlu = tmp_path / "nlu"
    nlu.mkdir()
    (nlu / "help.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: request_help\n  examples: |\n'
        "    - i need a [porter](help_type)\n"
    )
    new = queue.keep(
        text="my badge won't open the door", channel="rest", role="nurse", kind="k", predictions=()
    )
    dup = queue.keep(
        text="I need a porter.", channel="rest", role="nurse", kind="k", predictions=()
    )
    queue.label(new, label("request_help", "my badge won't open the door"), "l.fox")
    queue.label(dup, label("request_help", "I need a porter"), "l.fox")
    result = export_queue(queue, nlu)
    assert result.added == [("request_help", "my badge won't open the door")]
    assert [d[1] for d in result.duplicates] == ["I need a porter"]
    text = (nlu / "reviewed.yml").read_text()
    assert "REVIEW THE DIFF" in text
    data = yaml.safe_load(text)
    assert data["nlu"][0]["intent"] == "request_help"
    assert "my badge won't open the door" in known_examples(nlu)
    assert {i.status for i in queue.items(("exported",))} == {"exported"}
    again = export_queue(queue, nlu)  # nothing left to export: the file is unchanged
    assert again.added == [] and (nlu / "reviewed.yml").read_text() == text


def test_review_export_keeps_the_real_training_data_loadable(queue, tmp_path):
    examples = known_examples(NLU)
    assert "i need a porter" in examples  # reads the repo's own format


def test_review_purge_follows_retention(queue):
    item_id = queue.keep(text="old words", channel="rest", role="nurse", kind="k", predictions=())
    assert queue.purge(datetime.now(UTC) - timedelta(days=1)) == 0
    assert queue.purge(datetime.now(UTC) + timedelta(seconds=1)) == 1
    with pytest.raises(ReviewError):
        queue.get(item_id)


def test_review_peek_takes_names_and_confidences_only():
    result = parse_latest(
        {
            "intent": {"name": "nlu_fallback", "confidence": 0.4},
            "intent_ranking": [
                {"name": "nlu_fallback", "confidence": 0.4},
                {"name": "request_help", "confidence": 0.354},
                {"name": "out_of_scope", "confidence": 0.3},
            ],
            "entities": [{"entity": "patient_name", "value": "Jane Doe"}],
        }
    )
    assert [(p.intent, p.confidence) for p in result.predictions] == [
        ("request_help", 0.354),
        ("out_of_scope", 0.3),
    ]
    assert result.entity_types == ("patient_name",)


async def test_review_page_labels_as_trainer_only(tmp_path):
    gw = build(tmp_path)
    async with (
        gw.app.router.lifespan_context(gw.app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=gw.app), base_url="http://gw") as c,
    ):
        nurse = {"Authorization": f"Bearer {gw.token('n.jones')}"}
        trainer = {"Authorization": f"Bearer {gw.token('l.fox')}"}
        r = await c.post("/api/v1/messages", json={"text": "wobble wobble"}, headers=nurse)
        assert r.status_code == 200
        assert (await c.get("/review/api/items", headers=nurse)).status_code == 403
        listing = (await c.get("/review/api/items", headers=trainer)).json()
        assert [i["text"] for i in listing["items"]] == ["wobble wobble"]
        assert "request_help" in [i["name"] for i in listing["intents"]]
        item = listing["items"][0]["id"]
        bad = await c.post(
            f"/review/api/items/{item}", json={"intent": "nope", "text": "x"}, headers=trainer
        )
        assert bad.status_code == 422
        ok = await c.post(
            f"/review/api/items/{item}",
            json={"intent": "greet", "text": "wobble wobble"},
            headers=trainer,
        )
        assert ok.status_code == 200 and ok.json()["status"] == "labelled"
        assert ok.json()["reviewer"] == "l.fox"
        missing = await c.post("/review/api/items/999/discard", headers=trainer)
        assert missing.status_code == 404
    gw.store.close()


def test_review_rotate_re_encrypts_under_the_newest_key(tmp_path):
    old, new = generate_key(), generate_key()
    store = open_store_at(f"sqlite:///{tmp_path / 'r.db'}")
    first = ReviewQueue(store, DataCipher([old]))
    item = first.keep(text="wobble", channel="rest", role="nurse", kind="k", predictions=())
    assert item is not None
    first.label(item, label("greet", "wobble"), "l.fox")
    rotated = ReviewQueue(store, DataCipher([new, old]))
    assert rotated.rotate() == 1 and rotated.rotate() == 0
    only_new = ReviewQueue(store, DataCipher([new]))
    assert only_new.get(item).text == "wobble" and only_new.get(item).label_text == "wobble"
    store.close()
