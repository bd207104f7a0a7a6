"""The flask CLI: facilitator accounts and the demo workshop."""

from db import session_scope
from workshops import demo, services


def test_create_facilitator_stores_a_login_that_works(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "create-facilitator",
            "--email",
            "Lena@Example.se",
            "--name",
            "Lena",
            "--password",
            "correct-horse-battery",
        ]
    )
    assert result.exit_code == 0, result.output
    with session_scope(app) as s:
        assert services.authenticate(s, email="lena@example.se", password="correct-horse-battery")


def test_create_facilitator_refuses_a_short_password(app):
    result = app.test_cli_runner().invoke(
        args=["create-facilitator", "--email", "a@b.se", "--name", "A", "--password", "short"]
    )
    assert result.exit_code != 0
    assert "password_too_short" in result.output


def test_load_demo_is_idempotent_and_prints_the_join_code(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["load-demo"])
    second = runner.invoke(args=["load-demo"])
    assert first.exit_code == second.exit_code == 0
    assert first.output == second.output and "join code" in first.output
    with session_scope(app) as s:
        titles = {w["title"]: w for w in services.list_workshops(s)}
        assert titles[demo.DEMO_TITLE]["statements"] == 26
        assert demo.WS2_TITLE in titles and len(titles) == 3
        assert titles[demo.HELD_TITLE]["participants"] == 16
