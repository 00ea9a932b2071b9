"""`pathway-review init` on an empty database, twice, on SQLite and (when configured) PostgreSQL."""
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select

from pathway_review import create_app
from pathway_review.db import Base, alembic_config, current_heads, schema_problem
from pathway_review.models import Board, User
from tests.conftest import SAMPLE_PATHWAYS, TODAY


@pytest.fixture
def empty_app(tmp_path, database_url):
    # No make_app: it would migrate the database before the test could.
    app = create_app({"TESTING": True, "INSTANCE_PATH": tmp_path / "instance", "DATABASE_URL": database_url,
                      "PATHWAYS_DIR": str(SAMPLE_PATHWAYS), "TODAY": TODAY, "SECRET_KEY": "test-secret"})
    yield app
    app.extensions["pathway_review.db"].engine.dispose()


def engine(app):
    return app.extensions["pathway_review.db"].engine


def test_init_creates_every_table_and_seeds_the_boards(empty_app):
    before = schema_problem(empty_app)  # SQLite: no file yet; PostgreSQL: an empty schema
    assert before.startswith("there is no database yet") or before == "the database has no tables yet"
    result = empty_app.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert "Database ready" in result.output and "14 boards added" in result.output

    inspector = inspect(engine(empty_app))
    tables = set(inspector.get_table_names())
    # Every table a model declares (the core's and every loaded plugin's) with every column.
    for name, table in Base.metadata.tables.items():
        assert name in tables, f"table {name} has a model but no migration creates it"
        columns = {c["name"] for c in inspector.get_columns(name)}
        assert {c.name for c in table.columns} <= columns, f"{name} lacks columns its model declares"
    with empty_app.extensions["pathway_review.db"].sessions() as session:
        slugs = set(session.scalars(select(Board.slug)))
    assert len(slugs) == 14 and {"lothian", "fife", "western-isles"} <= slugs
    assert schema_problem(empty_app) is None


def test_init_reaches_every_head(empty_app):
    empty_app.test_cli_runner().invoke(args=["init"])
    script = ScriptDirectory.from_config(alembic_config(empty_app))
    applied = {rev.revision for rev in script.iterate_revisions(tuple(current_heads(empty_app)), "base")}
    # Plugins' branches depend on the core's, so the core's revision is applied but not a head of its own.
    assert applied == {rev.revision for rev in script.walk_revisions()}
    assert "core_0001" in applied


def test_init_twice_is_harmless(empty_app):
    runner = empty_app.test_cli_runner()
    assert runner.invoke(args=["init"]).exit_code == 0
    created = runner.invoke(args=["users", "create", "gp@borders.example", "--name", "Dr Borders", "--role", "gp",
                                  "--board", "borders"], input="a long enough password\n")
    assert created.exit_code == 0, created.output
    heads = current_heads(empty_app)

    again = runner.invoke(args=["init"])
    assert again.exit_code == 0, again.output
    assert "0 boards added" in again.output
    assert current_heads(empty_app) == heads
    with empty_app.extensions["pathway_review.db"].sessions() as session:
        assert session.scalar(select(User.name).where(User.email == "gp@borders.example")) == "Dr Borders"
        assert len(session.scalars(select(Board)).all()) == 14


def test_demo_accounts_after_init(empty_app):
    runner = empty_app.test_cli_runner()
    runner.invoke(args=["init"])
    result = runner.invoke(args=["demo", "accounts"])
    assert result.exit_code == 0 and "gp.fife@example.nhs.scot" in result.output
    assert runner.invoke(args=["demo", "accounts"]).exit_code == 0  # again: nothing duplicated
