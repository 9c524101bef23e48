"""No English leaks into Spanish or German: every page of the permission
matrix (as each kind of visitor), every message in the outbox and every feed,
rendered in each language, holds no sentence of the English catalog that the
language translates differently.

A leak is a string wrapped for translation but rendered too early (at import
time, in English), or a message built by gluing English pieces together.
"""

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from gardenhub.extensions import db
from gardenhub.i18n import LANGUAGES
from gardenhub.notifications.models import Notification
from tests.test_permissions import MATRIX, OK
from tests.world import build_world

I18N = Path(__file__).parents[1] / "gardenhub" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sd]")
TAG = re.compile(r"<[^>]+>")
LONG_WORDS = 4
# Words that Spanish and German never use.
ENGLISH_WORDS = {
    "the", "you", "your", "is", "are", "and", "to", "of", "for", "with", "this",
    "that", "it", "be", "can", "will", "has", "have", "not", "or", "on", "at",
}  # fmt: skip
TRANSLATED = sorted(set(LANGUAGES) - {"en"})


class English:
    """The catalog's English sentences that `language` says differently."""

    def __init__(self, language: str):
        with open(I18N / language / "LC_MESSAGES" / "messages.po", "rb") as source:
            catalog = read_po(source)
        self.exact: set[str] = set()
        self.long: set[str] = set()
        patterns = []
        for message in catalog:
            if not message.id:
                continue
            ids, strings = as_tuple(message.id), as_tuple(message.string)
            for english in ids:
                text = " ".join(TAG.sub(" ", english).split())
                if not re.search(r"[A-Za-z]{3}", PLACEHOLDER.sub("", text)):
                    continue
                if english in strings or text in {" ".join(s.split()) for s in strings}:
                    continue  # the same in both languages ("Status", "OK")
                if PLACEHOLDER.search(text):
                    pieces = PLACEHOLDER.split(text)
                    if sum(len(p.split()) for p in pieces) >= 2:
                        patterns.append(".+?".join(re.escape(p) for p in pieces))
                else:
                    self.exact.add(text)
                    if len(text.split()) >= LONG_WORDS:
                        self.long.add(text)
        self.pattern = re.compile("|".join(f"(?:{p})" for p in patterns))

    def leaks(self, pieces: list[str], whole: str, stored=frozenset()) -> set[str]:
        """English found as a whole piece of text, or as a long sentence
        anywhere in `whole`; pieces that are `stored` words are not the app's."""
        found = set()
        for piece in pieces:
            text = " ".join(piece.split())
            if text in stored:
                whole = whole.replace(piece, " ")
            elif text in self.exact or (text and self.pattern.fullmatch(text)):
                found.add(text)
        whole = " ".join(whole.split())
        found |= {sentence for sentence in self.long if sentence in whole}
        # And English the catalog does not hold (a string never wrapped):
        # a piece with two of English's commonest little words.
        for piece in pieces:
            words = set(re.findall(r"[a-z']+", piece.lower()))
            if piece not in stored and len(words & ENGLISH_WORDS) >= 2:
                found.add(" ".join(piece.split()))
        return found


def as_tuple(value) -> tuple:
    return value if isinstance(value, tuple) else (value,)


@cache
def english(language: str) -> English:
    return English(language)


class Visible(HTMLParser):
    """The text a person reads or hears: text nodes and labelling attributes."""

    SPOKEN = ("aria-label", "title", "placeholder", "alt")

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "col"}

    def __init__(self):
        super().__init__()
        self.pieces: list[str] = []
        self.skipping = 0
        self.open: list[str] = []
        # Text marked lang="en" inside a page in another language is English
        # on purpose (the API's reference, from its OpenAPI description).
        self.english_from: int | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skipping += 1
        attributes = dict(attrs)
        if tag not in self.VOID:
            self.open.append(tag)
            if attributes.get("lang") == "en" and self.english_from is None:
                self.english_from = len(self.open) - 1
        if self.english_from is not None:
            return
        for name in self.SPOKEN:
            if attributes.get(name):
                self.pieces.append(attributes[name])
        if tag == "input" and attributes.get("type") in ("submit", "button"):
            self.pieces.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skipping -= 1
        if tag in self.open:
            while self.open and self.open.pop() != tag:
                pass
        if self.english_from is not None and len(self.open) <= self.english_from:
            self.english_from = None

    def handle_data(self, data):
        if not self.skipping and self.english_from is None and data.strip():
            self.pieces.append(data)


