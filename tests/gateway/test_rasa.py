import json
from typing import Any

import httpx
import pytest

from assistant.conversation import Button, Reply, current_message_id
from assistant.gateway.rasa import (
    RESTARTING,
    UNAVAILABLE_KIND,
    RasaAssistant,
    parse_replies,
    pick_worker,
    sender_id,
    worker_order,
)
from assistant.identity.principal import verify_principal

KEY = "test-signing-key"


def recording_rasa(replies, calls):
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append((str(request.url), json.loads(request.content)))
        return httpx.Response(200, json=replies)

    return httpx.MockTransport(handler)


async def test_rasa_assistant_posts_signed_principal_and_sender():
    calls: list[Any] = []
    assistant = RasaAssistant(
        workers=["http://rasa-1:5005"],
        signing_key=KEY,
        transport=recording_rasa([{"recipient_id": "x", "text": "Hello"}], calls),
    )
    replies = await assistant.send(staff="n.jones", channel="rest", conversation="c1", text="hi")
    assert replies == [Reply("Hello")]
    url, body = calls[0]
    assert url == "http://rasa-1:5005/webhooks/gateway/webhook"
    assert body["sender"] == "rest:n.jones:c1"
    assert body["message"] == "hi"
    principal = verify_principal(KEY, body["metadata"]["principal"], sender="rest:n.jones:c1")
    assert (principal.staff, principal.channel) == ("n.jones", "rest")
    assert principal.expires_at - principal.issued_at <= 60  # seconds, not minutes


async def test_rasa_assistant_routes_each_sender_to_one_worker():
    workers = [f"http://rasa-{i}:5005" for i in range(3)]
    calls: list[Any] = []
    assistant = RasaAssistant(workers=workers, signing_key=KEY, transport=recording_rasa([], calls))
    for _ in range(3):
        await assistant.send(staff="n.jones", channel="rest", conversation="c1", text="hi")
    hosts = {httpx.URL(url).host for url, _ in calls}
    assert len(hosts) == 1
    assert pick_worker(workers, sender_id("rest", "n.jones", "c1")).endswith(hosts.pop() + ":5005")


def test_pick_worker_spreads_senders_over_workers():
    workers = ["a", "b"]
    chosen = {pick_worker(workers, f"rest:n.jones:{i}") for i in range(50)}
    assert chosen == {"a", "b"}


def test_parse_replies_merges_custom_into_previous_text():
    replies = parse_replies(
        [
            {"text": "3 free beds on 4B", "buttons": [{"title": "Book", "payload": "/book"}]},
            {"custom": {"beds": ["4B-01"]}},
            {"text": "Anything else?"},
        ]
    )
    assert replies == [
        Reply("3 free beds on 4B", (Button("Book", "/book"),)),
        Reply("Anything else?"),
    ]
    assert replies[0].custom == {"beds": ["4B-01"]}


def test_parse_replies_custom_first_kept_alone():
    replies = parse_replies([{"custom": {"kiosk": "x"}}, "junk", {"text": ""}])
    assert len(replies) == 1 and replies[0].custom == {"kiosk": "x"}


async def test_rasa_assistant_rasa_down_answers_restarting():
    def refuse(request):
        raise httpx.ConnectError("refused", request=request)

    assistant = RasaAssistant(
        workers=["http://rasa:5005"],
        signing_key=KEY,
        emergency_number="2222",
        transport=httpx.MockTransport(refuse),
    )
    replies = await assistant.send(staff="n.jones", channel="rest", conversation="c", text="x")
    assert replies == [Reply(RESTARTING.format(emergency="2222"))]


async def test_rasa_assistant_rasa_500_answers_restarting():
    assistant = RasaAssistant(
        workers=["http://rasa:5005"],
        signing_key=KEY,
        transport=httpx.MockTransport(lambda r: httpx.Response(500, text="boom")),
    )
    replies = await assistant.send(staff="n.jones", channel="rest", conversation="c", text="x")
    assert "restarting" in replies[0].text


async def test_rasa_assistant_handoff_takes_message_instead_of_rasa():
    calls: list[Any] = []

    class Relay:
        async def intercept(self, staff, channel, conversation, text):
            if conversation == "handed":
                return [Reply("Sent to the help desk.")]
            return None

    assistant = RasaAssistant(
        workers=["http://rasa:5005"],
        signing_key=KEY,
        handoff=Relay(),
        transport=recording_rasa([{"text": "from rasa"}], calls),
    )
    handed = await assistant.send(staff="n.jones", channel="rest", conversation="handed", text="x")
    normal = await assistant.send(staff="n.jones", channel="rest", conversation="other", text="x")
    assert handed == [Reply("Sent to the help desk.")]
    assert normal == [Reply("from rasa")]
    assert len(calls) == 1


