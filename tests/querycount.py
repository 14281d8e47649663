"""Counting the SQL queries a request runs.

Django's CaptureQueriesContext reads ``connection.queries``, which the
``request_started`` signal resets at the start of every request, so it sees
nothing of a test-client request. An execute wrapper counts every statement.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


class QueryCount:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __len__(self) -> int:
        return len(self.statements)

    def __call__(self, execute, sql, params, many, context):
        self.statements.append(sql)
        return execute(sql, params, many, context)


@contextmanager
def count_queries() -> Iterator[QueryCount]:
    counter = QueryCount()
    with connection.execute_wrapper(counter):
        yield counter
