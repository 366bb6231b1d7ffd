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
