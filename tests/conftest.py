"""Shared fixtures: a real SQLite file, a real PostgreSQL database, and the `srr` CLI in-process."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from receivers import HttpInbox, SmtpInbox
from srr_test_support import reset_caches

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT.parent / "shared" / "examples"
PG_URL = os.environ.get("SRR_TEST_POSTGRESQL_URL")


@pytest.fixture(scope="session")
def examples() -> Path:
    """The example input files, in the shape users write them (../shared/examples)."""
    if not EXAMPLES.exists():
        pytest.fail(f"{EXAMPLES} is missing: the tests need ../shared beside the project")
    return EXAMPLES


@pytest.fixture
def postgresql_url() -> Iterator[str]:
    """A new, empty database on the PostgreSQL server named by SRR_TEST_POSTGRESQL_URL."""
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("SRR_TEST_POSTGRESQL_URL is not set: .ci/run starts PostgreSQL and sets it")
        pytest.skip("no PostgreSQL server (set SRR_TEST_POSTGRESQL_URL, as .ci/run does)")
    name = f"srr_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield PG_URL.rsplit("/", 1)[0] + "/" + name
    reset_caches()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each storage test runs twice: on a SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'srr.db'}"
    return request.getfixturevalue("postgresql_url")


@dataclass
class Result:
    code: int
    out: str
    err: str


class Srr:
    """The `srr` command run in-process, in an environment of its own (home, database)."""

    def __init__(self, capsys: pytest.CaptureFixture[str], home: Path, url: str):
        self.capsys = capsys
        self.home = home
        self.url = url

    def __call__(self, *args: str | Path) -> Result:
        from srr_engine.cli import main

        self.capsys.readouterr()
        argv = sys.argv
        sys.argv = ["srr", *map(str, args)]
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        finally:
            sys.argv = argv
        captured = self.capsys.readouterr()
        return Result(code, captured.out, captured.err)

    def ok(self, *args: str | Path) -> str:
        result = self(*args)
        assert result.code == 0, f"srr {' '.join(map(str, args))} failed:\n{result.out}\n{result.err}"
        return result.out


def _srr(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, url: str) -> Srr:
    home = tmp_path / "home"
    monkeypatch.setenv("SRR_HOME", str(home))
    monkeypatch.setenv("SRR_DATABASE_URL", url)
    monkeypatch.setenv("SRR_ACTOR", "tester")
    monkeypatch.delenv("SRR_CONFIG_FILE", raising=False)
    reset_caches()
    return Srr(capsys, home, url)


@pytest.fixture
def srr(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, database_url: str) -> Iterator[Srr]:
    """The CLI on an initialised database, on SQLite and on PostgreSQL."""
    runner = _srr(monkeypatch, capsys, tmp_path, database_url)
    runner.ok("init")
    yield runner
    reset_caches()


@pytest.fixture
def srr_sqlite(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Iterator[Srr]:
    """The CLI on an initialised SQLite file (for tests whose subject is not storage)."""
    runner = _srr(monkeypatch, capsys, tmp_path, f"sqlite:///{tmp_path / 'srr.db'}")
    runner.ok("init")
    yield runner
    reset_caches()


@pytest.fixture
def smtp_inbox() -> Iterator[SmtpInbox]:
    """A real SMTP server on 127.0.0.1 (see `receivers.point_to`)."""
    inbox = SmtpInbox()
    inbox.controller.start()
    yield inbox
    inbox.controller.stop()


@pytest.fixture
def http_inbox() -> Iterator[HttpInbox]:
    """A real HTTP endpoint on 127.0.0.1 (see `receivers.point_to`)."""
    inbox = HttpInbox()
    inbox.start()
    yield inbox
    inbox.stop()
