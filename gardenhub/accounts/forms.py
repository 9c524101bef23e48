"""Forms for registration, log-in, profile, password and roles."""

from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
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
from gardenhub.i18n import LANGUAGES, _, _l
from gardenhub.notifications.phones import PhoneNumber

PASSWORD_RULE = Length(min=8, max=128, message=_l("Use 8 to 128 characters."))


class RegistrationForm(BaseForm):
    email = EmailField(
        _l("Email"),
        filters=[strip],
        validators=[
            InputRequired(),
            Email(message=_l("Enter a valid email address.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "email"},
    )
    display_name = StringField(
        _l("Name shown in GardenHub"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Tell us what to call you.")),
            Length(max=80),
        ],
        description=_l(
            "Other volunteers see it only if you choose so on your profile."
        ),
        render_kw={"autocomplete": "nickname"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(), PASSWORD_RULE],
        description=_l("At least 8 characters. A few unrelated words make a good one."),
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(BaseForm):
    email = EmailField(
        _l("Email"),
        validators=[InputRequired(), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me logged in on this device"))


class ProfileForm(BaseForm):
    display_name = StringField(
        _l("Name shown in GardenHub"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Your name cannot be empty.")),
            Length(max=80),
        ],
    )
    phone = StringField(
        _l("Phone (optional)"),
        filters=[strip],
        validators=[PhoneNumber(texts_field="texts_on"), Length(max=40)],
        description=_l("Only coordinators of projects you sign up for can see it."),
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    texts_on = BooleanField(
        _l("Send me text messages"),
        description=_l(
            "To the mobile number above: sign-up confirmations, seat offers, "
            "changes, cancellations and reminders. Reply STOP to any text to "
            "stop them."
        ),
    )
    shows_name = BooleanField(
        _l("Show my name to fellow volunteers"),
        description=_l(
            "Off: other volunteers see “A volunteer”. Coordinators of your "
            "projects always see your name. The public never does."
        ),
    )
    is_discreet = BooleanField(
        _l("Discreet mode"),
        description=_l(
            "Your private calendar feed says only “Garden shift”: no "
            "project or group names, for a shared phone or a work calendar."
        ),
    )
    feed_shows_waitlist = BooleanField(
        _l("Show waitlisted shifts in my calendar feed (as tentative)"),
    )
    language = SelectField(
        _l("Language"),
        # The languages keep their own names (what a reader of it looks for).
        choices=[
            SelectChoice("", _l("As my browser asks")),
            *(SelectChoice(code, name) for code, name in LANGUAGES.items()),
        ],
        validators=[Optional()],
        description=_l("For pages, emails and your private calendar feed."),
    )


class PasswordForm(BaseForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[InputRequired(), PASSWORD_RULE],
        render_kw={"autocomplete": "new-password"},
    )


class ForgotPasswordForm(BaseForm):
    email = EmailField(
        _l("Email"),
        filters=[strip],
        validators=[InputRequired(), Email(), Length(max=254)],
    )


class ResetPasswordForm(BaseForm):
    new_password = PasswordField(
        _l("New password"),
        validators=[InputRequired(), PASSWORD_RULE],
        render_kw={"autocomplete": "new-password"},
    )


class RoleForm(BaseForm):
    role = SelectField(
        _l("Role"), choices=[SelectChoice(r.value, r.label) for r in Role]
    )


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False  # a GET filter

    actor = SelectField(_l("Who"), coerce=int, validators=[Optional()])
    action = SelectField(_l("Action"), validators=[Optional()])
    starts_on = DateField(_l("From"), validators=[Optional()])
    ends_on = DateField(_l("Until"), validators=[Optional()])

    def set_choices(self, actors, actions) -> None:
        self.actor.choices = {0: _("Anyone")} | {a.id: a.display_name for a in actors}
        self.action.choices = {"": _("Any action")} | {a: a for a in actions}

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_("The end date is before the start date."))
