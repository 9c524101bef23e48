"""The embeddable widget: what it lists, what it never shows, its language,
its colours, the headers that let other sites frame it, and the snippet."""

import pytest

from gardenhub.extensions import db
from gardenhub.security import CSP


@pytest.fixture
def garden_with_workdays(
    make_garden, make_project, make_workday, make_signup, make_user
):
    """A garden with one project: an open workday, a full one, a members-only
    one and a cancelled one; people signed up by name."""
    garden = make_garden(name="Lindenhof Garden")
    project = make_project(garden=garden, name="Tuesday Recovery Circle")
    project.public_name = "Tuesday garden group"
    db.session.commit()
    open_day = make_workday(
        project=project,
        days=2,
        capacities=(3, 2),
        title="Circle weeding",
        public_title="Weeding morning",
        location="By the compost",
    )
    full_day = make_workday(
        project=project,
        days=4,
        capacities=(1,),
        title="Circle harvest",
        public_title="Harvest day",
    )
    members_day = make_workday(
        project=project,
        days=3,
        title="Circle check-in",
        public_title="Quiet members' morning",
        visibility="members",
    )
    make_workday(
        project=project,
        days=5,
        public_title="Called-off planting",
        status="cancelled",
    )
    people = ["Ada Lovelace", "Bea Bloom", "Cyril Sprout"]
    for name, shift in zip(
        people,
        [open_day.shifts[0], open_day.shifts[1], full_day.shifts[0]],
        strict=True,
    ):
        make_signup(shift, make_user(name=name))
    return garden, project, open_day, full_day, members_day, people


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_garden_widget_lists_upcoming_public_workdays(client, garden_with_workdays):
    garden, _, open_day, full_day, _, _ = garden_with_workdays
    page = _page(client, f"/embed/gardens/{garden.slug}")
    assert "Next workdays at Lindenhof Garden" in page
    assert "Weeding morning" in page
    assert "Lindenhof Garden, By the compost" in page
    assert "3 spots open" in page  # 3 + 2 seats, two taken
    assert "Harvest day" in page
    assert "Full – join the waitlist" in page
    for workday in (open_day, full_day):
        link = f'href="https://gardenhub.test/workdays/{workday.id}"'
        assert link in page
    assert 'target="_blank" rel="noopener"' in page
    assert page.index("Weeding morning") < page.index("Harvest day")
    # Cancelled ones are not offered for signing up.
    assert "Called-off planting" not in page


def test_project_widget_uses_the_public_name(client, garden_with_workdays):
    _, project, _, _, _, _ = garden_with_workdays
    page = _page(client, f"/embed/projects/{project.slug}")
    assert "Next workdays at Tuesday garden group" in page
    assert "Weeding morning" in page
    assert "Tuesday Recovery Circle" not in page


def test_limit_is_kept_within_one_to_ten(client, garden_with_workdays):
    garden, _, _, _, _, _ = garden_with_workdays
    url = f"/embed/gardens/{garden.slug}"
    assert "Harvest day" not in _page(client, url + "?limit=1")
    at_least_one = _page(client, url + "?limit=0")
    assert "Weeding morning" in at_least_one
    assert "Harvest day" not in at_least_one
    assert "Harvest day" in _page(client, url + "?limit=99")  # at most ten
    assert "Harvest day" in _page(client, url + "?limit=lots")  # the default


@pytest.mark.parametrize("kind", ["gardens", "projects"])
def test_never_names_members_titles_or_members_only_workdays(
    client, garden_with_workdays, kind
):
    garden, project, _, _, _, people = garden_with_workdays
    slug = garden.slug if kind == "gardens" else project.slug
    page = _page(client, f"/embed/{kind}/{slug}")
    for secret in [
        *people,
        "@example.org",
        "Tuesday Recovery Circle",
        "Circle weeding",
        "Circle harvest",
        "Circle check-in",
        "Quiet members' morning",
    ]:
        assert secret not in page, secret


def test_widget_is_the_same_for_members(
    client, auth, garden_with_workdays, make_user, make_member
):
    garden, project, _, _, _, _ = garden_with_workdays
    url = f"/embed/projects/{project.slug}"
    logged_out = _page(client, url)
    member = make_user(name="Mira Member")
    make_member(project, member)
    auth.login(member)
    response = client.get(url)
    page = response.get_data(as_text=True)
    assert page == logged_out
    assert "Quiet members' morning" not in page
    assert "Mira Member" not in page
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")
    assert response.headers["GardenHub-Person"] == ""


def test_project_with_members_only_workdays_has_no_widget(
    client, make_project, make_workday
):
    project = make_project(name="Wednesday Evening Circle")
    project.default_visibility = "members"
    db.session.commit()
    make_workday(project=project, public_title="Evening garden")
    assert client.get(f"/embed/projects/{project.slug}").status_code == 404
    page = _page(client, f"/projects/{project.slug}")
    assert "Show this on your website" not in page
    assert "/embed/projects/" not in page


def test_unknown_slugs_are_not_found(client):
    assert client.get("/embed/gardens/nowhere").status_code == 404
    assert client.get("/embed/projects/nobody").status_code == 404


def test_widget_speaks_the_gardens_language(
    client, make_garden, make_project, make_workday
):
    garden = make_garden()
    garden.language = "de"
    db.session.commit()
    project = make_project(garden=garden)
    make_workday(project=project, capacities=(4,))
    page = _page(client, f"/embed/gardens/{garden.slug}")
    assert '<html lang="de"' in page
    assert "4 Plätze frei" in page
    assert "Eintragen" in page
    # The project's widget too (its garden's language), whatever the browser says.
    response = client.get(
        f"/embed/projects/{project.slug}", headers={"Accept-Language": "es"}
    )
    assert '<html lang="de"' in response.get_data(as_text=True)
    # ?lang= picks another language we speak; an unknown one is ignored.
    english = _page(client, f"/embed/gardens/{garden.slug}?lang=en")
    assert '<html lang="en"' in english
    assert "4 spots open" in english
    assert '<html lang="de"' in _page(client, f"/embed/gardens/{garden.slug}?lang=xx")


