from tests.wer import edit_distance, normalize, word_error_rate


def test_normalize_spells_numbers_and_drops_punctuation():
    assert normalize("8. The press yard.") == ["eight", "the", "press", "yard"]
    assert normalize("Mr. John's") == ["mister", "john's"]


def test_edit_distance_counts_each_kind_of_error():
    assert edit_distance("a b c".split(), "a b c".split()) == 0
    assert edit_distance("a b c".split(), "a x c".split()) == 1
    assert edit_distance("a b c".split(), "a c".split()) == 1
    assert edit_distance("a b c".split(), "a b c d".split()) == 1


def test_corpus_wer_weights_by_reference_length():
    assert word_error_rate(["a b c d", "e"], ["a b c d", "x"]) == 1 / 5
