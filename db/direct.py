"""The statements every update runs, executed straight on the DB-API cursor.

Each webhook event runs the same few statements (bot/pipeline.py: dedupe rows, residents,
positions, reply rows). Through SQLAlchemy's execution layer each one costs about 0.1 ms of
CPU (execution context, cache key, result metadata), more than SQLite takes to run it. Here
they are still written in Core and compiled by the dialect, once per shape; only the
execution is direct. Values pass through the column types' own bind and result processors,
so what is written and read back is what SQLAlchemy itself would write and read
(tests/db/test_direct.py runs each statement both ways and compares), and a DB-API error is
raised as the same `sqlalchemy.exc.DBAPIError` subclass.

A statement covers a fixed number of rows: every bind parameter is named `<key>__<row>`,
and `run` takes the rows as mappings. What this skips: SQLAlchemy's cursor events and echo
logging for these statements, and Python-side column defaults, so `compile` refuses an
INSERT that leaves out a column that has one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, exc
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql.dml import Insert

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True, slots=True)
class DirectStatement:
    sql: str
    slots: tuple[tuple[int, str], ...]  # per positional parameter: (row index, key)
    binds: tuple[Processor, ...]  # per positional parameter
    results: tuple[Processor, ...]  # per returned column; empty if nothing is returned

    @classmethod
    def compile(cls, statement: Any, dialect: Dialect) -> DirectStatement:
        compiled = statement.compile(dialect=dialect)
        names = compiled.positiontup
        if names is None:
            raise ValueError(f"{dialect.name}: a positional paramstyle is needed")
        slots = [_slot(name) for name in names]
        if isinstance(statement, Insert):  # first: a left-out default is compiled as a bind
            _refuse_missing_defaults(statement, given={slot[1] for slot in slots if slot})
        unnamed = [name for name, slot in zip(names, slots) if slot is None]
        if unnamed:
            raise ValueError(f"bind parameters {unnamed} are not named <key>__<row>")
        binds = tuple(compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
                      for name in names)
        # The RETURNING columns of an INSERT (none without RETURNING), a SELECT's columns.
        results = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None)
                        for column in statement.exported_columns)
        return cls(compiled.string, tuple(slot for slot in slots if slot), binds, results)

    def run(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
        """Execute with these rows' values on the connection's DB-API cursor (inside its
        transaction); the returned rows, processed by their column types."""
        values = [value if bind is None else bind(value)
                  for value, bind in zip((rows[row][key] for row, key in self.slots),
                                         self.binds)]
        cursor = None
        try:
            cursor = connection.connection.cursor()
            cursor.execute(self.sql, values)
            fetched = cursor.fetchall() if self.results else ()
        except connection.dialect.loaded_dbapi.Error as error:
            raise _translated(connection, error, self.sql, values) from error
        except BaseException as error:
            if not isinstance(error, Exception) and not connection.invalidated:
                # cancelled mid-statement: the connection's state is unknown (as SQLAlchemy)
                connection.invalidate(error)
            raise
        finally:
            if cursor is not None:
                cursor.close()
        results = self.results
        if not any(results):
            return [tuple(row) for row in fetched]
        return [tuple(value if result is None else result(value)
                      for value, result in zip(row, results)) for row in fetched]


def _slot(name: str) -> tuple[int, str] | None:
    key, _, row = name.rpartition("__")
    return (int(row), key) if key and row.isdigit() else None


def _refuse_missing_defaults(statement: Insert, given: set[str]) -> None:
    """An INSERT here gets no Python-side defaults: each column with one must be given
    (bind parameters are named after the columns they fill)."""
    missing = sorted(column.key for column in statement.table.c
                     if column.default is not None and column.key not in given)
    if missing:
        raise ValueError(f"INSERT INTO {statement.table.name} leaves out {missing}, "
                         "which have Python-side defaults")


def _translated(connection: Connection, error: Exception, sql: str, values: list[Any]) -> Exception:
    """The DB-API error as SQLAlchemy raises it; a lost connection is invalidated first."""
    dialect = connection.dialect
    disconnect = dialect.is_disconnect(error, connection.connection.dbapi_connection, None)  # type: ignore[arg-type]
    # asyncpg: a statement prepared before a schema change fails on this connection until it
    # is replaced (SQLAlchemy's own path resets the dialect's statement cache instead).
    stale = isinstance(error, getattr(dialect.loaded_dbapi, "InvalidCachedStatementError", ()))
    if (disconnect or stale) and not connection.invalidated:
        connection.invalidate(error)
    # Parameters hidden: they hold message texts, which never go to a log.
    return exc.DBAPIError.instance(sql, values, error, dialect.loaded_dbapi.Error,
                                   hide_parameters=True, connection_invalidated=disconnect,
                                   dialect=dialect)


# Bind parameters per statement, below both SQLite's default limit (32,766) and asyncpg's
# (32,767); more rows than that go in several statements.
MAX_PARAMETERS = 32_000


class RowsStatement:
    """A statement over any number of rows, compiled once per dialect and row count.

    `build(dialect_name, rows)` returns the Core statement for that many rows; `run`
    compiles it on first use and executes it with the given rows.
    """

    def __init__(self, build: Callable[[str, int], Any]) -> None:
        self._build = build
        self._compiled: dict[tuple[str, str, int], DirectStatement] = {}

    def run(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
        per_row = max(1, len(self._statement(connection.dialect, 1).slots))
        step = max(1, MAX_PARAMETERS // per_row)
        returned: list[tuple[Any, ...]] = []
        for start in range(0, len(rows), step):
            part = rows[start:start + step]
            returned += self._statement(connection.dialect, len(part)).run(connection, part)
        return returned

    def _statement(self, dialect: Dialect, rows: int) -> DirectStatement:
        key = (dialect.name, dialect.driver, rows)
        statement = self._compiled.get(key)
        if statement is None:
            statement = self._compiled[key] = DirectStatement.compile(
                self._build(dialect.name, rows), dialect)
        return statement


def row_values(table: Any, keys: Sequence[str], rows: int) -> list[dict[str, Any]]:
    """VALUES for `rows` rows of these columns, as bind parameters named `<key>__<row>`."""
    return [{key: bindparam(f"{key}__{row}", type_=table.c[key].type) for key in keys}
            for row in range(rows)]


def each(key: str, values: Sequence[Any]) -> list[dict[str, Any]]:
    """Rows of one key, for statements such as `column IN (...)`."""
    return [{key: value} for value in values]
