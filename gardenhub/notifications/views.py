"""Message preferences, and the admin's outbox."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from gardenhub.csrf import form_view
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.notifications import delivery
from gardenhub.notifications.forms import QuietHoursForm
from gardenhub.notifications.models import Notification, OutboxStatus
from gardenhub.notifications.services import KINDS
from gardenhub.roles import admin_required

bp = Blueprint("notifications", __name__)


@bp.route("/profile/notifications", methods=["GET", "POST"])
@login_required
@form_view
def preferences():
    form = QuietHoursForm(obj=current_user)
    if form.validate_on_submit():
        chosen = set(request.form.getlist("receive"))
        current_user.muted_notifications = ",".join(
            sorted(
                kind
                for kind, info in KINDS.items()
                if info.can_mute and kind not in chosen
            )
        )
        current_user.quiet_start = form.quiet_start.data
        current_user.quiet_end = form.quiet_end.data
        db.session.commit()
        flash("Your message choices are saved.", "success")
        return redirect(url_for("notifications.preferences"))
    muted = set((current_user.muted_notifications or "").split(","))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "notifications/preferences.html", form=form, kinds=KINDS, muted=muted
    ), status


@bp.get("/admin/outbox")
@admin_required
def outbox():
    status = request.args.get("status") or None
    query = select(Notification).order_by(Notification.id.desc())
    if status in set(OutboxStatus):
        query = query.where(Notification.status == status)
    else:
        status = None
    return render_template(
        "notifications/outbox.html",
        messages=db.paginate(query, per_page=50, max_per_page=50, error_out=False),
        status=status,
        smtp=delivery.smtp_configured(),
    )


@bp.get("/admin/outbox/<int:message_id>")
@admin_required
def message(message_id: int):
    return render_template(
        "notifications/message.html", message=db.get_or_404(Notification, message_id)
    )


@bp.post("/admin/outbox/<int:message_id>/retry")
@admin_required
def retry(message_id: int):
    row = db.get_or_404(Notification, message_id)
    if row.status == OutboxStatus.failed:
        delivery.retry(row, now=utcnow())
        db.session.commit()
        flash("The message is queued again.", "success")
    return redirect(url_for("notifications.outbox"))
