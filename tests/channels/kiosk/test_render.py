from assistant.channels.kiosk.render import WITHHELD, render
from assistant.conversation import Button, Reply


def test_render_patient_as_bed_initials_and_last_four() -> None:
    shaped = render(
        Reply(
            "Jane Doe is in bed 6.",
            (Button("Jane Doe", "/x"),),
            custom={
                "phi": True,
                "kind": "find_patient_found",
                "data": {
                    "ward": "4B",
                    "room": "Bay 1",
                    "bed": "6",
                    "initials": "JD",
                    "mrn_last4": "4821",
                },
            },
        )
    )
    assert shaped.text == "Patient JD, MRN ending 4821: ward 4B, Bay 1, bed 6."
    assert "Jane" not in shaped.speech and "4 8 2 1" in shaped.speech
    assert shaped.buttons == ()


def test_render_withholds_phi_without_renderable_data() -> None:
    shaped = render(
        Reply(
            "Jane Doe has an appointment at 2:30.",
            custom={"phi": True, "kind": "list_appointments_found", "data": {}},
        )
    )
    assert shaped.text == WITHHELD and shaped.speech == WITHHELD


def test_render_passes_through_confirmation_with_buttons() -> None:
    shaped = render(
        Reply(
            "Porter to bed 6 on 4B, urgent - shall I send it?",
            (Button("Yes", "/affirm"), Button("No", "/deny")),
            custom={"phi": False, "kind": "request_help_confirm"},
        )
    )
    assert shaped.text.endswith("shall I send it?")
    assert [b["payload"] for b in shaped.buttons] == ["/affirm", "/deny"]


def test_render_ward_list_as_beds_and_initials_only() -> None:
    from assistant.channels.kiosk.render import render
    from assistant.conversation import Reply

    data = {
        "ward": "4B",
        "patients": [
            {"bed": "4B Bed 1", "initials": "EC", "mrn_last4": "5337"},
            {"bed": "4B Bed 2", "initials": "EL", "mrn_last4": "6509"},
        ],
    }
    reply = Reply(
        "Ward 4B: 2 patients - Bed 1: Elif Cohen",  # the kiosk never shows the text itself
        (),
        {"phi": True, "kind": "list_ward_patients_success", "data": data},
    )
    shown = render(reply)
    assert shown.text == "Ward 4B: 4B Bed 1: EC; 4B Bed 2: EL."
    assert "Cohen" not in shown.text and "Cohen" not in shown.speech
