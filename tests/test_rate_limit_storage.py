"""When the rate limiter's storage (Redis) is down, log-in still works.

Run in a process of its own, as a server would be: Flask-Limiter remembers
for the whole process that its storage died.
"""

import subprocess
import sys
import textwrap


def test_log_in_fails_open_with_a_warning_when_redis_is_down(tmp_path):
    script = textwrap.dedent(
        f"""
        import logging
        logging.basicConfig(level=logging.WARNING, format="%(name)s %(message)s")
        from gardenhub import create_app
        from gardenhub.accounts import services
        from gardenhub.accounts.models import Role
        from gardenhub.db import utcnow
        from gardenhub.extensions import db

        app = create_app({{
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": "sqlite:///{tmp_path / "db.sqlite"}",
            "BASE_URL": "https://gardenhub.test",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": True,
            # Nothing listens on port 1: every call to the storage fails.
            "RATELIMIT_STORAGE_URL": "redis://127.0.0.1:1/0",
        }})
        with app.app_context():
            db.create_all()
            services.create_account(
                "a@example.org", "A", "long enough", role=Role.volunteer, now=utcnow()
            )
            db.session.commit()
        client = app.test_client()
        login = client.post(
            "/login", data={{"email": "a@example.org", "password": "long enough"}}
        )
        print("login", login.status_code, login.headers.get("Location"))
        print("me", client.get("/me").status_code)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert "login 302 /" in result.stdout, result.stderr
    assert "me 200" in result.stdout
    assert "flask-limiter Rate limit storage unreachable" in result.stderr
