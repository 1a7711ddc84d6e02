"""Flow tests run real Prefect flow runs against a temporary Prefect server (one per test session:
starting it costs ~10 s, so only these tests pay for it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session", autouse=True)
def prefect_server() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield
