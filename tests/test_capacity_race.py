"""Capacity is a promise: 50 concurrent sign-ups for the last 3 seats.

Runs on SQLite in `make test` and on PostgreSQL in `.ci/run` (where the lock is
SELECT … FOR UPDATE). Each thread has its own app context, session and
connection, and commits for real, as concurrent requests would.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from gardenhub.accounts.models import User
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.workdays import signups
from gardenhub.workdays.models import Shift, Signup, SignupStatus

RACERS = 50


def test_fifty_threads_racing_for_three_seats_never_overbook(
    app, make_user, make_workday, make_signup
):
    shift = make_workday(capacities=(10,)).shifts[0]
    for _ in range(7):
        make_signup(shift)
    racer_ids = [make_user().id for _ in range(RACERS)]
    shift_id = shift.id
    db.session.commit()
    start = threading.Barrier(RACERS)

    def race(user_id: int) -> str:
        # Wait before touching the database: on SQLite the first query of a
        # transaction already takes the write lock.
        start.wait(timeout=60)
        with app.app_context():
            person = db.session.get(User, user_id)
            target = db.session.get(Shift, shift_id)
            signup = signups.sign_up(target, person, now=utcnow())
            db.session.commit()
            return signup.status

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        results = list(pool.map(race, racer_ids))

    assert results.count(SignupStatus.confirmed) == 3
    assert results.count(SignupStatus.waitlisted) == RACERS - 3
    db.session.expire_all()
    confirmed = db.session.scalar(
        select(func.count(Signup.id)).where(
            Signup.shift_id == shift_id, Signup.status == SignupStatus.confirmed
        )
    )
    assert confirmed == 10
