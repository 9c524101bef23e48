"""Every route, as every kind of visitor: the server enforces who may do what.

A route missing from MATRIX fails `test_every_route_is_in_the_matrix`, so
nothing can be added unprotected.
"""

import pytest

from tests.world import ROLES, build_world

OK = "ok"  # 2xx, a redirect that is not to log-in, or a 400/422 about the input
LOGIN = "login"  # redirected to log in
DENY = "deny"  # 403 or 404

PUBLIC = dict.fromkeys(ROLES, OK)
LOGGED_IN = {**dict.fromkeys(ROLES, OK), "anonymous": LOGIN}
COORDINATORS = {
    "anonymous": LOGIN,
    "volunteer": DENY,
    "other coordinator": OK,
    "coordinator": OK,
    "admin": OK,
}
MANAGERS = {
    "anonymous": LOGIN,
    "volunteer": DENY,
    "other coordinator": DENY,
    "coordinator": OK,
    "admin": OK,
}
ADMINS = {
    "anonymous": LOGIN,
    "volunteer": DENY,
    "other coordinator": DENY,
    "coordinator": DENY,
    "admin": OK,
}
OWNER = {
    "anonymous": LOGIN,
    "volunteer": OK,
    "other coordinator": DENY,
    "coordinator": DENY,
    "admin": DENY,
}
OWNER_OR_MANAGERS = {**MANAGERS, "volunteer": OK}
# Members of the project (the volunteer), its coordinators and admins; everyone
# else is told it does not exist.
MEMBERS = {**OWNER_OR_MANAGERS, "anonymous": DENY}
# Machines post here (webhooks): without the provider's signature, a 403.
SIGNED = dict.fromkeys(ROLES, DENY)
# The JSON API's own operations take a token, never the session: every
# visitor of the pages gets 401 (a token's scopes: tests/test_api.py).
TOKEN_ONLY = dict.fromkeys(ROLES, LOGIN)
# Self check-in: only for a browser that just scanned the code at the gate.
SCANNED_FIRST = {**dict.fromkeys(ROLES, DENY), "anonymous": LOGIN}

