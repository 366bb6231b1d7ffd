from assistant.cli.chat import choose, render


def test_chat_render_numbers_buttons_across_replies():
    lines: list[str] = []
    payloads = render(
        [
            {"text": "Which clinic?", "buttons": [{"title": "Cardiology", "payload": "/c"}]},
            {"text": "", "buttons": [{"title": "Neurology", "payload": "/n"}]},
        ],
        lines.append,
    )
    assert payloads == ["/c", "/n"]
    assert lines == ["assistant> Which clinic?", "   1) Cardiology", "   2) Neurology"]


def test_chat_choose_number_picks_payload_else_text():
    assert choose("2", ["/a", "/b"]) == "/b"
    assert choose("3", ["/a", "/b"]) == "3"
    assert choose("free beds", ["/a"]) == "free beds"


def test_chat_send_waits_out_a_short_busy_answer_and_sends_again():
    # lines pasted at once: each over the per-staff limit was refused with 429 and lost
    import httpx

    from assistant.cli.chat import send

    answers = [
        httpx.Response(429, json={"detail": "too many requests", "retry_after": "1"}),
        httpx.Response(503, headers={"Retry-After": "2"}, json={"detail": "restarting"}),
        httpx.Response(200, json={"conversation_id": "c1", "replies": []}),
    ]
    sent: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.content)
        return answers[len(sent) - 1]

    waited: list[float] = []
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        response = send(client, "http://gw/api/v1/messages", {"text": "hi"}, waited.append)
    assert response.status_code == 200
    assert waited == [1.0, 2.0] and len(sent) == 3 and len(set(sent)) == 1


def test_chat_send_does_not_wait_long_or_on_other_errors():
    import httpx

    from assistant.cli.chat import send

    for answer in (
        httpx.Response(429, json={"retry_after": "60"}),
        httpx.Response(400, json={"detail": "bad"}),
    ):
        waited: list[float] = []
        with httpx.Client(transport=httpx.MockTransport(lambda _r, a=answer: a)) as client:
            response = send(client, "http://gw/m", {"text": "hi"}, waited.append)
        assert response.status_code == answer.status_code and waited == []
