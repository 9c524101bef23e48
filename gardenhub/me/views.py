"""My page gathers every domain's view of the person (a top-layer package)."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from gardenhub.db import utcnow
from gardenhub.gardens import queries as garden_queries
from gardenhub.hours import queries as hours_queries
from gardenhub.tasks import queries as task_queries
from gardenhub.workdays import queries as workday_queries

bp = Blueprint("me", __name__)


@bp.get("/me")
@login_required
def page():
    now = utcnow()
    upcoming = workday_queries.my_signups(current_user, now=now, upcoming=True)
    return render_template(
        "me/page.html",
        upcoming=upcoming[:5],
        more_shifts=len(upcoming) > 5,
        positions=workday_queries.waitlist_positions(upcoming[:5]),
        tasks=task_queries.my_assignments(current_user, done=False)[:5],
        plots=garden_queries.my_assignments(current_user, now.date()),
        hours=hours_queries.counted_hours(current_user),
    )
