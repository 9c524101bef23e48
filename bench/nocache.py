"""GardenHub with its feed caches emptied before every request, for `make bench`.

The same app as in production, except that every request starts with the feed
caches empty, so each feed request pays the whole build: query, events and
serialization. "Empty" means `gardenhub.feeds.cache.feeds.clear()` (the built
bytes and whatever else that cache keeps) and, where the app has one, the poll
layer's replayed answers (`app.extensions["feed_polls"]`), which answer before
Flask runs. Both are cleared in a WSGI wrapper around the whole app, so no
layer the app adds in front can answer from memory first. Serve it with
    gunicorn -w 2 --pythonpath bench "nocache:create_app()"
"""

from flask import Flask

from gardenhub import create_app as create_gardenhub
from gardenhub.feeds.cache import feeds


def clear_feed_caches(app: Flask) -> None:
    """Forget every built or replayable feed answer this process holds."""
    feeds.clear()
    app.extensions["feed_polls"].clear()


def create_app() -> Flask:
    app = create_gardenhub()
    inner = app.wsgi_app

    def every_request_builds(environ, start_response):
        clear_feed_caches(app)
        return inner(environ, start_response)

    app.wsgi_app = every_request_builds
    return app
