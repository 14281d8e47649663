"""Pre-1945 Bulgarian spelling mapped to modern spelling, for search only.

The same function runs on both sides of a search: on a record's text before it is
indexed, and on the user's query before it is parsed, so that the modern "свет"
finds the old "свѣтъ". The stored text is never changed: the original is what the
page shows (docs/decisions/0007-bulgarian-search.md).

Offsets are NOT preserved: a word can get shorter (the final ъ goes) or longer
(ѯ → кс). What IS preserved is the sequence of words: the text outside words
(spaces, punctuation, digits) is copied unchanged and every word of the input
becomes exactly one non-empty word of the output. Highlighting therefore maps a hit
by word index (the n-th word of the normalised text is the n-th word of the
original, hence the n-th word box of the page's hOCR/ALTO), never by character
offset. ``words()`` gives that sequence.

The rules, checked against the orthography of 1921/1923 and the Drinov–Ivanchev
spelling used until 1945:

* ѣ (yat) → е. In modern spelling the yat is я when stressed before a hard syllable
  (хлѣбъ → хляб, бѣлъ → бял) and е elsewhere (вѣра → вера, градѣ → граде); the
  stress is not written, so one spelling cannot be right for every word. For recall,
  ``normalise`` writes е and ``yat_variant`` gives the я-spelling of the words
  that had a yat (first yat → я), to be indexed beside the normalised text.
* ѫ (big yus) → ъ inside a word (рѫка → ръка, пѫть → път), but → а at the end
  of a word, where it is an ending (сѫ → са, четѫ → чета, книжнинѫ → книжнина).
* ѭ → ю inside a word, → я at the end (ходѭ → ходя).
* ѧ and ѩ (small yus, rare in 19th-century prints) → е, their Bulgarian reflex
  (ѧзыкъ → език).
* Church Slavonic letters of 19th-century prints: і, ѵ, ы → и; ѳ → ф; ѡ → о;
  ѹ, ꙋ → у; ѕ → з; ѯ → кс; ѱ → пс.
* The word-final ъ is dropped (градътъ → градът, отъ → от), except in a word that
  is only "ъ". A ъ inside a word stays (търговецъ → търговец).
* The word-final ь after a consonant is dropped (царь → цар, день → ден): modern
  Bulgarian writes ь only before о (синьо), so this cannot damage modern text.
  The old full article after such a stem, -ьтъ, becomes -ят (царьтъ → царят).
* Upper-case letters map to upper case: case is kept, to_tsvector lowers it.
* Combining marks (stress accents, titlo) are removed after NFC composition, so й
  and ё survive; ѝ (the written-accent pronoun) → и.
* OCR damage: in a word that mixes Cyrillic and Latin letters, the Latin letters
  that look like Cyrillic ones (a, e, o, p, c, x, y, i, ...) become Cyrillic.

Apply it to Bulgarian (and Church Slavonic) records and queries only: ы and the
final ь are real letters of Russian.
"""

from __future__ import annotations

import re
import unicodedata

# One letter → its modern replacement, both cases. Word-final special cases
# (ѫ, ѭ, ъ, ь) are handled in _modern_word.
_LETTERS = {
    "ѣ": "е",
    "ѫ": "ъ",
    "ѭ": "ю",
    "ѧ": "е",
    "ѩ": "е",
    "і": "и",
    "ї": "и",
    "ѵ": "и",
    "ы": "и",
    "ѳ": "ф",
    "ѡ": "о",
    "ѹ": "у",
    "ꙋ": "у",
    "ѕ": "з",
    "ѯ": "кс",
    "ѱ": "пс",
    "ѝ": "и",
}
_LETTERS.update({old.upper(): new.upper() for old, new in list(_LETTERS.items())})
# ѯ.upper() → "КС" is right for all-caps text and harmless elsewhere.
_TABLE = str.maketrans(_LETTERS)

_FINAL = {"ѫ": "а", "Ѫ": "А", "ѭ": "я", "Ѭ": "Я"}
_SOFT_ARTICLE = {"ьтъ": "ят", "ЬТЪ": "ЯТ"}
_CONSONANTS = frozenset("бвгджзйклмнпрстфхцчшщБВГДЖЗЙКЛМНПРСТФХЦЧШЩ")
# Old letters that stand for a consonant, before which a final ь is also dropped.
_BEFORE_FINAL_SOFT_SIGN = _CONSONANTS | frozenset("ѳѯѱѕѲѮѰЅ")

# Latin letters OCR puts into Cyrillic words in their place.
_HOMOGLYPHS = str.maketrans(
    "aeopcxyiABCEHKMOPTXY",
    "аеорсхуиАВСЕНКМОРТХУ",
)

# A word: a run of letters (no digits, no underscore). Hyphenated words are two words,
# as PostgreSQL's parser sees them (hword_part).
_WORD = re.compile(r"[^\W\d_]+")
_CYRILLIC = re.compile(r"[\u0400-\u052f\ua640-\ua69f]")
_LATIN = re.compile(r"[A-Za-z]")


def _strip_marks(text: str) -> str:
    composed = unicodedata.normalize("NFC", text)
    if composed.isascii():
        return composed
    return "".join(ch for ch in composed if not unicodedata.combining(ch))


def _modern_word(word: str) -> str:
    if _LATIN.search(word) and _CYRILLIC.search(word):
        word = word.translate(_HOMOGLYPHS)
    if word[-3:] in _SOFT_ARTICLE:
        # The old full article after a soft stem: царьтъ → царят, коньтъ → конят.
        word = word[:-3] + _SOFT_ARTICLE[word[-3:]]
    last = word[-1]
    if len(word) > 1 and (
        last in "ъЪ" or (last in "ьЬ" and word[-2] in _BEFORE_FINAL_SOFT_SIGN)
    ):
        word = word[:-1]
        last = word[-1]
    if last in _FINAL:
        word = word[:-1] + _FINAL[last]
    return word.translate(_TABLE)


def normalise(text: str) -> str:
    """Return ``text`` in modern Bulgarian spelling, word for word (see module doc)."""
    return _WORD.sub(lambda m: _modern_word(m.group()), _strip_marks(text))


def words(text: str) -> list[str]:
    """The words of ``text`` in order, as ``normalise`` sees them.

    ``words(normalise(t))[i]`` is the modern spelling of ``words(t)[i]``: the index
    that maps a search hit back to the original word and its box on the page image.
    """
    return _WORD.findall(_strip_marks(text))


def yat_variant(text: str) -> str:
    """The words of ``text`` that contain ѣ, with the first ѣ read as я.

    Indexed beside ``normalise(text)`` so that modern "хляб" finds "хлѣбъ" as well as
    "вера" finds "вѣра". Returns "" when the text has no yat (most texts).
    """
    if "ѣ" not in text and "Ѣ" not in text:
        return ""
    found = []
    for word in words(text):
        index = max(word.find("ѣ"), word.find("Ѣ"))
        if index >= 0:
            ya = "я" if word[index] == "ѣ" else "Я"
            found.append(_modern_word(word[:index] + ya + word[index + 1 :]))
    return " ".join(found)
