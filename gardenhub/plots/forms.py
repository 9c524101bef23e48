"""Forms for plots, blocks of plots, assignments, plot requests and renewals."""

from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from gardenhub.formfields import (
    BaseForm,
    DateField,
    DecimalField,
    FloatField,
    IntegerField,
    strip,
)
from gardenhub.i18n import _l
from gardenhub.plots.models import PlotKind
from gardenhub.plots.services import BlockData, PlotData


def cents(amount) -> int | None:
    return None if amount is None else int(amount * 100)


def fee_field() -> DecimalField:
    return DecimalField(
        _l("Seasonal fee (optional)"),
        places=2,
        validators=[
            Optional(),
            NumberRange(min=0, max=100000, message=_l("The fee cannot be negative.")),
        ],
    )


def kind_choices() -> dict[str, str]:
    """Read when a form is built, so the labels speak the request's language."""
    return {k.value: k.label for k in PlotKind}


def size_unit_field() -> SelectField:
    return SelectField(_l("Unit"), choices={"m²": "m²", "sq ft": "sq ft"})


class PlotForm(BaseForm):
    label = StringField(
        _l("Label"),
        filters=[strip],
        validators=[DataRequired(), Length(max=20)],
        description=_l("For example A3."),
    )
    kind = SelectField(_l("Kind"), choices=kind_choices)
    size = FloatField(
        _l("Size"),
        validators=[
            InputRequired(),
            NumberRange(
                min=0.01, max=100000, message=_l("The size must be more than 0.")
            ),
        ],
    )
    size_unit = size_unit_field()
    x = IntegerField(
        _l("Column on the map"), validators=[InputRequired(), NumberRange(0, 199)]
    )
    y = IntegerField(
        _l("Row on the map"), validators=[InputRequired(), NumberRange(0, 199)]
    )
    width = IntegerField(
        _l("Width (map units)"),
        default=1,
        validators=[InputRequired(), NumberRange(1, 200)],
    )
    height = IntegerField(
        _l("Height (map units)"),
        default=1,
        validators=[InputRequired(), NumberRange(1, 200)],
    )
    fee = fee_field()
    notes = StringField(
        _l("Notes"), filters=[strip], validators=[Optional(), Length(max=500)]
    )

    def to_data(self) -> PlotData:
        return PlotData(
            label=self.label.data,
            size=self.size.data,
            size_unit=self.size_unit.data,
            kind=self.kind.data,
            x=self.x.data,
            y=self.y.data,
            width=self.width.data,
            height=self.height.data,
            notes=self.notes.data or None,
            fee_cents=cents(self.fee.data),
        )


class BlockForm(BaseForm):
    rows = StringField(
        _l("Rows"),
        filters=[strip],
        default="A-D",
        validators=[DataRequired(), Length(max=5)],
        description=_l("One letter, or a range like A-D."),
    )
    first = IntegerField(
        _l("First number"), default=1, validators=[InputRequired(), NumberRange(1, 99)]
    )
    last = IntegerField(
        _l("Last number"), default=10, validators=[InputRequired(), NumberRange(1, 99)]
    )
    kind = SelectField(_l("Kind"), choices=kind_choices)
    size = FloatField(
        _l("Size of each"),
        validators=[
            InputRequired(),
            NumberRange(
                min=0.01, max=100000, message=_l("The size must be more than 0.")
            ),
        ],
    )
    size_unit = size_unit_field()
    x = IntegerField(
        _l("Left edge (column)"),
        default=0,
        validators=[InputRequired(), NumberRange(0, 199)],
    )
    y = IntegerField(
        _l("Top edge (row)"),
        default=0,
        validators=[InputRequired(), NumberRange(0, 199)],
    )
    width = IntegerField(
        _l("Plot width"), default=2, validators=[InputRequired(), NumberRange(1, 50)]
    )
    height = IntegerField(
        _l("Plot height"), default=2, validators=[InputRequired(), NumberRange(1, 50)]
    )
    gap = IntegerField(
        _l("Path between plots"),
        default=1,
        validators=[InputRequired(), NumberRange(0, 10)],
    )
    fee = fee_field()

    def to_data(self) -> BlockData:
        return BlockData(
            rows=self.rows.data,
            first=self.first.data,
            last=self.last.data,
            size=self.size.data,
            size_unit=self.size_unit.data,
            kind=self.kind.data,
            x=self.x.data,
            y=self.y.data,
            width=self.width.data,
            height=self.height.data,
            gap=self.gap.data,
            fee_cents=cents(self.fee.data),
        )


class AssignPlotForm(BaseForm):
    email = EmailField(
        _l("Gardener's email"),
        filters=[strip],
        validators=[DataRequired(), Email(), Length(max=254)],
    )
    season_name = StringField(
        _l("Season"), filters=[strip], validators=[DataRequired(), Length(max=40)]
    )
    starts_on = DateField(_l("From"), validators=[InputRequired()])
    ends_on = DateField(_l("Until"), validators=[InputRequired()])


class PlotRequestForm(BaseForm):
    min_size = FloatField(
        _l("Smallest size that would do (optional)"),
        validators=[
            Optional(),
            NumberRange(
                min=0.01, max=100000, message=_l("The size must be more than 0.")
            ),
        ],
    )
    needs_accessible = BooleanField(
        _l("I need an accessible (raised, wheelchair-height) bed")
    )
    notes = StringField(
        _l("Anything the coordinators should know (optional)"),
        filters=[strip],
        validators=[Optional(), Length(max=500)],
    )


class RenewalForm(BaseForm):
    season_name = StringField(
        _l("Next season"), filters=[strip], validators=[DataRequired(), Length(max=40)]
    )
    starts_on = DateField(_l("Starts"), validators=[InputRequired()])
    ends_on = DateField(_l("Ends"), validators=[InputRequired()])
    deadline = DateField(_l("Renew by"), validators=[InputRequired()])
