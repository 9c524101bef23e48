"""Log-in, registration, profile and the admin's user list."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from gardenhub import audit, i18n, security
from gardenhub.accounts import privacy, services
from gardenhub.accounts.forms import (
    AuditFilterForm,
    ForgotPasswordForm,
    LoginForm,
    PasswordForm,
    ProfileForm,
    RegistrationForm,
    ResetPasswordForm,
    RoleForm,
)
from gardenhub.accounts.models import Role, User
from gardenhub.audit import AuditEvent
from gardenhub.csrf import token_checked_by_form
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.i18n import _
from gardenhub.notifications import phones
from gardenhub.outcomes import committed, status
from gardenhub.roles import admin_required

bp = Blueprint("accounts", __name__)


# The privacy helper for every template: names and contact data of other
# people only ever reach a page through these.
@bp.app_template_global("visible_name")
def visible_name_for_current_user(person, context=None) -> str:
    return privacy.visible_name(current_user, person, context)


@bp.app_template_global("shows_identity")
def can_see_identity_for_current_user(person, context=None) -> bool:
    return privacy.can_see_identity(current_user, person, context)


@bp.app_template_global("can_see_contact")
def can_see_contact_for_current_user(person, context=None) -> bool:
    return privacy.can_see_contact(current_user, person, context)


@bp.app_template_filter("role_label")
def role_label(role: str) -> str:
    """A stored role ("coordinator") as people read it mid-sentence, in their
    language."""
    labels = {
        Role.volunteer: _("volunteer"),
        Role.coordinator: _("coordinator"),
        Role.admin: _("admin"),
    }
    return labels.get(role, role)


def _role_given(name: str, role: Role) -> str:
    """The answer to an admin who gave `name` the role `role`."""
    if role == Role.admin:
        return _("%(name)s is now admin.", name=name)
    if role == Role.coordinator:
        return _("%(name)s is now coordinator.", name=name)
    return _("%(name)s is now volunteer.", name=name)


@bp.app_template_global()
def safe_path(target: str | None) -> str | None:
    """`target` if it is a same-site relative path, else None (https://x, //x,
    \\x): the only kind of `next` a page may carry or follow."""
    if target and len(target) <= 500:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith(("//", "/\\"))
        ):
            return target
    return None


def safe_next(target: str | None) -> str:
    """Where to go after logging in or registering: a safe `next`, or home."""
    return safe_path(target) or url_for("workdays.home")


# What survives log-in: a code scanned at the gate just before (it says where
# this browser is, not who uses it), so the volunteer can log in and check in.
CARRIED_OVER = ("gate_pass",)


def _start_session(user: User, remember: bool = False) -> None:
    kept = {key: session[key] for key in CARRIED_OVER if key in session}
    session.clear()  # a fresh session: nothing else carried over from before log-in
    session.update(kept)
    login_user(user, remember=remember)
    security.start_session(remember)


@bp.route("/register", methods=["GET", "POST"])
@token_checked_by_form
@security.limit_registration
def register():
    """The same answer for a new and a known address (see services.register)."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = RegistrationForm()
    if form.validate_on_submit():
        with committed(form) as done:
            services.register(
                form.email.data,
                form.display_name.data,
                form.password.data,
                now=utcnow(),
                next_url=safe_path(request.args.get("next")),
                language=i18n.language(),
            )
        if done:
            return redirect(url_for("accounts.check_email"))
    return render_template("accounts/register.html", form=form), status(form)


@bp.get("/register/check-email")
def check_email():
    return render_template("accounts/check_email.html")


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """The link from the email opens a page with one button; only the button (a
    POST, which mail scanners never send) confirms and logs in."""
    found = services.confirmation_for(token)
    if found is None:
        return render_template("accounts/confirm_invalid.html"), 400
    user, next_url = found
    if request.method == "POST":
        with committed():
            services.confirm_email(user, now=utcnow())
        _start_session(user)  # a fresh session: the welcome comes after it
        flash(_("Welcome to GardenHub! Your account is ready."), "success")
        return redirect(safe_next(next_url))
    return render_template("accounts/confirm.html", user=user)


