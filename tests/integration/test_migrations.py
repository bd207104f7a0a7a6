"""The Alembic migrations build exactly the schema the models describe (SQLite; PostgreSQL too
when BRYGGA_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from db import MIGRATIONS, Base, upgrade_schema


# Alembic cannot reflect SQLite's expression indexes (the active-placement index); it says so.
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression")
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_upgrading_an_empty_database_gives_the_models_schema(db_app):
    engine = db_app.extensions["db.engine"]
    Base.metadata.drop_all(engine)  # db_app made the tables from the models; start empty
    upgrade_schema(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
    assert "alembic_version" in inspect(engine).get_table_names()


def test_upgrading_twice_changes_nothing(db_app):
    engine = db_app.extensions["db.engine"]
    Base.metadata.drop_all(engine)
    upgrade_schema(engine)
    upgrade_schema(engine)
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() is not None


def test_upgrading_a_filled_database_keeps_every_row(tmp_path):
    """Migration 0002 copies the workshops table on SQLite: the copy must not cascade."""
    from sqlalchemy import text

    from db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade_schema(engine, "0001")
    with engine.begin() as connection:
        connection.execute(
            text(
                "insert into workshops (id, title, target_group, join_code,"
                " everyone_may_answer, kind, journey_open, created_at)"
                " values (1, 'Gammal', 'children', 'ABC234', 0, 'ws1', 0, '2026-01-01')"
            )
        )
        connection.execute(
            text(
                "insert into organisations (id, workshop_id, name, principal)"
                " values (1, 1, 'Habilitering', 'region')"
            )
        )
    upgrade_schema(engine)
    with engine.connect() as connection:
        assert connection.execute(text("select count(*) from organisations")).scalar() == 1
        assert connection.execute(text("select anonymity_threshold from workshops")).scalar() == 3
        assert connection.execute(text("pragma foreign_keys")).scalar() == 1
    engine.dispose()


# A workshop with one organisation and one closed statement, in the columns every revision has
ONE_STATEMENT = (
    "insert into workshops (id, title, target_group, join_code, everyone_may_answer, kind,"
    " journey_open, created_at) values (1, 'W', 'children', 'ABC234', 0, 'ws1', 0, '2026-01-01')",
    "insert into organisations (id, workshop_id, name, principal) values (1, 1, 'BUP', 'region')",
    "insert into statements (id, workshop_id, organisation_id, topic, perspective, text,"
    " position, hidden, state, revealed) values (1, 1, 1, 'mandate', 'own', 'S', 1, 0,"
    " 'closed', 0)",
)


def test_presence_is_kept_for_all_but_those_who_only_answered_the_survey(tmp_path):
    """Migration 0004: before it everyone who joined counted as in the room; afterwards those
    who answered the survey and never voted live do not."""
    from sqlalchemy import text

    from db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade_schema(engine, "0003")
    rows = list(ONE_STATEMENT)
    # 1 voted live, 2 answered the survey and voted, 3 only the survey, 4 neither (an old
    # phone that joined and left: counted before, so still counted)
    for pid in (1, 2, 3, 4):
        rows.append(
            "insert into participants (id, workshop_id, organisation_id, token_hash, joined_at)"
            f" values ({pid}, 1, 1, 'hash{pid}', '2026-01-0{pid}')"
        )
    for pid in (1, 2):
        rows.append(
            "insert into votes (statement_id, participant_id, choice, ballot_id, updated_at)"
            f" values (1, {pid}, 'yes', 'ballot-{pid}', '2026-01-05')"
        )
    for pid in (2, 3):
        rows.append(
            "insert into survey_answers (statement_id, participant_id, choice, updated_at)"
            f" values (1, {pid}, 'no', '2026-01-05')"
        )
    with engine.begin() as connection:
        for row in rows:
            connection.execute(text(row))
    upgrade_schema(engine)
    with engine.connect() as connection:
        present = connection.execute(
            text("select id, present_at from participants order by id")
        ).all()
    assert [(pid, str(at)[:10] if at else None) for pid, at in present] == [
        (1, "2026-01-01"),
        (2, "2026-01-02"),
        (3, None),
        (4, "2026-01-04"),
    ]
    with engine.connect() as connection:  # 0005: who attended is in the room until a roll call
        here = connection.execute(text("select id, here_at from participants order by id")).all()
    assert here == present
    engine.dispose()


def test_downgrading_presence_keeps_every_vote(tmp_path):
    """0004's downgrade drops one column in place: with SQLite's foreign keys on (as the alembic
    command runs it), rebuilding the participants table would cascade to their votes."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'down.sqlite3'}")
    upgrade_schema(engine)
    with engine.begin() as connection:
        for row in (
            *ONE_STATEMENT,
            "insert into participants (id, workshop_id, organisation_id, token_hash, joined_at,"
            " present_at) values (1, 1, 1, 'hash1', '2026-01-01', '2026-01-01')",
            "insert into votes (statement_id, participant_id, choice, ballot_id, updated_at)"
            " values (1, 1, 'yes', 'ballot-1', '2026-01-05')",
        ):
            connection.execute(text(row))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as connection:
        assert connection.execute(text("pragma foreign_keys")).scalar() == 1
        connection.rollback()
        with connection.begin():
            config.attributes["connection"] = connection
            command.downgrade(config, "0003")
    with engine.connect() as connection:
        columns = {row[1] for row in connection.execute(text("pragma table_info(participants)"))}
        assert "present_at" not in columns
        assert connection.execute(text("select count(*) from votes")).scalar() == 1
        assert connection.execute(text("select count(*) from participants")).scalar() == 1
    engine.dispose()


def test_widening_the_handoff_mode_keeps_every_handoff_and_the_active_index(tmp_path):
    """0007: handoffs.mode holds 120 characters. SQLite copies the table to change the type;
    the handoff, its partial unique index and its foreign keys come through."""
    from sqlalchemy import text

    from db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'modes.sqlite3'}")
    upgrade_schema(engine, "0006")
    role = (
        "insert into workshop_roles (id, workshop_id, code, name_sv, name_en, does_sv, does_en,"
        " examples_sv, examples_en, tier, professional, coordinating, included, position)"
        " values ({id}, 1, '{id}', 'R', 'R', '', '', '', '', 'primary', 1, 0, 1, {id})"
    )
    with engine.begin() as connection:
        for row in (
            ONE_STATEMENT[0],
            "insert into journey_stages (id, workshop_id, label, position) values (1, 1, 'A', 1)",
            "insert into journey_stages (id, workshop_id, label, position) values (2, 1, 'B', 2)",
            "insert into journey_transitions (id, workshop_id, source_id, target_id, kind)"
            " values (1, 1, 1, 2, 'forward')",
            role.format(id=3),
            role.format(id=4),
            "insert into handoffs (id, workshop_id, transition_id, from_role_id, to_role_id, mode,"
            " acknowledged, created_at) values (1, 1, 1, 3, 4, 'remiss', 0, '2026-01-01')",
        ):
            connection.execute(text(row))
    upgrade_schema(engine)
    with engine.connect() as connection:
        columns = {r[1]: r[2] for r in connection.execute(text("pragma table_info(handoffs)"))}
        assert columns["mode"] == "VARCHAR(120)"
        assert connection.execute(text("select mode from handoffs")).scalar() == "remiss"
        index = connection.execute(
            text("select sql from sqlite_master where name = 'uq_handoffs_active'")
        ).scalar()
        assert index is not None and "WHERE removed_at IS NULL" in index
        assert connection.execute(text("pragma foreign_key_check")).all() == []
    engine.dispose()
