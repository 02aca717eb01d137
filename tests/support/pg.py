"""A fresh PostgreSQL database per test, on the server `.ci/run` starts (IBT_TEST_PG_URL).

Outside CI the tests that need it skip with a message; in CI (CI=true) a missing server is a failure.
"""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text


@pytest.fixture
def pg_url() -> str:
    base = os.environ.get("IBT_TEST_PG_URL")
    if not base:
        if os.environ.get("CI") == "true":
            pytest.fail("IBT_TEST_PG_URL is required in CI (.ci/run starts PostgreSQL)")
        pytest.skip("IBT_TEST_PG_URL not set: start PostgreSQL as .ci/run does to run this test")
    name = f"ibt_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.rsplit("/", 1)[0] + f"/{name}"
