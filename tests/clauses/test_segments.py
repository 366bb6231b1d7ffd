"""Where a message could be cut into clauses (no NLU)."""

from __future__ import annotations

from assistant.clauses.segments import MAX_LENGTH, partitions


def test_segments_cut_at_coordinators_semicolons_and_sentence_ends():
    assert partitions("find a free bed on 4B and get a porter to move bed 3 to x-ray") == (
        ("find a free bed on 4B", "get a porter to move bed 3 to x-ray"),
    )
    assert partitions("mark bed 5 clean, and then is bed 6 free?") == (
        ("mark bed 5 clean", "is bed 6 free?"),
    )
    assert partitions("any isolation beds on ICU; mark ICU bed 2 as clean") == (
        ("any isolation beds on ICU", "mark ICU bed 2 as clean"),
    )
    assert partitions("is bed 6 free? also mark bed 5 clean") == (
        ("is bed 6 free?", "mark bed 5 clean"),
    )
    assert partitions("Mark bed 5 clean. Is bed 6 free?") == (
        ("Mark bed 5 clean.", "Is bed 6 free?"),
    )


def test_segments_initials_and_titles_are_no_sentence_end():
    assert partitions("book T.A. into cardiology on friday and show me the dermatology list") == (
        ("book T.A. into cardiology on friday", "show me the dermatology list"),
    )
    assert partitions("a slot with Dr. Patel please") == ()


def test_segments_most_clauses_first():
    ways = partitions("free beds on 4B and on ICU then porter to 7")
    assert ways[0] == ("free beds on 4B", "on ICU", "porter to 7")
    assert set(ways[1:]) == {
        ("free beds on 4B on ICU", "porter to 7")[:0]
        or ("free beds on 4B and on ICU", "porter to 7"),
        ("free beds on 4B", "on ICU then porter to 7"),
    }


def test_segments_nothing_to_cut_in_buttons_long_texts_or_lists():
    assert partitions('/affirm{"slot_id": "1"} and more') == ()
    assert partitions("and bed 6") == ()
    assert partitions("bed 6 and") == ()
    assert partitions("porter " + "and porter " * (MAX_LENGTH // 10)) == ()
    assert partitions("beds 1 and 2 and 3 and 4 and 5") == ()  # more places than MAX_CUTS


def test_segments_comma_clauses_only_without_coordinators():
    from assistant.clauses.segments import comma_clauses

    assert comma_clauses("4B bed 2 needs cleaning, 7 bed 1 needs cleaning") == (
        "4B bed 2 needs cleaning",
        "7 bed 1 needs cleaning",
    )
    assert comma_clauses("close bed 2 and bed 3, please") == ()  # a coordinator: partitions
    assert comma_clauses("no comma here") == ()
    assert comma_clauses("a, b, c, d, e, f") == ()  # a list of details, read whole
