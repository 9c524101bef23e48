"""Which language a page speaks: the saved choice, the footer's switch (a
cookie), the browser's Accept-Language, the deployment's default."""

import re

import pytest
from sqlalchemy import select

from gardenhub.accounts.models import User
from gardenhub.extensions import db
from gardenhub.notifications.models import Notification


def page_language(response) -> str:
    match = re.search(r'<html lang="([a-z]+)" dir="(ltr|rtl)">', response.text)
    assert match, "every page names its language"
    return match.group(1)


def test_a_page_without_a_preference_speaks_english(client):
    assert page_language(client.get("/")) == "en"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("es-MX", "es"),
        ("fr-FR,es;q=0.5", "es"),
        ("fr-FR", "en"),
        ("en-US,de;q=0.5", "en"),
    ],
)
def test_the_browser_language_is_followed(client, header, expected):
    response = client.get("/", headers={"Accept-Language": header})
    assert page_language(response) == expected


@pytest.mark.parametrize("app_config", [{"DEFAULT_LANGUAGE": "de"}])
def test_the_deployment_default_answers_when_the_browser_names_none_we_speak(client):
    assert page_language(client.get("/", headers={"Accept-Language": "fr"})) == "de"


def test_the_footer_switch_sets_a_cookie_without_an_account(client):
    page = client.get("/projects")
    assert 'href="/language/es?next=/projects"' in page.text
    assert 'hreflang="de"' in page.text
    assert "Set-Cookie" not in page.headers, "offering the switch sets no cookie"

    response = client.get("/language/es?next=/projects")
    assert response.status_code == 302
    assert response.headers["Location"] == "/projects"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=es;")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Max-Age=31536000" in cookie

    # The switch wins over the browser.
    again = client.get("/projects", headers={"Accept-Language": "de"})
    assert page_language(again) == "es"
    assert '<strong lang="es" aria-current="true">Español</strong>' in again.text


def test_the_switch_refuses_an_unknown_language_and_a_foreign_next(client):
    assert client.get("/language/fr").status_code == 404
    assert client.get("/language/ES").status_code == 404
    response = client.get("/language/de?next=https://evil.example/")
    assert response.headers["Location"] == "/"
    assert page_language(client.get("/")) == "de"


def test_a_saved_choice_follows_the_person_and_wins_over_the_browser(
    client, auth, make_user
):
    user = make_user()
    auth.login(user)
    page = client.get("/projects")
    # Logged in, the switch is a CSRF-protected form: it changes the account.
    assert 'action="/language/de"' in page.text
    assert 'name="next" value="/projects"' in page.text

    response = client.post("/language/de", data={"next": "/projects"})
    assert response.headers["Location"] == "/projects"
    assert db.session.get(User, user.id).language == "de"

    client.delete_cookie("lang")
    assert page_language(client.get("/", headers={"Accept-Language": "es"})) == "de"


def test_the_profile_saves_a_language_and_can_go_back_to_the_browser(
    client, auth, make_user
):
    user = make_user()
    auth.login(user)
    form = {"display_name": user.display_name, "language": "es"}
    assert client.post("/profile", data=form).status_code == 302
    assert db.session.get(User, user.id).language == "es"
    assert page_language(client.get("/profile")) == "es"

    bad = client.post("/profile", data={**form, "language": "klingon"})
    assert bad.status_code == 422
    assert db.session.get(User, user.id).language == "es"

    client.post("/profile", data={**form, "language": ""})
    assert db.session.get(User, user.id).language is None
    assert page_language(client.get("/", headers={"Accept-Language": "de"})) == "de"


def test_wtforms_own_messages_speak_the_page_language(client):
    data = {"email": "a@example.org", "display_name": "x" * 200, "password": "pw"}
    client.set_cookie("lang", "de")
    german = client.post("/register", data={**data, "password": "a long password"})
    assert german.status_code == 422
    assert "Feld kann nicht länger als 80 Zeichen sein." in german.text
    client.set_cookie("lang", "es")
    spanish = client.post("/register", data={**data, "password": "a long password"})
    assert "El campo no puede tener más de 80 caracteres." in spanish.text


def test_registering_in_spanish_keeps_spanish_for_the_emails(client):
    client.set_cookie("lang", "es")
    response = client.post(
        "/register",
        data={
            "email": "nueva@example.org",
            "display_name": "Nueva",
            "password": "a long password",
        },
    )
    assert response.status_code == 302
    person = db.session.scalar(select(User).where(User.email == "nueva@example.org"))
    assert person.language == "es"
    message = db.session.scalar(
        select(Notification).where(Notification.user_id == person.id)
    )
    assert message.subject == "Confirma tu cuenta de GardenHub"
    assert message.body_text.startswith("Hola, Nueva,")
    assert 'lang="es"' in message.body_html


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_a_refused_form_says_why_in_the_page_language(client):
    client.set_cookie("lang", "de")
    response = client.post("/language/es")
    assert response.status_code == 400
    assert "sein Sicherheitscode fehlt" in response.text
    assert "CSRF" not in response.text
