"""The translation catalogs are complete and up to date.

Extracting the messages anew (the same map and keywords as `make messages`)
finds exactly what messages.pot holds; every catalog has exactly those
messages, each translated (every plural form), none fuzzy, and each keeps its
placeholders. A string added without running `make messages` and translating
it fails here.
"""

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from gardenhub.i18n import LANGUAGES

ROOT = Path(__file__).parents[1]
I18N = ROOT / "gardenhub" / "translations"
# As in the Makefile's EXTRACT.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "_ln": (1, 2)}
TRANSLATED = sorted(set(LANGUAGES) - {"en"})


def key(message_id) -> tuple:
    return tuple(message_id) if isinstance(message_id, list | tuple) else (message_id,)


def extracted() -> set[tuple]:
    with open(I18N / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT),
        method_map,
        options_map,
        keywords=KEYWORDS,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
    ):
        assert context is None, "GardenHub uses no message contexts"
        found.add(key(message))
    return found


def catalog(path: Path):
    with open(path, "rb") as source:
        return read_po(source)


@pytest.fixture(scope="module")
def template_ids() -> set[tuple]:
    return {key(m.id) for m in catalog(I18N / "messages.pot") if m.id}


def test_extracting_anew_changes_nothing(template_ids):
    fresh = extracted()
    assert not fresh - template_ids, "new strings: run `make messages`"
    assert not template_ids - fresh, "strings gone from the code: run `make messages`"
    assert len(template_ids) > 1000


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated(language, template_ids):
    translations = catalog(I18N / language / "LC_MESSAGES" / "messages.po")
    messages = [m for m in translations if m.id]
    assert {key(m.id) for m in messages} == template_ids
    untranslated = [
        m.id
        for m in messages
        if m.fuzzy or not all(m.string if isinstance(m.string, tuple) else [m.string])
    ]
    assert untranslated == []
    # Babel's checkers: the same placeholders, the right number of plural forms.
    problems = [(m.id, [str(e) for e in errors]) for m, errors in translations.check()]
    assert problems == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_catalog_is_compiled_from_its_latest_version(language):
    source = I18N / language / "LC_MESSAGES" / "messages.po"
    compiled = source.with_suffix(".mo")
    assert compiled.exists(), "make compiles the catalogs"
    assert compiled.stat().st_mtime >= source.stat().st_mtime
