from actions.sayback import changed_text, noted_phrase


def test_sayback_correction_says_the_new_value():
    assert changed_text(["department"], {"department": "Cardiology"}) == (
        "OK, changed to Cardiology clinic."
    )
    assert changed_text(["ward", "bed"], {"ward": "4A", "bed": "13"}) == (
        "OK, changed to ward 4A, bed 13."
    )


def test_sayback_correction_never_repeats_a_patient_detail():
    text = changed_text(["mrn", "department"], {"mrn": "10000003", "department": "ENT"})
    assert "10000003" not in text
    assert text == "OK, changed to ENT clinic; changed the MRN."


def test_sayback_noted_detail_uses_the_button_title():
    assert noted_phrase("urgency", "routine").islower()
    assert noted_phrase("patient_name", "Tom Ames") == "the patient's name"


def test_sayback_an_acronym_clinic_is_said_in_capitals():
    assert changed_text(["department"], {"department": "ent"}) == "OK, changed to ENT clinic."
    assert noted_phrase("department", "cardiology") == "cardiology clinic"
