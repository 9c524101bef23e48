"""Creating and editing gardens (admins only; the view checks the role)."""

from dataclasses import dataclass

from gardenhub import audit, timezones
from gardenhub.errors import GardenHubError
from gardenhub.extensions import db
from gardenhub.gardens.models import Garden
from gardenhub.slugs import unique_slug


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


def _check(data: GardenData) -> None:
    if not timezones.is_valid_zone(data.timezone):
        raise GardenError("Pick a time zone from the list.", field="timezone")
    if (data.latitude is None) != (data.longitude is None):
        raise GardenError(
            "Give both latitude and longitude, or neither.", field="longitude"
        )


def create_garden(data: GardenData, *, actor) -> Garden:
    _check(data)
    garden = Garden(slug=unique_slug(Garden, data.name), **vars(data))
    db.session.add(garden)
    audit.record(actor, "garden.create", garden)
    return garden


def update_garden(garden: Garden, data: GardenData, *, actor) -> None:
    _check(data)
    for key, value in vars(data).items():
        setattr(garden, key, value)
    audit.record(actor, "garden.update", garden)
