"""URL converters: ids in URLs fit the database's integer columns.

Werkzeug's `int` accepts any number of digits; an id past 2^31 then reaches
PostgreSQL as "integer out of range" (or SQLite as an overflow). Such a URL
names nothing, so it is a 404 like any other unknown id.
"""

from flask import Flask
from werkzeug.routing import IntegerConverter

from gardenhub.formfields import MAX_INT


class IdConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_INT)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
