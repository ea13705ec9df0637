"""With the customer's name known, only that name counts as using their name."""

from rehearse.coach.wording import detect


def moves(text, name=None):
    return {h.move: h.evidence for h in detect(text, customer_name=name)}


def test_first_name_full_name_and_honorific_with_last_name_count():
    assert moves("Okay Dana, I hear you.", "Dana Reyes")["use_name"] == "Dana"
    assert moves("Dana Reyes, thanks for waiting.", "Dana Reyes")["use_name"] == "Dana Reyes"
    assert moves("Ms. Reyes, I'm sorry about this.", "Dana Reyes")["use_name"] == "Ms. Reyes"


def test_another_capitalised_word_is_not_the_customers_name():
    assert "use_name" not in moves("Menu, right? I was thinking about it.", "Dana Reyes")
    assert "use_name" not in moves("Okay Sam, I hear you.", "Dana Reyes")


def test_without_a_known_name_a_vocative_still_counts():
    assert moves("Okay, Sam.")["use_name"] == "Sam"