def html_text(html: str) -> tuple[list[str], str]:
    parser = Visible()
    parser.feed(html)
    return parser.pieces, " ".join(parser.pieces)


def ics_text(body: str) -> tuple[list[str], str]:
    unfolded = re.sub(r"\r\n[ \t]", "", body)
    pieces = []
    for line in unfolded.split("\r\n"):
        name, _, value = line.partition(":")
        if name.split(";")[0] in (
            "SUMMARY",
            "DESCRIPTION",
            "X-WR-CALNAME",
            "X-WR-CALDESC",
            "NAME",
            "LOCATION",
            "CATEGORIES",
        ):
            value = value.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";")
            pieces += [p for p in value.split("\n") if p.strip()]
    return pieces, " ".join(pieces)


def stored_words() -> set[str]:
    """What people wrote or the database holds (names, titles, the subjects of
    queued messages in their recipients' languages): not the app speaking."""
    from gardenhub.accounts.models import User
    from gardenhub.feeds.models import FeedToken
    from gardenhub.gardens.models import Garden
    from gardenhub.projects.models import Project
    from gardenhub.workdays.models import Shift, Workday

    columns = [
        User.display_name,
        FeedToken.name,
        Garden.name,
        Project.name,
        Workday.title,
        Shift.name,
        Notification.subject,
    ]
    words = set()
    for column in columns:
        words |= {" ".join(v.split()) for v in db.session.scalars(select(column)) if v}
    return words


def pages():
    """(endpoint, url template, role) for every page a role may read."""
    for endpoint, (url, methods) in sorted(MATRIX.items()):
        for role, expected in methods.get("GET", {}).items():
            if expected == OK and role != "other coordinator":
                yield endpoint, url, role


def client_for(app, people, role: str, language: str):
    client = app.test_client()
    client.set_cookie("lang", language)
    if role != "anonymous":
        with client.session_transaction() as session:
            session["_user_id"] = people[role].session_token
            session["_fresh"] = True
    return client


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_page_speaks_english(app, language):
    built = build_world()
    people, values = built.people, built.values
    catalog = english(language)
    stored = stored_words()
    leaks = {}
    seen = 0
    for endpoint, url, role in pages():
        client = client_for(app, people, role, language)
        response = client.get(url.format(**values))
        kind = response.headers.get("Content-Type", "")
        if response.status_code != 200:
            continue
        if endpoint.startswith("embed."):
            # The widget speaks its garden's language, like the garden's feed,
            # whoever reads it (tests/test_embed.py).
            continue
        seen += 1
        body = response.get_data(as_text=True)
        if kind.startswith("text/html"):
            assert f'<html lang="{language}"' in body, endpoint
            pieces, whole = html_text(body)
        elif kind.startswith(
            (
                "text/calendar",
                "application/json",
                "application/manifest+json",
                "text/javascript",
                "image/",
            )
        ):
            # Feeds have their own test (they follow ?lang=); the data export
            # and the app's manifest are for machines (the manifest's language
            # is tested in test_gate), the service worker is code, and the
            # gate's QR code is a picture.
            continue
        else:
            pieces, whole = body.splitlines(), body
        if found := catalog.leaks(pieces, whole, stored):
            leaks[f"{endpoint} as {role}"] = sorted(found)
    assert seen > 150
    assert leaks == {}


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_feed_speaks_english(app, client, language):
    built = build_world(language=language)
    values = built.values
    catalog = english(language)
    token = values["feed_token"]
    urls = [
        "/calendar.ics",
        "/gardens/garden-1/calendar.ics",
        f"/projects/{values['project']}/calendar.ics",
        f"/workdays/{values['workday']}.ics",
        f"/feeds/{token}.ics",
    ]
    for url in urls:
        lang = "" if url.startswith("/feeds/") else f"?lang={language}"
        response = client.get(url + lang)
        assert response.status_code == 200, url
        pieces, whole = ics_text(response.get_data(as_text=True))
        assert pieces, url
        assert catalog.leaks(pieces, whole) == set(), url


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_message_speaks_english(app, language):
    build_world(language=language)
    catalog = english(language)
    messages = db.session.scalars(select(Notification)).all()
    kinds = {m.kind for m in messages}
    assert len(kinds) >= 8, kinds
    for message in messages:
        pieces = [message.subject, *message.body_text.splitlines()]
        found = catalog.leaks(pieces, message.body_text)
        if message.body_html:
            html_pieces, html_whole = html_text(message.body_html)
            found |= catalog.leaks(html_pieces, html_whole)
        assert found == set(), (message.kind, found)
