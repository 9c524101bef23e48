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
from gardenhub.plots.models import PlotKind
from gardenhub.plots.services import BlockData, PlotData


def cents(amount) -> int | None:
    return None if amount is None else int(amount * 100)


def fee_field() -> DecimalField:
    return DecimalField(
        "Seasonal fee (optional)",
        places=2,
        validators=[
            Optional(),
            NumberRange(min=0, max=100000, message="The fee cannot be negative."),
        ],
    )


def size_unit_field() -> SelectField:
    return SelectField("Unit", choices={"m²": "m²", "sq ft": "sq ft"})


class PlotForm(BaseForm):
    label = StringField(
        "Label",
        filters=[strip],
        validators=[DataRequired(), Length(max=20)],
        description="For example A3.",
    )
    kind = SelectField("Kind", choices={k.value: k.label for k in PlotKind})
    size = FloatField(
        "Size",
        validators=[
            InputRequired(),
            NumberRange(min=0.01, max=100000, message="The size must be more than 0."),
        ],
    )
    size_unit = size_unit_field()
    x = IntegerField(
        "Column on the map", validators=[InputRequired(), NumberRange(0, 199)]
    )
    y = IntegerField(
        "Row on the map", validators=[InputRequired(), NumberRange(0, 199)]
    )
    width = IntegerField(
        "Width (map units)",
        default=1,
        validators=[InputRequired(), NumberRange(1, 200)],
    )
    height = IntegerField(
        "Height (map units)",
        default=1,
        validators=[InputRequired(), NumberRange(1, 200)],
    )
    fee = fee_field()
    notes = StringField(
        "Notes", filters=[strip], validators=[Optional(), Length(max=500)]
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
        "Rows",
        filters=[strip],
        default="A-D",
        validators=[DataRequired(), Length(max=5)],
        description="One letter, or a range like A-D.",
    )
    first = IntegerField(
        "First number", default=1, validators=[InputRequired(), NumberRange(1, 99)]
    )
    last = IntegerField(
        "Last number", default=10, validators=[InputRequired(), NumberRange(1, 99)]
    )
    kind = SelectField("Kind", choices={k.value: k.label for k in PlotKind})
    size = FloatField(
        "Size of each",
        validators=[
            InputRequired(),
            NumberRange(min=0.01, max=100000, message="The size must be more than 0."),
        ],
    )
    size_unit = size_unit_field()
    x = IntegerField(
        "Left edge (column)",
        default=0,
        validators=[InputRequired(), NumberRange(0, 199)],
    )
    y = IntegerField(
        "Top edge (row)", default=0, validators=[InputRequired(), NumberRange(0, 199)]
    )
    width = IntegerField(
        "Plot width", default=2, validators=[InputRequired(), NumberRange(1, 50)]
    )
    height = IntegerField(
        "Plot height", default=2, validators=[InputRequired(), NumberRange(1, 50)]
    )
    gap = IntegerField(
        "Path between plots",
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
        "Gardener's email",
        filters=[strip],
        validators=[DataRequired(), Email(), Length(max=254)],
    )
    season_name = StringField(
        "Season", filters=[strip], validators=[DataRequired(), Length(max=40)]
    )
    starts_on = DateField("From", validators=[InputRequired()])
    ends_on = DateField("Until", validators=[InputRequired()])


class PlotRequestForm(BaseForm):
    min_size = FloatField(
        "Smallest size that would do (optional)",
        validators=[
            Optional(),
            NumberRange(min=0.01, max=100000, message="The size must be more than 0."),
        ],
    )
    needs_accessible = BooleanField(
        "I need an accessible (raised, wheelchair-height) bed"
    )
    notes = StringField(
        "Anything the coordinators should know (optional)",
        filters=[strip],
        validators=[Optional(), Length(max=500)],
    )


class RenewalForm(BaseForm):
    season_name = StringField(
        "Next season", filters=[strip], validators=[DataRequired(), Length(max=40)]
    )
    starts_on = DateField("Starts", validators=[InputRequired()])
    ends_on = DateField("Ends", validators=[InputRequired()])
    deadline = DateField("Renew by", validators=[InputRequired()])
