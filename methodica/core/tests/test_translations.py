"""The Bulgarian and Russian catalogues are complete, well-formed and compiled.

Bulgarian is the default language and Russian must be complete, so a string
added to the code without a translation fails here rather than showing up in
English on a Bulgarian page. Only the standard library is used: no database,
no Django.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[3] / "locale"
TRANSLATED = {"bg": 2, "ru": 3}  # language -> nplurals
ALL_LANGUAGES = ("bg", "ru", "en")

# %(name)s, %s, %d, %.1f ... ; "%%" is a literal percent sign.
PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>\w+)\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?(?P<kind>[diouxXeEfFgGcrsa%])"
)

# Terms other tests and the librarians' own spreadsheets depend on.
REQUIRED_BG = {
    "This value is required.": "Стойността е задължителна.",
    "The file is not a spreadsheet (.xlsx or .csv).": "Файлът не е таблица (.xlsx или .csv).",
    "Municipality": "Община",
    "municipality": "община",
    "Name": "Наименование",
    "Type": "Тип",
    "Settlement": "Населено място",
    "Founded": "Година на основаване",
    "Phone": "Телефон",
    "Chitalishte registration number": "Рег. номер на читалището",
    "Library register": "Регистър на библиотеките",
    "Sign in": "Вход",
}


@dataclass
class Entry:
    line: int
    msgctxt: str | None = None
    msgid: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        return f"line {self.line}: {self.msgid!r}"


def parse_po(path: Path) -> list[Entry]:
    """Parse a .po file into entries; obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None

    def finish() -> None:
        nonlocal current, target
        if current is not None and current.msgid is not None:
            entries.append(current)
        current, target = None, None

    for number, raw in enumerate(
        path.read_text(encoding="utf-8").splitlines(), start=1
    ):
        line = raw.strip()
        if not line:
            finish()
            continue
        if current is None:
            current = Entry(line=number)
        if line.startswith("#,"):
            current.flags.update(
                flag.strip() for flag in line[2:].split(",") if flag.strip()
            )
            continue
        if line.startswith("#"):
            continue
        match = re.match(
            r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$', line
        )
        if match:
            keyword, index, literal = match.groups()
            value = ast.literal_eval(literal)
            if keyword == "msgstr":
                target = ("msgstr", int(index) if index is not None else 0)
                current.msgstr[target[1]] = value
            else:
                target = (keyword, 0)
                setattr(current, keyword, value)
            continue
        if line.startswith('"') and target is not None:
            value = ast.literal_eval(line)
            if target[0] == "msgstr":
                current.msgstr[target[1]] += value
            else:
                setattr(current, target[0], getattr(current, target[0]) + value)
            continue
        raise AssertionError(f"{path}:{number}: cannot parse {raw!r}")
    finish()
    return entries


def split_header(entries: list[Entry]) -> tuple[Entry, list[Entry]]:
    header = [e for e in entries if e.msgid == "" and e.msgctxt is None]
    assert len(header) == 1, "a catalogue has exactly one header"
    return header[0], [e for e in entries if e is not header[0]]


def header_fields(header: Entry) -> dict[str, str]:
    lines = header.msgstr.get(0, "").splitlines()
    return {
        key.strip(): value.strip()
        for key, _, value in (ln.partition(":") for ln in lines if ":" in ln)
    }


def placeholders(text: str) -> tuple[set[str], int]:
    """Named placeholders, and the number of positional ones."""
    names, positional = set(), 0
    for match in PLACEHOLDER.finditer(text):
        if match["kind"] == "%":
            continue
        if match["name"]:
            names.add(match["name"])
        else:
            positional += 1
    return names, positional


def catalogue(language: str) -> list[Entry]:
    path = LOCALE / language / "LC_MESSAGES" / "django.po"
    assert path.is_file(), f"{path} is missing: run makemessages"
    return parse_po(path)


