import os
from pathlib import Path

import pytest

from stack import PrivatePostgres, Stack, create_database


@pytest.fixture(scope="session")
def admin_database_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        raise RuntimeError("TEST_DATABASE_URL is not set; run the suite through ./test")
    return url


@pytest.fixture(scope="session")
def shared_stack(tmp_path_factory, admin_database_url):
    """One stack for the tests that only send requests; tests that stop or kill things start their own."""
    stack = Stack(tmp_path_factory.mktemp("shared"), create_database(admin_database_url)).start()
    yield stack
    stack.stop()


@pytest.fixture
def make_stack(tmp_path: Path, admin_database_url):
    """Starts a stack of the test's own (optionally on a given database URL) and stops it afterwards."""
    stacks = []

    def start(environment=None, database_url=None) -> Stack:
        directory = tmp_path / f"stack{len(stacks)}"
        directory.mkdir()
        stack = Stack(directory, database_url or create_database(admin_database_url), environment)
        stacks.append(stack)
        return stack.start()

    yield start
    for stack in stacks:
        stack.stop()


@pytest.fixture
def private_postgres(tmp_path: Path):
    postgres = PrivatePostgres(tmp_path / "pg")
    postgres.start()
    yield postgres
    postgres.stop()


# Browser tests (test_browser.py): pytest-playwright's fixtures, pointed at Debian's Chromium. Playwright's own
# browser download host is unreachable on these machines, and the headless shell was the fastest measured
# (docs/testing.md).
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/lib/chromium/chromium-headless-shell"}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Each stack has a fresh self-signed certificate; a new context per test starts with empty storage."""
    return {**browser_context_args, "ignore_https_errors": True, "viewport": {"width": 1280, "height": 800}}
