"""The PostgreSQL server of the suite's second pass: connecting to its maintenance database,
and the probe `make test-postgresql` runs first.

    python -m tests.pg_server URL

exits 0 when the server answers and the role can create (and drop) a database, 3 when the
server does not answer (the pass is skipped), 4 when it answers but no test database can be
made (missing maintenance database, refused role, no CREATEDB right): a different message,
because that is a set-up to fix, not a server to start.
"""

from __future__ import annotations

import asyncio
import os
import sys

from sqlalchemy.engine import make_url

MAINTENANCE_DATABASE = "postgres"
NOT_ANSWERING, CANNOT_CREATE = 3, 4


def _dsn(url: str, database: str) -> str:
    return (make_url(url).set(drivername="postgresql", database=database)
            .render_as_string(hide_password=False))


def where(url: str) -> str:
    parsed = make_url(url)
    return f"{parsed.host or 'localhost'}:{parsed.port or 5432}"


async def connect_maintenance(url: str):
    """A connection to the server's maintenance database `postgres`; if that database is
    missing or closed to this role, the database the URL names (a role's own database)."""
    import asyncpg

    named = make_url(url).database
    try:
        return await asyncpg.connect(_dsn(url, MAINTENANCE_DATABASE), timeout=5)
    except (asyncpg.InvalidCatalogNameError, asyncpg.InsufficientPrivilegeError):
        if not named or named == MAINTENANCE_DATABASE:
            raise
    return await asyncpg.connect(_dsn(url, named), timeout=5)


async def probe(url: str) -> tuple[int, str]:
    import asyncpg

    try:
        admin = await connect_maintenance(url)
    except (TimeoutError, OSError, asyncpg.CannotConnectNowError) as error:
        return NOT_ANSWERING, f"PostgreSQL does not answer at {where(url)} ({error})"
    except asyncpg.InvalidCatalogNameError:
        return CANNOT_CREATE, (f"PostgreSQL answers at {where(url)} but database "
                               f"'{MAINTENANCE_DATABASE}' is missing and the URL names no other "
                               "to connect to; create it or put an existing database in the URL")
    except asyncpg.PostgresError as error:
        return CANNOT_CREATE, (f"PostgreSQL answers at {where(url)} but refuses the connection: "
                               f"{error}")
    name = f"loaso_probe_{os.getpid()}"
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.execute(f'DROP DATABASE "{name}"')
    except asyncpg.PostgresError as error:
        return CANNOT_CREATE, (f"PostgreSQL answers at {where(url)} but the test database cannot "
                               f"be created: {error} (the role needs CREATEDB)")
    finally:
        await admin.close()
    return 0, f"PostgreSQL at {where(url)}: the suite creates its own database"


def main() -> None:
    url = sys.argv[1]
    code, message = asyncio.run(probe(url))
    print(message, file=sys.stderr if code else sys.stdout)
    sys.exit(code)


if __name__ == "__main__":
    main()