@pytest.mark.parametrize("language", ALL_LANGUAGES)
def test_the_catalogue_is_compiled(language):
    assert (LOCALE / language / "LC_MESSAGES" / "django.mo").is_file(), (
        "run compilemessages"
    )


@pytest.mark.parametrize(("language", "nplurals"), TRANSLATED.items())
def test_the_header_names_the_language_and_its_plural_forms(language, nplurals):
    header, _ = split_header(catalogue(language))
    assert "fuzzy" not in header.flags, (
        "a fuzzy header is dropped by msgfmt, and with it the plural rule"
    )
    fields = header_fields(header)
    assert fields.get("Language") == language
    assert fields.get("Content-Type") == "text/plain; charset=UTF-8"
    assert f"nplurals={nplurals};" in fields.get("Plural-Forms", "").replace(" ", "")


@pytest.mark.parametrize(("language", "nplurals"), TRANSLATED.items())
def test_every_string_is_translated_and_none_is_fuzzy(language, nplurals):
    _, entries = split_header(catalogue(language))
    assert entries, "the catalogue is empty"
    problems = []
    for entry in entries:
        if "fuzzy" in entry.flags:
            problems.append(f"{entry.label}: fuzzy")
        expected = set(range(nplurals)) if entry.msgid_plural is not None else {0}
        if set(entry.msgstr) != expected:
            problems.append(
                f"{entry.label}: msgstr forms {sorted(entry.msgstr)}, expected {sorted(expected)}"
            )
        empty = [index for index, text in entry.msgstr.items() if not text.strip()]
        if empty:
            problems.append(f"{entry.label}: empty msgstr {empty}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_the_placeholders(language):
    _, entries = split_header(catalogue(language))
    problems = []
    for entry in entries:
        source_names, source_positional = placeholders(entry.msgid)
        if entry.msgid_plural is not None:
            plural_names, _ = placeholders(entry.msgid_plural)
            source_names |= plural_names
        for index, text in entry.msgstr.items():
            names, positional = placeholders(text)
            if names != source_names:
                problems.append(
                    f"{entry.label}: msgstr[{index}] has {sorted(names)}, "
                    f"the source has {sorted(source_names)}"
                )
            if "python-format" in entry.flags and positional != source_positional:
                problems.append(
                    f"{entry.label}: msgstr[{index}] has {positional} positional placeholders, "
                    f"the source has {source_positional}"
                )
    assert not problems, "\n".join(problems)


def test_every_language_has_the_same_strings():
    def keys(language: str) -> set[tuple[str | None, str]]:
        _, entries = split_header(catalogue(language))
        return {(e.msgctxt, e.msgid) for e in entries}

    assert keys("bg") == keys("ru") == keys("en"), (
        "run makemessages for every language at once"
    )


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalogue_matches_the_po_file(language):
    """Catches a .po edited without compilemessages (no mtimes: git does not keep them)."""
    _, entries = split_header(catalogue(language))
    with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in entries:
        prefix = f"{entry.msgctxt}\x04" if entry.msgctxt is not None else ""
        if entry.msgid_plural is None:
            if compiled._catalog.get(prefix + entry.msgid) != entry.msgstr[0]:
                stale.append(entry.label)
        else:
            for index, text in entry.msgstr.items():
                if compiled._catalog.get((prefix + entry.msgid, index)) != text:
                    stale.append(f"{entry.label} [{index}]")
    assert not stale, "run compilemessages:\n" + "\n".join(stale)


def test_the_required_bulgarian_terms():
    _, entries = split_header(catalogue("bg"))
    translated = {
        e.msgid: e.msgstr.get(0)
        for e in entries
        if e.msgctxt is None and e.msgid_plural is None
    }
    wrong = {
        msgid: translated.get(msgid)
        for msgid, term in REQUIRED_BG.items()
        if translated.get(msgid) != term
    }
    assert not wrong, wrong
