"""Every form's length limit fits the database column it is stored in."""

import pytest
from wtforms import SelectField
from wtforms.validators import Length

from gardenhub.accounts.forms import ProfileForm, RegistrationForm
from gardenhub.accounts.models import User
from gardenhub.feeds.forms import FeedTokenForm
from gardenhub.feeds.models import FeedToken
from gardenhub.gardens.forms import GardenForm
from gardenhub.gardens.models import Garden
from gardenhub.hours.forms import LogHoursForm
from gardenhub.hours.models import HoursEntry
from gardenhub.plots.forms import PlotForm, PlotRequestForm
from gardenhub.plots.models import Plot, PlotRequest
from gardenhub.projects.forms import ProjectForm
from gardenhub.projects.models import Project
from gardenhub.tasks.forms import DoneForm, TaskForm
from gardenhub.tasks.models import Task
from gardenhub.workdays.forms import (
    AddGuestForm,
    CancelWorkdayForm,
    ShiftForm,
    WorkdayForm,
)
from gardenhub.workdays.models import Shift, Workday

# form, model, {form field: column} where the names differ
STORED = [
    (RegistrationForm, User, {}),
    (ProfileForm, User, {}),
    (AddGuestForm, User, {"name": "display_name"}),
    (GardenForm, Garden, {}),
    (PlotForm, Plot, {}),
    (PlotRequestForm, PlotRequest, {}),
    (ProjectForm, Project, {}),
    (WorkdayForm, Workday, {}),
    (CancelWorkdayForm, Workday, {"reason": "cancel_reason"}),
    (ShiftForm, Shift, {}),
    (TaskForm, Task, {}),
    (DoneForm, Task, {"note": "done_note"}),
    (LogHoursForm, HoursEntry, {}),
    (FeedTokenForm, FeedToken, {}),
]


def length_limit(unbound) -> int | None:
    for validator in unbound.kwargs.get("validators", []):
        if isinstance(validator, Length) and validator.max >= 0:
            return validator.max
    return None


@pytest.mark.parametrize(
    ("form", "model", "renamed"), STORED, ids=[f[0].__name__ for f in STORED]
)
def test_form_lengths_fit_their_columns(form, model, renamed):
    columns = model.__table__.columns
    checked = 0
    for name in dir(form):
        unbound = getattr(form, name)
        if not hasattr(unbound, "field_class") or issubclass(
            unbound.field_class, SelectField
        ):
            continue  # a choice from a fixed list is bounded by the list
        column = columns.get(renamed.get(name, name))
        length = getattr(getattr(column, "type", None), "length", None)
        if length is None:
            continue
        limit = length_limit(unbound)
        assert limit is not None, f"{form.__name__}.{name} has no length limit"
        assert limit <= length, f"{form.__name__}.{name}: {limit} > {length}"
        checked += 1
    assert checked, form.__name__
