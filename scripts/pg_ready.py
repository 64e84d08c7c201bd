"""Exit 0 when the PostgreSQL server of the given URL answers, 1 otherwise (quietly)."""

import sys
from urllib.parse import unquote, urlsplit

import psycopg

url = urlsplit(sys.argv[1])
try:
    # Connect to the maintenance database: the test database is created by the tests.
    psycopg.connect(
        host=url.hostname or "127.0.0.1",
        port=url.port or 5432,
        user=unquote(url.username or "postgres"),
        password=unquote(url.password or "") or None,
        dbname="postgres",
        connect_timeout=3,
    ).close()
except psycopg.Error:
    sys.exit(1)
