"""The API's shapes (marshmallow): what each operation takes and answers. The
OpenAPI description is generated from these, so they are the contract."""

from marshmallow import EXCLUDE, Schema, fields, validate

ZONE = "The IANA time zone the times are given in (the garden's)."


class Strict(Schema):
    class Meta:
        ordered = True


class Query(Schema):
    """Query parameters: unknown ones (a cache buster) are ignored."""

    class Meta:
        unknown = EXCLUDE


class PageArgs(Query):
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=1000),
        metadata={"example": 1},
    )
    per_page = fields.Integer(
        load_default=20,
        validate=validate.Range(min=1, max=100),
        metadata={"example": 20},
    )


class WorkdayArgs(PageArgs):
    garden = fields.String(
        validate=validate.Length(max=80), metadata={"description": "A garden's slug."}
    )
    project = fields.String(
        validate=validate.Length(max=80), metadata={"description": "A project's slug."}
    )


class Page(Strict):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    next = fields.String(
        required=True, allow_none=True, metadata={"description": "The next page's URL."}
    )
    prev = fields.String(required=True, allow_none=True)


class GardenOut(Strict):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    address = fields.String(required=True, allow_none=True)
    timezone = fields.String(required=True, metadata={"description": ZONE})
    language = fields.String(required=True)
    url = fields.String(required=True)


class GardenPage(Page):
    items = fields.List(fields.Nested(GardenOut), required=True)


class ProjectOut(Strict):
    slug = fields.String(required=True)
    name = fields.String(
        required=True, metadata={"description": "The project's public name."}
    )
    garden = fields.String(required=True, allow_none=True)
    timezone = fields.String(required=True)
    colour = fields.String(required=True)
    url = fields.String(required=True)


class ProjectPage(Page):
    items = fields.List(fields.Nested(ProjectOut), required=True)


class ShiftOut(Strict):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    capacity = fields.Integer(required=True)
    spots_open = fields.Integer(required=True)
    waiting = fields.Integer(required=True)


class WorkdayOut(Strict):
    id = fields.Integer(required=True)
    title = fields.String(
        required=True,
        metadata={
            "description": "The public title (members and coordinators with a "
            "token see the project's own)."
        },
    )
    status = fields.String(required=True, metadata={"enum": ["scheduled", "cancelled"]})
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    timezone = fields.String(required=True, metadata={"description": ZONE})
    place = fields.String(required=True, allow_none=True)
    project = fields.String(required=True)
    garden = fields.String(required=True, allow_none=True)
    capacity = fields.Integer(required=True)
    spots_open = fields.Integer(required=True)
    shifts = fields.List(fields.Nested(ShiftOut), required=True)
    url = fields.String(required=True)


class WorkdayPage(Page):
    items = fields.List(fields.Nested(WorkdayOut), required=True)


class MeOut(Strict):
    name = fields.String(required=True)
    scopes = fields.List(fields.String(), required=True)
    token_expires_at = fields.DateTime(required=True)


class MySignupOut(Strict):
    id = fields.Integer(required=True)
    status = fields.String(
        required=True,
        metadata={"enum": ["confirmed", "offered", "waitlisted", "cancelled"]},
    )
    waitlist_position = fields.Integer(required=True, allow_none=True)
    offer_expires_at = fields.DateTime(required=True, allow_none=True)
    shift = fields.Nested(ShiftOut, required=True)
    workday = fields.Integer(required=True)
    workday_title = fields.String(required=True)
    timezone = fields.String(required=True)


class MySignupPage(Page):
    items = fields.List(fields.Nested(MySignupOut), required=True)


class MyTaskOut(Strict):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    project = fields.String(required=True)
    due_on = fields.Date(required=True, allow_none=True)
    done = fields.Boolean(required=True)
    url = fields.String(required=True)


class MyTaskPage(Page):
    items = fields.List(fields.Nested(MyTaskOut), required=True)


class RosterEntryOut(Strict):
    signup = fields.Integer(required=True)
    shift = fields.Integer(required=True)
    name = fields.String(
        required=True,
        metadata={"description": "As the privacy rules let a coordinator see it."},
    )
    status = fields.String(required=True)
    checked_in = fields.Boolean(required=True)
    hours = fields.Float(required=True, allow_none=True)


class RosterOut(Strict):
    workday = fields.Nested(WorkdayOut, required=True)
    people = fields.List(fields.Nested(RosterEntryOut), required=True)


class ErrorBody(Strict):
    code = fields.String(required=True)
    message = fields.String(required=True)
    problems = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        required=True,
        data_key="fields",
        metadata={"description": "Per field, what is wrong with it."},
    )


class ErrorOut(Strict):
    error = fields.Nested(ErrorBody, required=True)