@bp.route("/login", methods=["GET", "POST"])
@token_checked_by_form
@security.limit_login
def login():
    next_url = safe_path(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(safe_next(next_url))
    form = LoginForm()
    if form.validate_on_submit():
        # Its own answer: never an error, and a failed log-in says nothing more.
        outcome = services.authenticate(
            form.email.data, form.password.data, next_url=next_url
        )
        db.session.commit()
        if outcome.user is not None:
            _start_session(outcome.user, remember=form.remember.data)
            flash(
                _("Welcome back, %(name)s.", name=outcome.user.display_name),
                "success",
            )
            return redirect(safe_next(next_url))
        if outcome.awaits_confirmation:
            flash(
                _(
                    "Please confirm your email address first: we have sent you "
                    "the link again. It works for a week."
                ),
                "info",
            )
            return redirect(url_for("accounts.check_email"))
        form.password.errors.append(_("Email or password is not right."))
    return render_template("accounts/login.html", form=form), status(form)


@bp.post("/logout")
@login_required
def logout():
    with committed():
        services.log_out(current_user)
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    response = redirect(url_for("workdays.home"))
    # The browser forgets what the app kept on this device: pages saved for
    # use without signal and anything queued (the phone warned first).
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/profile", methods=["GET", "POST"])
@login_required
@token_checked_by_form
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        with committed(form, success=_("Your profile is saved.")) as saved:
            services.update_profile(
                current_user,
                display_name=form.display_name.data,
                phone=form.phone.data,
                shows_name=form.shows_name.data,
                is_discreet=form.is_discreet.data,
                feed_shows_waitlist=form.feed_shows_waitlist.data,
                language=form.language.data,
                texts_on=form.texts_on.data,
                now=utcnow(),
            )
        if saved:
            return redirect(url_for("accounts.profile"))
    elif not form.is_submitted():
        form.phone.data = phones.national(current_user.phone)
    return render_template(
        "accounts/profile.html", form=form, password_form=PasswordForm(formdata=None)
    ), status(form)


@bp.route("/profile/password", methods=["GET", "POST"])
@login_required
@token_checked_by_form
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        with committed(form) as saved:
            services.change_password(
                current_user, form.current_password.data, form.new_password.data
            )
        if saved:
            # The token rotated: log this session in again so only the others end.
            _start_session(current_user._get_current_object())
            flash(
                _("Your password is changed. Other devices are logged out."),
                "success",
            )
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/password.html", form=form), status(form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@token_checked_by_form
@security.limit_reset
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        with committed(form) as sent:
            services.request_password_reset(form.email.data, now=utcnow())
        if sent:
            flash(
                _(
                    "If an account uses that email, a reset link is on its way. "
                    "It works for one hour."
                ),
                "info",
            )
            return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot.html", form=form), status(form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@token_checked_by_form
def reset_password(token: str):
    user = services.user_for_reset(token)
    if user is None:
        return render_template("accounts/reset_invalid.html"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        done = _("Your password is changed. Please log in.")
        with committed(form, success=done) as ok:
            services.reset_password(user, form.new_password.data, now=utcnow())
        if ok:
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form), status(form)


PER_PAGE = 50


@bp.get("/admin/users")
@admin_required
def users():
    people = db.paginate(
        select(User)
        .where(User.is_guest.is_(False))
        .order_by(User.display_name, User.id),
        per_page=PER_PAGE,
        max_per_page=PER_PAGE,
        error_out=False,
    )
    return render_template("accounts/users.html", people=people, roles=list(Role))


@bp.post("/admin/users/<int:user_id>/role")
@admin_required
def set_role(user_id: int):
    user = db.get_or_404(User, user_id)
    form = RoleForm()
    if not form.validate_on_submit():  # the page only offers the roles
        abort(400, _("Choose one of the listed roles."))
    role = Role(form.role.data)
    with committed(success=_role_given(user.display_name, role)):
        services.set_role(user, role, actor=current_user)
    return redirect(url_for("accounts.users"))


@bp.post("/admin/users/<int:user_id>/active")
@admin_required
def set_active(user_id: int):
    user = db.get_or_404(User, user_id)
    active = request.form.get("active") == "1"
    if active:
        done = _("%(name)s is enabled.", name=user.display_name)
    else:
        done = _("%(name)s is disabled.", name=user.display_name)
    with committed(success=done):
        services.set_active(user, active, actor=current_user)
    return redirect(url_for("accounts.users"))


@bp.get("/admin/audit")
@admin_required
def audit_trail():
    """Who did what, about what, when: filtered and a page at a time."""
    form = AuditFilterForm(request.args)
    actors = db.session.scalars(
        select(User)
        .where(User.id.in_(select(AuditEvent.actor_id).distinct()))
        .order_by(User.display_name)
    ).all()
    form.set_choices(actors, audit.actions())
    valid = form.validate()
    query = audit.events(
        actor_id=form.actor.data if valid else None,
        action=form.action.data if valid else None,
        since=form.starts_on.data if valid else None,
        until=form.ends_on.data if valid else None,
        zone=current_app.config["DEFAULT_TIMEZONE"],
    )
    events = db.paginate(
        query, per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False
    )
    return render_template(
        "accounts/audit.html",
        form=form,
        events=events,
        about=audit.describe(current_user, events.items),
        filters={k: v for k, v in request.args.items() if k != "page"},
    ), (200 if valid or not request.args else 422)


@audit.describes("user")
def _describe_users(viewer, ids: list[int]) -> dict:
    return {
        person.id: (privacy.visible_name(viewer, person), None)
        for person in db.session.scalars(select(User).where(User.id.in_(ids)))
    }
