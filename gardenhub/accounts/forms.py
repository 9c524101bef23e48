"""Forms for registration, log-in, profile, password and roles."""

from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from gardenhub.accounts.models import Role
from gardenhub.formfields import BaseForm, DateField, strip
from gardenhub.i18n import LANGUAGES

PASSWORD_RULE = Length(min=8, max=128, message="Use 8 to 128 characters.")


class RegistrationForm(BaseForm):
    email = EmailField(
        "Email",
        filters=[strip],
        validators=[
            InputRequired(),
            Email(message="Enter a valid email address."),
            Length(max=254),
        ],
        render_kw={"autocomplete": "email"},
    )
    display_name = StringField(
        "Name shown in GardenHub",
        filters=[strip],
        validators=[DataRequired(message="Tell us what to call you."), Length(max=80)],
        description="Other volunteers see it only if you choose so on your profile.",
        render_kw={"autocomplete": "nickname"},
    )
    password = PasswordField(
        "Password",
        validators=[InputRequired(), PASSWORD_RULE],
        description="At least 8 characters. A few unrelated words make a good one.",
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(BaseForm):
    email = EmailField(
        "Email",
        validators=[InputRequired(), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        "Password",
        validators=[InputRequired(), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Keep me logged in on this device")


class ProfileForm(BaseForm):
    display_name = StringField(
        "Name shown in GardenHub",
        filters=[strip],
        validators=[DataRequired(message="Your name cannot be empty."), Length(max=80)],
    )
    phone = StringField(
        "Phone (optional)",
        filters=[strip],
        validators=[Optional(), Length(max=40)],
        description="Only coordinators of projects you sign up for can see it.",
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    shows_name = BooleanField(
        "Show my name to fellow volunteers",
        description="Off: other volunteers see “A volunteer”. Coordinators of your "
        "projects always see your name. The public never does.",
    )
    is_discreet = BooleanField(
        "Discreet mode",
        description="Your private calendar feed says only “Garden shift”: no "
        "project or group names, for a shared phone or a work calendar.",
    )
    feed_shows_waitlist = BooleanField(
        "Show waitlisted shifts in my calendar feed (as tentative)",
    )
    language = SelectField(
        "Language",
        choices={"": "As my browser asks", **LANGUAGES},
        validators=[Optional()],
        description="For pages, emails and your private calendar feed.",
    )


class PasswordForm(BaseForm):
    current_password = PasswordField(
        "Current password",
        validators=[InputRequired(), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        "New password",
        validators=[InputRequired(), PASSWORD_RULE],
        render_kw={"autocomplete": "new-password"},
    )


class ForgotPasswordForm(BaseForm):
    email = EmailField(
        "Email", filters=[strip], validators=[InputRequired(), Email(), Length(max=254)]
    )


class ResetPasswordForm(BaseForm):
    new_password = PasswordField(
        "New password",
        validators=[InputRequired(), PASSWORD_RULE],
        render_kw={"autocomplete": "new-password"},
    )


class RoleForm(BaseForm):
    role = SelectField("Role", choices={r.value: r.value.title() for r in Role})


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False  # a GET filter

    actor = SelectField("Who", coerce=int, validators=[Optional()])
    action = SelectField("Action", validators=[Optional()])
    starts_on = DateField("From", validators=[Optional()])
    ends_on = DateField("Until", validators=[Optional()])

    def set_choices(self, actors, actions) -> None:
        self.actor.choices = {0: "Anyone"} | {a.id: a.display_name for a in actors}
        self.action.choices = {"": "Any action"} | {a: a for a in actions}

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError("The end date is before the start date.")