async def test_rasa_assistant_sends_gateway_credential_and_a_message_id():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.headers.get("authorization"), json.loads(request.content)))
        return httpx.Response(200, json=[{"text": "ok"}])

    assistant = RasaAssistant(
        workers=["http://rasa:5005"],
        signing_key=KEY,
        webhook_token="gw-secret",
        transport=httpx.MockTransport(handler),
    )
    await assistant.send(staff="n.jones", channel="rest", conversation="c", text="x")
    token = current_message_id.set("given-id")
    try:
        await assistant.send(staff="n.jones", channel="rest", conversation="c", text="y")
    finally:
        current_message_id.reset(token)
    assert [auth for auth, _ in seen] == ["Bearer gw-secret", "Bearer gw-secret"]
    assert seen[0][1]["message_id"] and seen[0][1]["message_id"] != "given-id"
    assert seen[1][1]["message_id"].startswith("given-id.")  # the id and the text sent
    again = current_message_id.set("given-id")
    try:
        await assistant.send(staff="n.jones", channel="rest", conversation="c", text="y")
        await assistant.send(staff="n.jones", channel="rest", conversation="c", text="/other")
    finally:
        current_message_id.reset(again)
    assert seen[2][1]["message_id"] == seen[1][1]["message_id"]  # a retry: the same id
    assert seen[3][1]["message_id"] != seen[1][1]["message_id"]  # a second call: its own


def scripted_workers(script, calls):
    """Each worker URL answers from its own list: a Response, or an exception to raise."""

    def handler(request: httpx.Request) -> httpx.Response:
        host = request.url.host
        calls.append((host, json.loads(request.content)["message_id"]))
        outcome = script[host].pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return httpx.MockTransport(handler)


async def test_rasa_assistant_moves_to_next_worker_when_first_is_down_or_dies_mid_turn():
    workers = ["http://rasa-a:5005", "http://rasa-b:5005", "http://rasa-c:5005"]
    sender = sender_id("rest", "n.jones", "c9")
    first, second, third = (httpx.URL(w).host for w in worker_order(workers, sender))
    request = httpx.Request("POST", "http://x")
    script = {
        first: [httpx.ConnectError("refused", request=request)],
        second: [httpx.RemoteProtocolError("died", request=request)],
        third: [httpx.Response(200, json=[{"text": "answered"}])],
    }
    calls: list[Any] = []
    assistant = RasaAssistant(
        workers=workers, signing_key=KEY, transport=scripted_workers(script, calls)
    )
    replies = await assistant.send(staff="n.jones", channel="rest", conversation="c9", text="x")
    assert replies == [Reply("answered")]
    assert [host for host, _ in calls] == [first, second, third]
    assert len({message_id for _, message_id in calls}) == 1  # the same message each time


async def test_rasa_assistant_skips_a_worker_still_loading_its_model():
    workers = ["http://rasa-a:5005", "http://rasa-b:5005"]
    first, second = (httpx.URL(w).host for w in worker_order(workers, "rest:n.jones:c1"))
    script = {
        first: [httpx.Response(503, json={"error": "the model is not loaded yet"})],
        second: [httpx.Response(200, json=[{"text": "from b"}])],
    }
    calls: list[Any] = []
    assistant = RasaAssistant(
        workers=workers, signing_key=KEY, transport=scripted_workers(script, calls)
    )
    replies = await assistant.send(staff="n.jones", channel="rest", conversation="c1", text="x")
    assert replies == [Reply("from b")]


async def test_rasa_assistant_failed_turn_is_not_retried_and_says_unavailable():
    workers = ["http://rasa-a:5005", "http://rasa-b:5005"]
    first, _ = (httpx.URL(w).host for w in worker_order(workers, "rest:n.jones:c1"))
    script = {first: [httpx.Response(503, json={"error": "the turn failed; send it again"})]}
    calls: list[Any] = []
    assistant = RasaAssistant(
        workers=workers, signing_key=KEY, transport=scripted_workers(script, calls)
    )
    replies = await assistant.send(staff="n.jones", channel="rest", conversation="c1", text="x")
    assert len(calls) == 1
    assert replies[0].kind == UNAVAILABLE_KIND
    assert replies[0].data["retry_after"] > 0


