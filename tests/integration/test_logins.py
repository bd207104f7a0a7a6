"""A facilitator's login lives on the server: it holds until logged out or too old."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from workshops import services
from workshops.models import Login

T0 = dt.datetime(2026, 11, 25, 9, 0)


def logins(session) -> int:
    return session.scalar(select(func.count()).select_from(Login)) or 0


def test_a_login_holds_for_its_facilitator_until_logged_out(session, facilitator):
    token = services.start_login(session, facilitator, now=T0)
    other = services.start_login(session, facilitator, now=T0)

    assert services.login_holds(session, facilitator_id=facilitator, token=token, now=T0)
    assert not services.login_holds(session, facilitator_id=facilitator + 1, token=token, now=T0)
    assert not services.login_holds(session, facilitator_id=facilitator, token="made-up", now=T0)

    services.end_login(session, token)
    assert not services.login_holds(session, facilitator_id=facilitator, token=token, now=T0)
    # the same account's login in another browser holds
    assert services.login_holds(session, facilitator_id=facilitator, token=other, now=T0)


def test_the_database_keeps_only_the_token_s_hash(session, facilitator):
    token = services.start_login(session, facilitator, now=T0)
    assert session.scalar(select(Login.token_hash)) != token
    assert token not in session.scalar(select(Login.token_hash))


def test_a_login_ends_at_the_latest_after_its_lifetime_and_is_then_forgotten(session, facilitator):
    token = services.start_login(session, facilitator, now=T0)
    last = T0 + services.LOGIN_LIFETIME
    assert services.login_holds(
        session, facilitator_id=facilitator, token=token, now=last - dt.timedelta(seconds=1)
    )
    assert not services.login_holds(session, facilitator_id=facilitator, token=token, now=last)

    services.start_login(session, facilitator, now=last - dt.timedelta(seconds=1))
    assert logins(session) == 2  # not yet too old
    services.start_login(session, facilitator, now=last)
    assert logins(session) == 2  # the first is gone, the other two are kept
