"""At the gate: the check-in queue a phone sends when it has signal again, the
rotating code on the coordinator's screen, and the page a scanned code opens."""

from datetime import datetime, timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required

from gardenhub.config import absolute_url
from gardenhub.db import utcnow
from gardenhub.errors import GardenHubError
from gardenhub.extensions import db
from gardenhub.hours import gate, services
from gardenhub.hours.forms import gate_action
from gardenhub.i18n import _, ngettext
from gardenhub.outcomes import committed
from gardenhub.projects import membership
from gardenhub.qr import svg_document
from gardenhub.roles import coordinator_required, manageable
from gardenhub.workdays import signups
from gardenhub.workdays.models import Shift, Workday

bp = Blueprint("gate", __name__)

# How many queued changes one request may carry (a whole workday's gate).
MAX_BATCH = 200
# How long a scanned code keeps this browser's way to check in open: long
# enough to log in first, too short to come back tomorrow.
PASS_MINUTES = 15
NO_STORE = {"Cache-Control": "private, no-store"}


def _refusal(status: int, code: str, message: str) -> tuple[dict, int]:
    return {"error": {"code": code, "message": message}}, status


@bp.post("/workdays/<int:workday_id>/check-in/sync")
def sync(workday_id: int):
    """The phone's queue: a JSON list of changes, each with its own key; the
    answer says, change by change, what happened."""
    if not current_user.is_authenticated:
        return _refusal(
            401,
            "logged_out",
            _("Log in again to send the changes waiting on this phone."),
        )
    workday = db.session.get(Workday, workday_id)
    if workday is None:
        return _refusal(404, "not_found", _("This workday no longer exists."))
    batch = request.get_json(silent=True)
    actions = batch.get("actions") if isinstance(batch, dict) else None
    if not workday.can_manage(current_user):
        message = ngettext(
            "You no longer coordinate this workday, so the change waiting on "
            "this phone was not applied.",
            "You no longer coordinate this workday, so the %(num)d changes "
            "waiting on this phone were not applied.",
            len(actions) if isinstance(actions, list) else 1,
        )
        return _refusal(403, "forbidden", message)
    if not isinstance(actions, list) or len(actions) > MAX_BATCH:
        return _refusal(
            400,
            "bad_request",
            _("Send a list of at most %(count)s changes.", count=MAX_BATCH),
        )
    answers = []
    for raw in actions:
        action, problem = gate_action(raw, zone=workday.timezone, now=utcnow())
        if problem is not None:
            answers.append(problem)
            continue
        answers.append(gate.apply(workday, action, actor=current_user, now=utcnow()))
        db.session.commit()  # each change on its own: no lock held across them
    return {"answers": [answer.as_json() for answer in answers]}, 200, NO_STORE


@bp.get("/shifts/<int:shift_id>/code")
@coordinator_required
def code_page(shift_id: int):
    """The coordinator's screen: a code volunteers scan to check themselves in."""
    shift = manageable(db.get_or_404(Shift, shift_id))
    opens, closes = services.check_in_window(shift)
    now = utcnow()
    return (
        render_template(
            "hours/gate_code.html",
            shift=shift,
            is_open=opens <= now <= closes and not shift.workday.is_cancelled,
            opens=opens,
            seconds=current_app.config["GATE_CODE_SECONDS"],
        ),
        200,
        NO_STORE,
    )


@bp.get("/shifts/<int:shift_id>/code.svg")
@coordinator_required
def code_image(shift_id: int):
    shift = manageable(db.get_or_404(Shift, shift_id))
    try:
        code = gate.code_for(shift, utcnow())
    except GardenHubError as error:
        abort(409, error.message)
    link = absolute_url("gate.scanned", code=code)
    # The address the picture encodes, for the coordinator's own tools (and
    # the browser journeys, which cannot point a camera at a screen).
    headers = {**NO_STORE, "GardenHub-Code-Link": link}
    return Response(svg_document(link), mimetype="image/svg+xml", headers=headers)


@bp.get("/c/<code>")
def scanned(code: str):
    """A scanned code: this browser may check in to the shift for a few
    minutes (long enough to log in first); the code itself expires fast."""
    now = utcnow()
    try:
        shift = gate.read_code(code, now)
    except gate.CodeExpired as error:
        return (
            render_template("hours/gate_expired.html", message=error.message),
            410,
            {**NO_STORE, "Referrer-Policy": "no-referrer"},
        )
    session["gate_pass"] = {
        "shift": shift.id,
        "until": (now + timedelta(minutes=PASS_MINUTES)).isoformat(),
    }
    return redirect(url_for("gate.here", shift_id=shift.id))


def _has_pass(shift: Shift, now: datetime) -> bool:
    held = session.get("gate_pass") or {}
    try:
        until = datetime.fromisoformat(held.get("until", ""))
    except (TypeError, ValueError):
        return False
    return held.get("shift") == shift.id and now <= until


@bp.get("/shifts/<int:shift_id>/here")
def here(shift_id: int):
    shift = db.get_or_404(Shift, shift_id)
    now = utcnow()
    signup = (
        signups.active_signup(shift, current_user)
        if current_user.is_authenticated
        else None
    )
    member = membership.belongs(shift.workday.project, current_user)
    return (
        render_template(
            "hours/gate_here.html",
            shift=shift,
            title=shift.workday.title_for(member),
            has_pass=_has_pass(shift, now),
            signup=signup,
            seats_left=max(shift.capacity - signups.seats_taken(shift), 0),
        ),
        200,
        NO_STORE,
    )


@bp.post("/shifts/<int:shift_id>/here")
@login_required
def check_myself_in(shift_id: int):
    shift = db.get_or_404(Shift, shift_id)
    now = utcnow()
    if not _has_pass(shift, now):
        abort(
            403,
            _(
                "Scan the code on the coordinator's screen first: it shows that "
                "you are at the gate."
            ),
        )
    with committed(success=_("You're checked in. Welcome!")):
        gate.self_check_in(shift, current_user, now=now)
    return redirect(url_for("gate.here", shift_id=shift.id))