def test_colours_are_validated(client, make_garden):
    garden = make_garden()
    page = _page(
        client,
        f"/embed/gardens/{garden.slug}?accent=AA3300&background=red;}}body{{&text=12",
    )
    assert "/embed/theme.css?accent=aa3300" in page
    assert "red;" not in page
    assert "body{" not in page
    assert "style=" not in page

    theme = client.get("/embed/theme.css?accent=aa3300&background=red;}body{&text=12")
    assert theme.status_code == 200
    assert theme.mimetype == "text/css"
    assert theme.headers["Cache-Control"] == "public, max-age=3600"
    css = theme.get_data(as_text=True)
    assert "--embed-accent: #aa3300;" in css
    assert "--embed-background: #ffffff;" in css  # the default
    assert "--embed-text: #1d2520;" in css
    assert "red" not in css and "body" not in css
    assert "#" + "f" * 6 in _css(client, "?background=ffffff")
    assert "#abcdef" not in _css(client, "?accent=%23abcdef")


def _css(client, query: str) -> str:
    return client.get("/embed/theme.css" + query).get_data(as_text=True)


def test_only_the_widget_may_be_framed(client, garden_with_workdays):
    garden, project, _, _, _, _ = garden_with_workdays
    for url in (f"/embed/gardens/{garden.slug}", f"/embed/projects/{project.slug}"):
        response = client.get(url)
        policy = response.headers["Content-Security-Policy"]
        assert policy == CSP.replace("frame-ancestors 'none'", "frame-ancestors *")
        assert "frame-ancestors *" in policy
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "X-Frame-Options" not in response.headers
        assert response.headers["Cache-Control"] == "public, max-age=300"
        assert "Set-Cookie" not in response.headers
        assert "Cookie" not in response.headers.get("Vary", "")
    for url in ("/", f"/gardens/{garden.slug}", f"/projects/{project.slug}"):
        response = client.get(url)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"
    # A widget that is not found is not framed either.
    missing = client.get("/embed/gardens/nowhere")
    assert missing.headers["X-Frame-Options"] == "DENY"


def test_widget_has_no_script_form_or_menu(client, garden_with_workdays):
    garden, _, _, _, _, _ = garden_with_workdays
    page = _page(client, f"/embed/gardens/{garden.slug}")
    assert "<script" not in page
    assert "<form" not in page
    assert "<nav" not in page
    assert "Log in" not in page
    assert "/static/css/embed.css" in page
    assert "http://" not in page  # nothing from elsewhere, no mixed content


def test_snippet_on_the_project_page(client, garden_with_workdays):
    _, project, _, _, _, _ = garden_with_workdays
    page = _page(client, f"/projects/{project.slug}")
    assert "Show this on your website" in page
    assert (
        "&lt;iframe src=&#34;https://gardenhub.test/embed/projects/"
        f"{project.slug}&#34; title=&#34;Next workdays at Tuesday garden group&#34;"
    ) in page
    assert (
        "width=&#34;100%&#34; height=&#34;420&#34; loading=&#34;lazy&#34;\n"
        "style=&#34;border:0&#34;&gt;&lt;/iframe&gt;</textarea>"
    ) in page
    assert (
        f"&lt;a href=&#34;https://gardenhub.test/projects/{project.slug}&#34;&gt;"
        "Next workdays at Tuesday garden group on GardenHub&lt;/a&gt;"
    ) in page
    assert 'data-copy="#embed-iframe"' in page
    assert 'data-copy="#embed-link"' in page
    assert "Tuesday Recovery Circle" not in page


def test_snippet_on_the_garden_page(client, garden_with_workdays):
    garden, _, _, _, _, _ = garden_with_workdays
    page = _page(client, f"/gardens/{garden.slug}")
    assert f"https://gardenhub.test/embed/gardens/{garden.slug}&#34;" in page
    assert "Next workdays at Lindenhof Garden on GardenHub" in page


def test_snippet_escapes_names_once_for_the_copied_html(
    client, make_garden, make_project
):
    project = make_project(garden=make_garden())
    project.public_name = 'Beans & "Greens"'
    db.session.commit()
    page = _page(client, f"/projects/{project.slug}")
    # Copied from the textarea:
    # title="Next workdays at Beans &amp; &#34;Greens&#34;"
    assert (
        "title=&#34;Next workdays at Beans &amp;amp; &amp;#34;Greens&amp;#34;&#34;"
        in page
    )


@pytest.mark.parametrize("kind", ["gardens", "projects"])
def test_query_count_stays_the_same_with_more_workdays(
    client, count_queries, make_project, make_workday, make_signup, kind
):
    project = make_project()
    slug = project.garden.slug if kind == "gardens" else project.slug
    url = f"/embed/{kind}/{slug}?limit=10"
    make_workday(project=project, days=2, capacities=(2, 3))
    with count_queries() as few:
        _page(client, url)
    for days in range(3, 11):
        workday = make_workday(project=project, days=days, capacities=(2, 3))
        make_signup(workday.shifts[0])
    with count_queries() as many:
        page = _page(client, url)
    assert page.count('class="sign-up"') == 9
    assert len(many) == len(few)
