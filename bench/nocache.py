"""GardenHub with its feed cache emptied before every request, for `make bench`.

The same app as in production, except that the per-process cache of built feed
bytes (gardenhub.feeds.cache) starts empty on every request, so each feed request
pays the whole build: query, events and serialization. Serve it with
    gunicorn -w 2 --pythonpath bench "nocache:create_app()"
"""

from flask import Flask

from gardenhub import create_app as create_gardenhub
from gardenhub.feeds.cache import feeds


def create_app() -> Flask:
    app = create_gardenhub()
    app.before_request(feeds.clear)
    return app