# endpoint: (url with {placeholders}, {method: expectations})
MATRIX = {
    "embed.garden": ("/embed/gardens/{garden}", {"GET": PUBLIC}),
    "embed.project": ("/embed/projects/{project}", {"GET": PUBLIC}),
    "embed.theme": ("/embed/theme.css", {"GET": PUBLIC}),
    "api_tokens.tokens": ("/profile/tokens", {"GET": LOGGED_IN, "POST": LOGGED_IN}),
    "api_tokens.revoke": ("/profile/tokens/{api_token}/revoke", {"POST": OWNER}),
    "api_docs.docs": ("/api/v1/docs", {"GET": PUBLIC}),
    "api-docs.openapi_json": ("/api/v1/openapi.json", {"GET": PUBLIC}),
    "api_public.gardens": ("/api/v1/gardens", {"GET": PUBLIC}),
    "api_public.garden": ("/api/v1/gardens/{garden}", {"GET": PUBLIC}),
    "api_public.projects": ("/api/v1/projects", {"GET": PUBLIC}),
    "api_public.project": ("/api/v1/projects/{project}", {"GET": PUBLIC}),
    "api_public.workdays": ("/api/v1/workdays", {"GET": PUBLIC}),
    "api_public.workday": ("/api/v1/workdays/{guest_workday}", {"GET": PUBLIC}),
    "api_me.me": ("/api/v1/me", {"GET": TOKEN_ONLY}),
    "api_me.my_shifts": ("/api/v1/me/shifts", {"GET": TOKEN_ONLY}),
    "api_me.my_tasks": ("/api/v1/me/tasks", {"GET": TOKEN_ONLY}),
    "api_me.sign_up": ("/api/v1/shifts/{shift}/signup", {"POST": TOKEN_ONLY}),
    "api_me.cancel": ("/api/v1/me/signups/{signup}/cancel", {"POST": TOKEN_ONLY}),
    "api_me.confirm": ("/api/v1/me/signups/{signup}/confirm", {"POST": TOKEN_ONLY}),
    "api_coordinate.managed_workdays": (
        "/api/v1/coordinate/workdays",
        {"GET": TOKEN_ONLY},
    ),
    "api_coordinate.roster": (
        "/api/v1/coordinate/workdays/{workday}/roster",
        {"GET": TOKEN_ONLY},
    ),
    "api_coordinate.check_in": (
        "/api/v1/coordinate/signups/{signup}/check-in",
        {"POST": TOKEN_ONLY},
    ),
    "app.manifest": ("/manifest.webmanifest", {"GET": PUBLIC}),
    "app.service_worker": ("/sw.js", {"GET": PUBLIC}),
    "app.offline": ("/offline", {"GET": PUBLIC}),
    "app.start": ("/start", {"GET": PUBLIC}),
    "gate.sync": ("/workdays/{workday}/check-in/sync", {"POST": MANAGERS}),
    "gate.code_page": ("/shifts/{shift}/code", {"GET": MANAGERS}),
    "gate.code_image": ("/shifts/{shift}/code.svg", {"GET": MANAGERS}),
    "gate.scanned": ("/c/{gate_code}", {"GET": PUBLIC}),
    "gate.here": ("/shifts/{shift}/here", {"GET": PUBLIC}),
    "gate.check_myself_in": ("/shifts/{shift}/here", {"POST": SCANNED_FIRST}),
    "language.switch": ("/language/es", {"GET": PUBLIC, "POST": PUBLIC}),
    # Without an account: the form is for everyone; the link is its own key.
    "guests.sign_up": (
        "/shifts/{guest_shift}/guest",
        {"GET": PUBLIC, "POST": PUBLIC},
    ),
    "guests.sent": ("/shifts/{guest_shift}/guest/sent", {"GET": PUBLIC}),
    "guests.show": ("/g/{guest_link}", {"GET": PUBLIC}),
    "guests.confirm": ("/g/{pending_link}/confirm", {"POST": PUBLIC}),
    "guests.cancel": ("/g/{guest_link}/cancel", {"POST": PUBLIC}),
    "guests.check_in": ("/g/{guest_link}/here", {"POST": PUBLIC}),
    "guests.calendar_file": ("/g/{guest_link}.ics", {"GET": PUBLIC}),
    "community.ask": ("/projects/{project}/ask", {"GET": LOGGED_IN, "POST": LOGGED_IN}),
    "community.decide": ("/memberships/{request}/approve", {"POST": MANAGERS}),
    "community.join": ("/projects/{project}/join", {"POST": LOGGED_IN}),
    "community.join_with_invite": (
        "/join/{invite_secret}",
        {"GET": PUBLIC, "POST": PUBLIC},
    ),
    "community.leave": ("/memberships/{membership}/leave", {"POST": OWNER}),
    "community.members": (
        "/projects/{project}/members",
        {"GET": MANAGERS, "POST": MANAGERS},
    ),
    "community.pause": ("/memberships/{membership}/pause", {"POST": OWNER}),
    "community.pause_account": (
        "/profile/pause",
        {"GET": LOGGED_IN, "POST": LOGGED_IN},
    ),
    "community.remove": ("/memberships/{membership}/remove", {"POST": MANAGERS}),
    "community.resume": ("/memberships/{membership}/resume", {"POST": OWNER}),
    "community.resume_account": ("/profile/resume", {"POST": LOGGED_IN}),
    "community.revoke_invite": ("/invites/{invite}/revoke", {"POST": MANAGERS}),
    "community.welcome": ("/memberships/{membership}/welcome/on", {"POST": OWNER}),
    "community.withdraw": ("/memberships/{own_request}/withdraw", {"POST": OWNER}),
    "accounts.audit_trail": ("/admin/audit", {"GET": ADMINS}),
    "accounts.check_email": ("/register/check-email", {"GET": PUBLIC}),
    "accounts.confirm_email": (
        "/register/confirm/forged",
        {"GET": PUBLIC, "POST": PUBLIC},
    ),
    "accounts.change_password": (
        "/profile/password",
        {"GET": LOGGED_IN, "POST": LOGGED_IN},
    ),
    "accounts.forgot_password": ("/password/forgot", {"GET": PUBLIC, "POST": PUBLIC}),
    "accounts.login": ("/login", {"GET": PUBLIC, "POST": PUBLIC}),
    "accounts.logout": ("/logout", {"POST": LOGGED_IN}),
    "accounts.profile": ("/profile", {"GET": LOGGED_IN, "POST": LOGGED_IN}),
    "accounts.register": ("/register", {"GET": PUBLIC, "POST": PUBLIC}),
    "accounts.reset_password": (
        "/password/reset/forged",
        {"GET": PUBLIC, "POST": PUBLIC},
    ),
    "accounts.set_active": ("/admin/users/{volunteer}/active", {"POST": ADMINS}),
    "accounts.set_role": ("/admin/users/{volunteer}/role", {"POST": ADMINS}),
    "accounts.users": ("/admin/users", {"GET": ADMINS}),
    "feeds.garden": ("/gardens/{garden}/calendar.ics", {"GET": PUBLIC}),
    "feeds.my_calendar": ("/my/calendar", {"GET": LOGGED_IN, "POST": LOGGED_IN}),
    "feeds.private": ("/feeds/{feed_token}.ics", {"GET": PUBLIC}),
    "feeds.project": ("/projects/{project}/calendar.ics", {"GET": PUBLIC}),
    "feeds.public": ("/calendar.ics", {"GET": PUBLIC}),
    "feeds.revoke": ("/my/calendar/{feed_token_id}/revoke", {"POST": OWNER}),
    "feeds.workday": ("/workdays/{workday}.ics", {"GET": PUBLIC}),
    "gardens.edit": ("/gardens/{garden}/edit", {"GET": ADMINS, "POST": ADMINS}),
    "gardens.index": ("/gardens", {"GET": PUBLIC}),
    "gardens.new": ("/gardens/new", {"GET": ADMINS, "POST": ADMINS}),
    "gardens.set_coordinators": ("/gardens/{garden}/coordinators", {"POST": ADMINS}),
    "gardens.set_season": ("/gardens/{garden}/season", {"POST": MANAGERS}),
    "gardens.show": ("/gardens/{garden}", {"GET": PUBLIC}),
    "hours.approvals": ("/coordinate/hours", {"GET": COORDINATORS}),
    "hours.check_in": ("/signups/{signup}/check-in", {"POST": MANAGERS}),
    "hours.check_in_page": ("/workdays/{workday}/check-in", {"GET": MANAGERS}),
    "hours.dashboard": ("/dashboard", {"GET": COORDINATORS}),
    "hours.decide": ("/hours-entries/{entry}/approve", {"POST": MANAGERS}),
    "hours.export_roster": (
        "/exports/workdays/{workday}/roster.csv",
        {"GET": MANAGERS},
    ),
    "hours.exports": ("/exports", {"GET": COORDINATORS}),
    "hours.funder_report": ("/reports/funders", {"GET": COORDINATORS}),
    "hours.funder_report_csv": ("/reports/funders.csv", {"GET": COORDINATORS}),
    "hours.letter": ("/my/hours/letters/{letter}", {"GET": OWNER}),
    "hours.make_letter": ("/my/hours/letter", {"POST": LOGGED_IN}),
    "hours.my_hours": ("/my/hours", {"GET": LOGGED_IN, "POST": LOGGED_IN}),
    "hours.set_hours": ("/signups/{signup}/hours", {"POST": MANAGERS}),
    "hours.undo_check_in": ("/signups/{signup}/undo-check-in", {"POST": MANAGERS}),
    "hours.verify": ("/verify?code={letter}", {"GET": PUBLIC}),
    "hours.walk_in": ("/shifts/{shift}/walk-in", {"POST": MANAGERS}),
    "me.delete": ("/me/delete", {"GET": LOGGED_IN, "POST": LOGGED_IN}),
    "me.download": ("/me/data.json", {"GET": LOGGED_IN}),
    "me.page": ("/me", {"GET": LOGGED_IN}),
    "notifications.message": ("/admin/outbox/{notification}", {"GET": ADMINS}),
    "notifications.outbox": ("/admin/outbox", {"GET": ADMINS}),
    "notifications.preferences": (
        "/profile/notifications",
        {"GET": LOGGED_IN, "POST": LOGGED_IN},
    ),
    "notifications.retry": ("/admin/outbox/{notification}/retry", {"POST": ADMINS}),
    # SMS providers' webhooks: unsigned requests are refused, whoever sends them.
    "sms.twilio_inbound": ("/sms/twilio", {"POST": SIGNED}),
    "sms.gateway_inbound": ("/sms/gateway", {"POST": SIGNED}),
    "planning.add_guest": ("/shifts/{shift}/add-guest", {"POST": MANAGERS}),
    "planning.add_person": ("/shifts/{shift}/add-person", {"POST": MANAGERS}),
    "planning.cancel": (
        "/workdays/{workday}/cancel",
        {"GET": MANAGERS, "POST": MANAGERS},
    ),
    "planning.edit": ("/workdays/{workday}/edit", {"GET": MANAGERS, "POST": MANAGERS}),
    "planning.edit_shift": (
        "/shifts/{shift}/edit",
        {"GET": MANAGERS, "POST": MANAGERS},
    ),
    "planning.message": (
        "/workdays/{workday}/message",
        {"GET": MANAGERS, "POST": MANAGERS},
    ),
    "planning.new_series": (
        "/projects/{project}/series/new",
        {"GET": MANAGERS, "POST": MANAGERS},
    ),
    "planning.new_shift": (
        "/workdays/{workday}/shifts/new",
        {"GET": MANAGERS, "POST": MANAGERS},
    ),
    "planning.new_workday": (
        "/projects/{project}/workdays/new",
        {"GET": MANAGERS, "POST": MANAGERS},
    ),
    "planning.roster": ("/workdays/{workday}/roster", {"GET": MANAGERS}),
    "plots.accept": ("/plot-offers/{offer}/accept", {"POST": OWNER}),
    "plots.assign": ("/plots/{plot}/assign", {"POST": MANAGERS}),
    "plots.block": (
        "/gardens/{garden}/plots/block",
        {"GET": MANAGERS, "POST": MANAGERS},
    ),
    "plots.close_renewals": ("/gardens/{garden}/renewals/close", {"POST": MANAGERS}),
    "plots.decline": ("/plot-offers/{offer}/decline", {"POST": OWNER}),
    "plots.edit": ("/plots/{plot}/edit", {"GET": MANAGERS, "POST": MANAGERS}),
    "plots.end": ("/plot-assignments/{assignment}/end", {"POST": MANAGERS}),
    "plots.fee": ("/plot-assignments/{assignment}/fee", {"POST": MANAGERS}),
    "plots.my_plot": ("/my/plot", {"GET": LOGGED_IN}),
    "plots.new": ("/gardens/{garden}/plots/new", {"GET": MANAGERS, "POST": MANAGERS}),
    "plots.offer": ("/plots/{free_plot}/offer", {"POST": MANAGERS}),
    "plots.renew": ("/plot-assignments/{assignment}/renew", {"POST": OWNER}),
    "plots.renewals": (
        "/gardens/{garden}/renewals",
        {"GET": MANAGERS, "POST": MANAGERS},
    ),
    "plots.request_plot": (
        "/gardens/{garden}/request",
        {"GET": LOGGED_IN, "POST": LOGGED_IN},
    ),
    "plots.set_status": ("/plots/{free_plot}/status", {"POST": MANAGERS}),
    "plots.show": ("/plots/{plot}", {"GET": PUBLIC}),
    "plots.still_interested": (
        "/plot-requests/{plot_request}/still-interested",
        {"POST": OWNER},
    ),
    "plots.waiting": ("/gardens/{garden}/waitlist", {"GET": MANAGERS}),
    "plots.withdraw": ("/plot-requests/{plot_request}/withdraw", {"POST": OWNER}),
    "planning.archive_project": ("/projects/{project}/archive", {"POST": MANAGERS}),
    "projects.edit": ("/projects/{project}/edit", {"GET": MANAGERS, "POST": MANAGERS}),
    "projects.index": ("/projects", {"GET": PUBLIC}),
    "projects.new": ("/projects/new", {"GET": COORDINATORS, "POST": COORDINATORS}),
    "projects.set_coordinators": (
        "/projects/{project}/coordinators",
        {"POST": MANAGERS},
    ),
    "planning.pair_buddy": ("/signups/{signup}/buddy", {"POST": MANAGERS}),
    "projects.show": ("/projects/{project}", {"GET": PUBLIC}),
    "tasks.assign": ("/tasks/{task}/assign", {"POST": MANAGERS}),
    "together.answer_partner": (
        "/partnerships/{partnership}/accept",
        {"POST": OWNER},
    ),
    "together.ask_partner": ("/goals/{goal}/partner", {"POST": OWNER}),
    "together.celebrations_page": (
        "/projects/{project}/celebrations",
        {"GET": MEMBERS},
    ),
    "together.end_goal": ("/goals/{goal}/end", {"POST": OWNER}),
    "together.end_partnership": ("/partnerships/{partnership}/end", {"POST": OWNER}),
    "together.new_goal": ("/me/goals/new", {"GET": LOGGED_IN, "POST": LOGGED_IN}),
    "together.share_milestone": (
        "/projects/{project}/milestones/year-1/share",
        {"POST": {**MEMBERS, "anonymous": LOGIN}},
    ),
    "together.thank": (
        "/workdays/{past_workday}/thanks",
        {"POST": {**MEMBERS, "anonymous": LOGIN}},
    ),
    "tasks.attention": ("/coordinate", {"GET": COORDINATORS}),
    "tasks.board": ("/projects/{project}/tasks", {"GET": PUBLIC}),
    "tasks.cancel": ("/tasks/{task}/cancel", {"POST": MANAGERS}),
    "tasks.claim": ("/tasks/{task}/claim", {"POST": LOGGED_IN}),
    "tasks.done": ("/tasks/{task}/done", {"POST": OWNER_OR_MANAGERS}),
    "tasks.edit": ("/tasks/{task}/edit", {"GET": MANAGERS, "POST": MANAGERS}),
    "tasks.my_tasks": ("/my/tasks", {"GET": LOGGED_IN}),
    "tasks.new": ("/projects/{project}/tasks/new", {"GET": MANAGERS, "POST": MANAGERS}),
    "tasks.release": (
        "/task-assignments/{task_assignment}/release",
        {"POST": OWNER_OR_MANAGERS},
    ),
    "tasks.reopen": ("/tasks/{task}/reopen", {"POST": MANAGERS}),
    "tasks.show": ("/tasks/{task}", {"GET": PUBLIC}),
    "workdays.cancel": ("/signups/{signup}/cancel", {"POST": OWNER_OR_MANAGERS}),
    "workdays.confirm": ("/signups/{signup}/confirm", {"POST": OWNER}),
    "workdays.end_buddy": ("/signups/{signup}/buddy/end", {"POST": OWNER}),
    "workdays.signup_details": ("/signups/{signup}/details", {"POST": OWNER}),
    "workdays.home": ("/", {"GET": PUBLIC}),
    "workdays.month": ("/calendar", {"GET": PUBLIC}),
    "workdays.my_shifts": ("/my/shifts", {"GET": LOGGED_IN}),
    # The link itself is the key to that one offer (it never logs anyone in).
    "workdays.offer_link": ("/offers/{offer_token}", {"GET": PUBLIC, "POST": PUBLIC}),
    "workdays.show": ("/workdays/{workday}", {"GET": PUBLIC}),
    "workdays.sign_up": ("/shifts/{shift}/signup", {"POST": LOGGED_IN}),
}


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    assert endpoints == set(MATRIX)
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static":
            methods = rule.methods - {"HEAD", "OPTIONS"}
            assert methods == set(MATRIX[rule.endpoint][1]), rule.endpoint


@pytest.fixture
def world(app):
    built = build_world()
    return built.people, built.values


def outcome(response) -> str:
    if response.status_code in (403, 404):
        return DENY
    if response.status_code == 302 and "/login" in response.headers["Location"]:
        return LOGIN
    if response.status_code == 401:  # the phone's queue: "log in again", as JSON
        return LOGIN
    assert response.status_code < 500, response.status_code
    assert response.status_code != 405, response.status_code
    return OK


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_route_permissions(app, world, endpoint):
    people, values = world
    url_template, methods = MATRIX[endpoint]
    url = url_template.format(**values)
    for method, expectations in methods.items():
        for role in ROLES:
            client = app.test_client()
            if role != "anonymous":
                with client.session_transaction() as session:
                    session["_user_id"] = people[role].session_token
                    session["_fresh"] = True
            response = client.open(url, method=method)
            assert outcome(response) == expectations[role], (
                method,
                role,
                response.status_code,
            )
