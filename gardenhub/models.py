"""Every model in one place, so migrations, the shell and tests see them all."""

from gardenhub.accounts.api_tokens import ApiToken
from gardenhub.accounts.models import Role, User
from gardenhub.audit import AuditEvent
from gardenhub.community.models import Goal, Partnership, SharedMilestone, Thanks
from gardenhub.feeds.models import FeedToken
from gardenhub.gardens.models import Garden, garden_coordinator
from gardenhub.guests.models import GuestPass
from gardenhub.hours.models import GateAction, HoursEntry, HoursLetter
from gardenhub.notifications.models import Notification
from gardenhub.plots.models import Plot, PlotAssignment, PlotOffer, PlotRequest
from gardenhub.projects.models import Invite, Membership, Project, project_coordinator
from gardenhub.tasks.models import Task, TaskAssignment
from gardenhub.workdays.models import (
    SeriesShift,
    Shift,
    Signup,
    Workday,
    WorkdaySeries,
)

__all__ = [
    "ApiToken",
    "AuditEvent",
    "FeedToken",
    "Goal",
    "Invite",
    "Membership",
    "Partnership",
    "SharedMilestone",
    "Thanks",
    "Garden",
    "GateAction",
    "GuestPass",
    "HoursEntry",
    "HoursLetter",
    "Notification",
    "Plot",
    "PlotAssignment",
    "PlotOffer",
    "PlotRequest",
    "Project",
    "Role",
    "SeriesShift",
    "Shift",
    "Signup",
    "Task",
    "TaskAssignment",
    "User",
    "Workday",
    "WorkdaySeries",
    "garden_coordinator",
    "project_coordinator",
]
