"""GardenHub: shifts, plots and calendar feeds for community gardens."""

from flask import Flask

from gardenhub import (
    cli,
    config,
    converters,
    errors,
    extensions,
    formfields,
    i18n,
    security,
    timezones,
)
from gardenhub.feeds.polls import FeedPolls


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.from_object(config.Defaults)
    app.config.from_prefixed_env("GARDENHUB")
    if test_config:
        app.config.update(test_config)
    config.finalize(app)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.add_template_global(formfields.error_summary)
    app.add_template_global(config.base_url)
    app.add_template_global(config.absolute_url)
    extensions.init_app(app)
    i18n.init_app(app)
    timezones.init_app(app)
    converters.init_app(app)
    register_blueprints(app)
    # Inside the proxy fix (security), so it sees the client's address.
    app.wsgi_app = app.extensions["feed_polls"] = FeedPolls(
        app.wsgi_app, seconds=app.config["FEED_RECHECK_SECONDS"]
    )
    security.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    return app


def register_blueprints(app: Flask) -> None:
    from gardenhub.accounts.language_views import bp as language_bp
    from gardenhub.accounts.token_views import bp as tokens_bp
    from gardenhub.accounts.views import bp as accounts_bp
    from gardenhub.api.docs_views import bp as api_docs_bp
    from gardenhub.api.embed_views import bp as embed_bp
    from gardenhub.api.views import init_app as init_api
    from gardenhub.community.together_views import bp as together_bp
    from gardenhub.community.views import bp as community_bp
    from gardenhub.feeds.views import bp as feeds_bp
    from gardenhub.gardens.views import bp as gardens_bp
    from gardenhub.guests.views import bp as guests_bp
    from gardenhub.hours.gate_views import bp as gate_bp
    from gardenhub.hours.views import bp as hours_bp
    from gardenhub.me.app_views import bp as app_bp
    from gardenhub.me.views import bp as me_bp
    from gardenhub.notifications.sms_views import bp as sms_bp
    from gardenhub.notifications.views import bp as notifications_bp
    from gardenhub.plots.views import bp as plots_bp
    from gardenhub.projects.views import bp as projects_bp
    from gardenhub.tasks.views import bp as tasks_bp
    from gardenhub.workdays.planning_views import bp as planning_bp
    from gardenhub.workdays.views import bp as workdays_bp

    for blueprint in (
        workdays_bp,
        planning_bp,
        projects_bp,
        gardens_bp,
        accounts_bp,
        feeds_bp,
        tasks_bp,
        plots_bp,
        notifications_bp,
        hours_bp,
        gate_bp,
        me_bp,
        app_bp,
        community_bp,
        together_bp,
        language_bp,
        guests_bp,
        sms_bp,
        embed_bp,
        tokens_bp,
        api_docs_bp,
    ):
        app.register_blueprint(blueprint)
    init_api(app)
