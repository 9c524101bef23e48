"""Message preferences, and the admin's outbox."""

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from gardenhub.csrf import token_checked_by_form
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.i18n import _
from gardenhub.notifications import delivery, services, sms
from gardenhub.notifications.forms import QuietHoursForm
from gardenhub.notifications.models import (
    CHANNEL_LABELS,
    STATUS_LABELS,
    Notification,
    OutboxStatus,
)
from gardenhub.notifications.services import KINDS, is_muted
from gardenhub.outcomes import committed, status
from gardenhub.roles import admin_required

bp = Blueprint("notifications", __name__)


@bp.route("/profile/notifications", methods=["GET", "POST"])
@login_required
@token_checked_by_form
def preferences():
    form = QuietHoursForm(obj=current_user)
    if form.validate_on_submit():
        with committed(form, success=_("Your message choices are saved.")) as saved:
            services.set_preferences(
                current_user,
                receive=set(request.form.getlist("receive")),
                quiet_start=form.quiet_start.data,
                quiet_end=form.quiet_end.data,
                texts=(
                    set(request.form.getlist("text")) if current_user.texts_on else None
                ),
            )
        if saved:
            return redirect(url_for("notifications.preferences"))
    muted = {kind for kind in KINDS if is_muted(current_user, kind)}
    return render_template(
        "notifications/preferences.html",
        form=form,
        kinds=KINDS,
        muted=muted,
        textable=services.text_choices() if current_user.texts_on else [],
        texted=services.text_kinds(current_user),
    ), status(form)


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
        status_labels=STATUS_LABELS,
        channel_labels=CHANNEL_LABELS,
        smtp=delivery.smtp_configured(),
        sms_backend=current_app.config.get("SMS_BACKEND") if sms.configured() else None,
    )


@bp.get("/admin/outbox/<int:message_id>")
@admin_required
def message(message_id: int):
    return render_template(
        "notifications/message.html",
        message=db.get_or_404(Notification, message_id),
        status_labels=STATUS_LABELS,
        channel_labels=CHANNEL_LABELS,
        kinds=KINDS,
    )


@bp.post("/admin/outbox/<int:message_id>/retry")
@admin_required
def retry(message_id: int):
    row = db.get_or_404(Notification, message_id)
    with committed(success=_("The message is queued again.")):
        delivery.retry(row, now=utcnow())
    return redirect(url_for("notifications.outbox"))