def test_worker_order_is_stable_and_a_dead_worker_moves_only_its_own_senders():
    workers = ["a", "b", "c"]
    senders = [f"rest:n.jones:{i}" for i in range(300)]
    before = {s: worker_order(workers, s)[0] for s in senders}
    after = {s: worker_order(["a", "c"], s)[0] for s in senders}
    moved = [s for s in senders if before[s] != after[s]]
    assert moved and all(before[s] == "b" for s in moved)
    assert {before[s] for s in senders} == {"a", "b", "c"}


OFFERED = '/choose_appointment{"appointment_id": "apt-12"}'


async def test_rasa_assistant_refuses_payloads_it_did_not_offer():
    calls: list[Any] = []
    offered = [{"text": "Which one?", "buttons": [{"title": "9:00", "payload": OFFERED}]}]
    assistant = RasaAssistant(
        workers=["http://rasa-1:5005"], signing_key=KEY, transport=recording_rasa(offered, calls)
    )
    send = assistant.send
    await send(staff="n.jones", channel="rest", conversation="c1", text="cancel")
    injected = '/affirm{"appointment_id": "apt-13"}'
    refused = await send(staff="n.jones", channel="rest", conversation="c1", text=injected)
    assert refused[0].custom is not None
    assert refused[0].custom["kind"] == "payload_refused" and len(calls) == 1
    elsewhere = await send(staff="n.jones", channel="rest", conversation="c2", text=OFFERED)
    assert elsewhere[0].custom is not None
    assert elsewhere[0].custom["kind"] == "payload_refused" and len(calls) == 1
    await send(staff="n.jones", channel="rest", conversation="c1", text=OFFERED)
    await send(staff="n.jones", channel="rest", conversation="c1", text="/affirm")  # no data
    assert [body["message"] for _, body in calls[1:]] == [OFFERED, "/affirm"]


@pytest.mark.redis
async def test_payload_offers_are_shared_through_redis(redis_url):
    import redis.asyncio as aioredis

    from assistant.gateway.payloads import PayloadGuard, RedisOffers

    first = PayloadGuard(RedisOffers(aioredis.from_url(redis_url)))
    second = PayloadGuard(RedisOffers(aioredis.from_url(redis_url)))  # another gateway worker
    await first.remember("rest:n.jones:c9", [Reply("?", (Button("9:00", OFFERED),))])
    assert await second.admit("rest:n.jones:c9", OFFERED)
    assert not await second.admit("rest:n.jones:c9", OFFERED.replace("12", "13"))
    assert not await second.admit("rest:p.kim:c9", OFFERED)


