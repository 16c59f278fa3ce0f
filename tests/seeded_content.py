"""The shipped content for the `published` fixture, seeded once per test database.

`services.content_seed` loads and checks the whole shipped content and publishes it: about
0.15 s, and more than half of the tests ask for it. So each test database runs it once
(`copy_seeded_tables`) and keeps a copy of every table the seed changed, rows and ids as
the seed wrote them; each test then has those tables' rows put back from the copies
(`restore_seeded_tables`): a few statements of plain SQL, on SQLite and PostgreSQL alike.

The copies are tables Django does not know, so the flush after a transactional test
leaves them be. The seed's own ids are never handed out again (the tables' sequences
have moved past them), so rows a test adds never collide with them.
`tests/test_seeded_content.py` holds a restored copy equal to a fresh seed.
"""

from dataclasses import dataclass

from django.db import connection, transaction

from quiz import services

COPY_PREFIX = "seeded_copy__"
BEFORE_PREFIX = "before_seed__"


@dataclass(frozen=True)
class SeededTables:
    """The tables the seed changed, each with its columns, and the version it published."""

    columns: dict[str, list[str]]
    version_pk: int


def copy_seeded_tables() -> SeededTables:
    """Seed the content, copy every table that changed, then put those tables back as they
    were (the test database's state after its migrations). Commits: call with the
    database unblocked, outside any test."""
    tables = sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))
    with transaction.atomic(), connection.cursor() as cursor:
        before = {table: _rows(cursor, table) for table in tables}
        for table in tables:
            _copy(cursor, table, BEFORE_PREFIX + table)
        version = services.content_seed()
        if version is None:
            raise AssertionError("the test database already had content before the seed")
        changed = [table for table in tables if _rows(cursor, table) != before[table]]
        columns = {table: _columns(cursor, table) for table in changed}
        for table in changed:
            _copy(cursor, table, COPY_PREFIX + table)
        _replace_rows(cursor, columns, BEFORE_PREFIX)
        for table in tables:
            cursor.execute(f"DROP TABLE {_quote(BEFORE_PREFIX + table)}")
    return SeededTables(columns=columns, version_pk=version.pk)


def restore_seeded_tables(seeded: SeededTables) -> None:
    """The seeded tables' rows replaced by the seed's, in one transaction (a savepoint in a
    test's): their foreign keys are checked when it ends, whatever the order."""
    with transaction.atomic(), connection.cursor() as cursor:
        _replace_rows(cursor, seeded.columns, COPY_PREFIX)


def _replace_rows(cursor, columns: dict[str, list[str]], source_prefix: str) -> None:
    for table in columns:
        cursor.execute(f"DELETE FROM {_quote(table)}")
    for table, names in columns.items():
        listed = ", ".join(_quote(name) for name in names)
        cursor.execute(f"INSERT INTO {_quote(table)} ({listed}) SELECT {listed} FROM {_quote(source_prefix + table)}")


def _copy(cursor, table: str, copy: str) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {_quote(copy)}")
    cursor.execute(f"CREATE TABLE {_quote(copy)} AS SELECT * FROM {_quote(table)}")


def _rows(cursor, table: str) -> list[str]:
    """The table's rows in a comparable form (PostgreSQL hands jsonb back as dicts)."""
    cursor.execute(f"SELECT * FROM {_quote(table)}")
    return sorted(repr(row) for row in cursor.fetchall())


def _columns(cursor, table: str) -> list[str]:
    # By name, not position: a test that migrates back and forth may change the order.
    return [column.name for column in connection.introspection.get_table_description(cursor, table)]


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)
