"""Fixtures of the snippet tests: the server binaries (required in CI), TLS files and the upstream."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.snippets._harness import Pki, Upstream, make_pki


def _find(binary: str) -> Path | None:
    found = shutil.which(binary)
    if found:
        return Path(found)
    # Debian puts nginx and apache2 in /usr/sbin, which a user's PATH may lack.
    for folder in ("/usr/sbin", "/usr/bin"):
        candidate = Path(folder) / binary
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="session")
def server_binary() -> Callable[[str], Path]:
    """Path of a server binary: a failure in CI when it is missing, a skip elsewhere."""

    def _binary(name: str) -> Path:
        found = _find(name)
        if found is None:
            message = f"{name} is not installed (Debian package {name}; .ci/run installs it)"
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
        return found

    return _binary


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    server = Upstream()
    try:
        yield server
    finally:
        server.stop()
