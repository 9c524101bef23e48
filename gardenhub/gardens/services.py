"""Creating and editing gardens (admins only; the view checks the role)."""

from dataclasses import dataclass

from gardenhub import audit, timezones
from gardenhub.accounts import services as accounts
from gardenhub.errors import GardenHubError
from gardenhub.gardens.models import Garden
from gardenhub.i18n import _, known
from gardenhub.slugs import add_with_unique_slug


class GardenError(GardenHubError):
    pass


@dataclass
class GardenData:
    name: str
    timezone: str
    address: str | None = None
    description: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    map_width: int = 24
    map_height: int = 16
    language: str = "en"


def _check(data: GardenData) -> None:
    if not timezones.is_valid_zone(data.timezone):
        raise GardenError(_("Pick a time zone from the list."), field="timezone")
    if known(data.language) != data.language:
        raise GardenError(_("Pick a language from the list."), field="language")
    if (data.latitude is None) != (data.longitude is None):
        raise GardenError(
            _("Give both latitude and longitude, or neither."), field="longitude"
        )


def create_garden(data: GardenData, *, actor) -> Garden:
    _check(data)
    garden = Garden(**vars(data))
    add_with_unique_slug(garden, data.name)
    audit.record(actor, "garden.create", garden)
    return garden


def update_garden(garden: Garden, data: GardenData, *, actor) -> None:
    _check(data)
    for key, value in vars(data).items():
        setattr(garden, key, value)
    audit.record(actor, "garden.update", garden)


def set_coordinators(garden: Garden, user_ids: list[int], *, actor) -> None:
    """Raises AccountError when someone chosen does not hold the coordinator role."""
    user_ids = list(user_ids or [])
    garden.coordinators = accounts.chosen_coordinators(user_ids)
    audit.record(
        actor, "garden.coordinators", garden, ",".join(str(i) for i in sorted(user_ids))
    )


def set_season(garden: Garden, name: str | None, starts_on, ends_on, *, actor) -> None:
    """The season plots are handed out for (offers and assignments default to it)."""
    if (starts_on is None) != (ends_on is None):
        raise GardenError(_("Give both dates, or neither."), field="season_ends_on")
    if starts_on and ends_on < starts_on:
        raise GardenError(
            _("The season must end after it starts."), field="season_ends_on"
        )
    garden.season_name = name or (str(starts_on.year) if starts_on else None)
    garden.season_starts_on, garden.season_ends_on = starts_on, ends_on
    audit.record(actor, "garden.season", garden, garden.season_name)
