"""Pre-1945 spelling normalised for search: the examples come from real old prints."""

import pytest

from methodica.heritage.orthography import normalise, words, yat_variant


@pytest.mark.parametrize(
    ("old", "modern"),
    [
        ("Българскѫ книжнинѫ", "Българска книжнина"),  # final ѫ is an ending: а
        ("свѣтъ", "свет"),
        ("градътъ", "градът"),
        ("отъ града", "от града"),
        ("рѫка", "ръка"),  # ѫ inside a word: ъ
        ("пѫть", "път"),
        ("тѣ сѫ", "те са"),
        ("царь", "цар"),
        ("Царьтъ", "Царят"),
        ("ходѭ", "ходя"),
        ("ѧзыкъ", "език"),
        ("Періодическо списание", "Периодическо списание"),
        ("ѲЕОДОРЪ", "ФЕОДОР"),
        ("СВѢТЪТЪ", "СВЕТЪТ"),
    ],
)
def test_old_spelling_is_written_in_modern_spelling(old, modern):
    assert normalise(old) == modern


@pytest.mark.parametrize(
    "modern",
    [
        "Народно читалище „Надежда“ – 1869 г., Велико Търново",
        "синьо",  # the only ь of modern spelling, before о
        "търговец",
        "йод, ёж",  # й and ё are letters, not letters with marks
        "ъ",  # a lone ъ word is kept
    ],
)
def test_modern_text_is_left_as_it_is(modern):
    assert normalise(modern) == modern


def test_a_hard_sign_inside_a_word_is_kept_and_only_the_final_one_goes():
    assert normalise("търговецъ") == "търговец"


def test_stress_marks_are_removed_and_the_accented_pronoun_is_a_plain_i():
    assert normalise("ка́зах ѝ") == "казах и"


def test_latin_look_alikes_in_an_ocr_damaged_word_become_cyrillic():
    assert normalise("читaлище библиoтеката") == "читалище библиотеката"
    assert normalise("Tesseract OCR") == "Tesseract OCR"  # Latin words stay Latin


def test_words_keep_their_order_and_count_so_hits_map_to_word_boxes():
    old = "Въ градътъ, на 12 май 1878 г., царьтъ и народътъ."
    assert len(words(normalise(old))) == len(words(old))
    assert words(normalise(old))[1] == "градът"
    assert words(old)[1] == "градътъ"


def test_the_yat_variant_reads_the_first_yat_as_ya():
    assert yat_variant("хлѣбъ и вѣра, нищо друго") == "хляб вяра"
    assert yat_variant("без ят") == ""
