"""Profile → API tokens: create, list and revoke personal access tokens."""

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from gardenhub.accounts import api_tokens
from gardenhub.accounts.api_tokens import ApiToken
from gardenhub.csrf import token_checked_by_form
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.formfields import BaseForm, strip
from gardenhub.i18n import _, _l, _ln
from gardenhub.outcomes import committed, status

bp = Blueprint("api_tokens", __name__)


class TokenForm(BaseForm):
    name = StringField(
        _l("Name this token"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Name it after what uses it.")),
            Length(max=60),
        ],
        description=_l(
            "For example “our centre's website” or “my script”, so you know "
            "which to revoke."
        ),
    )
    signup = BooleanField(_l("It may also sign me up, cancel and take offered seats"))
    coordinate = BooleanField(
        _l("It may also see my projects' rosters and check people in")
    )
    days = SelectField(
        _l("Works for"),
        coerce=int,
        choices=[
            SelectChoice(days, _ln("%(num)d day", "%(num)d days", days))
            for days in api_tokens.LIFETIMES
        ],
        default=90,
    )


@bp.route("/profile/tokens", methods=["GET", "POST"])
@login_required
@token_checked_by_form
def tokens():
    form = TokenForm()
    if not current_user.is_coordinator:
        del form.coordinate
    now = utcnow()
    created = None
    if form.validate_on_submit():
        scopes = ["read"]
        if form.signup.data:
            scopes.append("signup")
        if "coordinate" in form and form.coordinate.data:
            scopes.append("coordinate")
        with committed(form) as made:
            row, secret = api_tokens.create(
                current_user,
                name=form.name.data,
                scopes=scopes,
                days=form.days.data,
                now=now,
            )
        if made:
            # Shown once, on this answer (not a redirect): only the hash is kept.
            created = (row, secret)
            form = TokenForm(formdata=None)
            if not current_user.is_coordinator:
                del form.coordinate
    rows = db.session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == current_user.id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
    ).all()
    return render_template(
        "accounts/tokens.html",
        form=form,
        tokens=rows,
        created=created,
        now=now,
        scopes=api_tokens.SCOPES,
    ), (201 if created else status(form))


@bp.post("/profile/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    row = db.get_or_404(ApiToken, token_id)
    if not row.can_manage(current_user):
        abort(404)
    with committed(
        success=_(
            "The token “%(name)s” is revoked: it stops working at once.",
            name=row.name,
        )
    ):
        api_tokens.revoke(row, actor=current_user, now=utcnow())
    return redirect(url_for("api_tokens.tokens"))
