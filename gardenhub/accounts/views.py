"""Log-in, registration, profile and the admin's user list."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from gardenhub import security
from gardenhub.accounts import services
from gardenhub.accounts.forms import (
    ForgotPasswordForm,
    LoginForm,
    PasswordForm,
    ProfileForm,
    RegistrationForm,
    ResetPasswordForm,
    RoleForm,
)
from gardenhub.accounts.models import Role, User
from gardenhub.accounts.permissions import admin_required
from gardenhub.audit import AuditEvent
from gardenhub.csrf import form_view
from gardenhub.db import utcnow
from gardenhub.extensions import db

bp = Blueprint("accounts", __name__)


def safe_next(target: str | None) -> str:
    """Only same-site relative paths; anything else (https://x, //x, \\x) goes home."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith(("//", "/\\"))
        ):
            return target
    return url_for("workdays.home")


def _start_session(user: User, remember: bool = False) -> None:
    session.clear()  # a fresh session: nothing carried over from before log-in
    login_user(user, remember=remember)
    security.start_session(remember)


@bp.route("/register", methods=["GET", "POST"])
@form_view
@security.limit_registration
def register():
    if current_user.is_authenticated:
        return redirect(url_for("workdays.home"))
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            user = services.register(
                form.email.data, form.display_name.data, form.password.data
            )
        except services.AccountError as error:
            form[error.field].errors.append(error.message)
        else:
            db.session.commit()
            _start_session(user)
            flash("Welcome to GardenHub! Your account is ready.", "success")
            return redirect(safe_next(request.args.get("next")))
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@form_view
@security.limit_login
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            db.session.commit()
            _start_session(user, remember=form.remember.data)
            flash(f"Welcome back, {user.display_name}.", "success")
            return redirect(safe_next(request.args.get("next")))
        form.password.errors.append("Email or password is not right.")
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    services.log_out(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("workdays.home"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
@form_view
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        services.update_profile(
            current_user,
            display_name=form.display_name.data,
            phone=form.phone.data,
            shows_name=form.shows_name.data,
            is_discreet=form.is_discreet.data,
            feed_shows_waitlist=form.feed_shows_waitlist.data,
        )
        db.session.commit()
        flash("Your profile is saved.", "success")
        return redirect(url_for("accounts.profile"))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "accounts/profile.html", form=form, password_form=PasswordForm(formdata=None)
    ), status


@bp.route("/profile/password", methods=["GET", "POST"])
@login_required
@form_view
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user, form.current_password.data, form.new_password.data
            )
        except services.AccountError as error:
            form[error.field].errors.append(error.message)
        else:
            db.session.commit()
            # The token rotated: log this session in again so only the others end.
            _start_session(current_user._get_current_object())
            flash("Your password is changed. Other devices are logged out.", "success")
            return redirect(url_for("accounts.profile"))
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/password.html", form=form), status


@bp.route("/password/forgot", methods=["GET", "POST"])
@form_view
@security.limit_reset
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data, now=utcnow())
        db.session.commit()
        flash(
            "If an account uses that email, a reset link is on its way. It works "
            "for one hour.",
            "info",
        )
        return redirect(url_for("accounts.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/forgot.html", form=form), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@form_view
def reset_password(token: str):
    user = services.user_for_reset(token)
    if user is None:
        return render_template("accounts/reset_invalid.html"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(user, form.new_password.data)
        db.session.commit()
        flash("Your password is changed. Please log in.", "success")
        return redirect(url_for("accounts.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/reset.html", form=form), status


@bp.get("/admin/users")
@admin_required
def users():
    people = db.session.scalars(
        select(User).where(User.is_guest.is_(False)).order_by(User.display_name)
    ).all()
    return render_template("accounts/users.html", people=people, roles=list(Role))


@bp.post("/admin/users/<int:user_id>/role")
@admin_required
def set_role(user_id: int):
    user = db.get_or_404(User, user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400, "Choose one of the listed roles.")
    try:
        services.set_role(user, Role(form.role.data), actor=current_user)
    except services.AccountError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(f"{user.display_name} is now {user.role}.", "success")
    return redirect(url_for("accounts.users"))


@bp.post("/admin/users/<int:user_id>/active")
@admin_required
def set_active(user_id: int):
    user = db.get_or_404(User, user_id)
    try:
        services.set_active(user, request.form.get("active") == "1", actor=current_user)
    except services.AccountError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(
            f"{user.display_name} is {'enabled' if user.is_active else 'disabled'}.",
            "success",
        )
    return redirect(url_for("accounts.users"))


@bp.get("/admin/audit")
@admin_required
def audit_trail():
    events = db.session.scalars(
        select(AuditEvent)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.id.desc())
        .limit(300)
    ).all()
    return render_template("accounts/audit.html", events=events)