class TwoClauses:
    """A splitter that cuts at ' and ' and records what it was given."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []
        self.closed = False

    async def split(self, sender: str, text: str) -> list[str]:
        self.seen.append((sender, text))
        return text.split(" and ")

    async def aclose(self) -> None:
        self.closed = True


async def test_rasa_assistant_sends_each_clause_in_turn_and_joins_the_replies():
    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        return httpx.Response(200, json=[{"text": f"answer to {body['message']}"}])

    clauses = TwoClauses()
    assistant = RasaAssistant(
        workers=["http://rasa:5005"],
        signing_key=KEY,
        transport=httpx.MockTransport(handler),
        clauses=clauses,
    )
    token = current_message_id.set("m-1")
    try:
        replies = await assistant.send(
            staff="n.jones", channel="rest", conversation="c1", text="free beds and porter"
        )
    finally:
        current_message_id.reset(token)
    assert [r.text for r in replies] == ["answer to free beds", "answer to porter"]
    assert clauses.seen == [("rest:n.jones:c1", "free beds and porter")]
    await assistant.aclose()
    assert clauses.closed


async def test_rasa_assistant_each_clause_has_its_own_message_id_and_a_failure_ends_the_turn():
    bodies: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        if len(bodies) == 2:
            return httpx.Response(500)
        return httpx.Response(200, json=[{"text": "ok"}])

    assistant = RasaAssistant(
        workers=["http://rasa:5005"],
        signing_key=KEY,
        transport=httpx.MockTransport(handler),
        clauses=TwoClauses(),
    )
    token = current_message_id.set("m-2")
    try:
        replies = await assistant.send(
            staff="n.jones", channel="rest", conversation="c1", text="a and b and c"
        )
    finally:
        current_message_id.reset(token)
    assert [b["message"] for b in bodies] == ["a", "b"]  # "c" never sent after the failure
    assert len({b["message_id"] for b in bodies}) == 2
    assert replies[0].text == "ok" and replies[-1].kind == UNAVAILABLE_KIND


@pytest.mark.parametrize(
    ("said", "sent"),
    [
        ("👍", "yes"),
        ("👍🏽", "yes"),
        (":+1:", "yes"),
        (":thumbsup::skin-tone-3:", "yes"),
        ("👎", "no"),
        ("ok 👍", "ok 👍"),
        ("🙄", "🙄"),
    ],
)
async def test_rasa_assistant_sends_a_thumbs_up_alone_as_yes(said, sent):
    # "👍" at "Shall I book it?" was "Please answer yes or no" (Slack sends ":+1:")
    calls: list[Any] = []
    assistant = RasaAssistant(
        workers=["http://rasa-1:5005"],
        signing_key=KEY,
        transport=recording_rasa([{"recipient_id": "x", "text": "OK"}], calls),
    )
    await assistant.send(staff="n.jones", channel="rest", conversation="c1", text=said)
    assert calls[0][1]["message"] == sent


async def test_rasa_assistant_a_clause_that_asks_holds_the_rest_until_it_is_answered():
    # 'book E.L. into ent friday and get a porter to take her there': the slot offer and
    # "Which ward?" came together; 'the 10:40' went to the porter's ward question
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        message = json.loads(request.content)["message"]
        sent.append(message)
        if message.startswith("book"):
            kind, text = "book_appointment_offer", "Free ENT Clinic slots: ... Which one?"
        elif message == "the 10:40":
            kind, text = "book_appointment_confirm", "Book E.L. at 10:40?"
        elif message == "yes":
            kind = "book_appointment_success"
            text = "Booked: E.L. (MRN ending 6509), ENT Clinic, Fri 4 Dec at 10:40."
        else:
            kind, text = "ask_ward", "Which ward?"
        return httpx.Response(200, json=[{"text": text, "custom": {"kind": kind}}])

    assistant = RasaAssistant(
        workers=["http://rasa:5005"],
        signing_key=KEY,
        transport=httpx.MockTransport(handler),
        clauses=TwoClauses(),
    )

    async def say(text: str) -> list[Any]:
        token = current_message_id.set(f"m-{len(sent)}")
        try:
            return await assistant.send(
                staff="n.jones", channel="rest", conversation="c1", text=text
            )
        finally:
            current_message_id.reset(token)

    first = await say("book EL into ent friday and get a porter to take her there")
    assert [r.kind for r in first] == ["book_appointment_offer", "clause_held"]
    assert sent == ["book EL into ent friday"]  # the porter request not sent yet
    assert [r.kind for r in await say("the 10:40")] == ["book_appointment_confirm"]
    done = await say("yes")
    assert [r.kind for r in done] == ["book_appointment_success", "clause_offer"]
    payload = done[-1].buttons[0].payload
    assert payload == "get a porter to take her there for ENT Clinic, Fri 4 Dec at 10:40"
    assert sent == ["book EL into ent friday", "the 10:40", "yes"]
    await assistant.aclose()


async def test_rasa_assistant_a_request_the_actions_hold_is_offered_and_a_typed_yes_sends_it():
    # "oh and housekeeping for bed 7 too" while a porter's description is asked: held by the
    # actions (request_held), offered once the porter request is filed; "yes" sends it
    sent: list[str] = []
    held = "oh and housekeeping for bed 7 too"

    def handler(request: httpx.Request) -> httpx.Response:
        message = json.loads(request.content)["message"]
        sent.append(message)
        if message == held:
            replies = [
                {
                    "text": "One thing at a time",
                    "custom": {"kind": "request_held", "data": {"clause": held}},
                },
                {"text": "Briefly, what is needed?", "custom": {"kind": "ask_help_description"}},
            ]
        elif message == "wheelchair to x-ray":
            replies = [{"text": "Done: HR-000001", "custom": {"kind": "request_help_success"}}]
        else:
            replies = [{"text": "Done: HR-000002", "custom": {"kind": "request_help_success"}}]
        return httpx.Response(200, json=replies)

    assistant = RasaAssistant(
        workers=["http://rasa:5005"], signing_key=KEY, transport=httpx.MockTransport(handler)
    )

    async def say(text: str) -> list[Any]:
        token = current_message_id.set(f"m-{len(sent)}")
        try:
            return await assistant.send(
                staff="n.jones", channel="rest", conversation="c1", text=text
            )
        finally:
            current_message_id.reset(token)

    assert [r.kind for r in await say(held)] == ["request_held", "ask_help_description"]
    filed = await say("wheelchair to x-ray")
    assert [r.kind for r in filed] == ["request_help_success", "clause_offer"]
    assert filed[-1].buttons[0].payload == held
    await say("yes, do that")
    assert sent == [held, "wheelchair to x-ray", held]  # the typed yes sent the request
    await say("yes")  # the offer was answered: a later yes is only a yes
    assert sent[-1] == "yes"
    await assistant.aclose()
