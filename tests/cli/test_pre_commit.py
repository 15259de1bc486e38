"""The hooks of .pre-commit-hooks.yaml, run by pre-commit itself in a throwaway repository.

pre-commit clones cfgen's repository at a commit and pip-installs it into an
environment of its own, as it would for a team. The commit is a snapshot of
this checkout's files (committed or not), so the test checks the hooks being
changed. The environment is installed once (about a minute) and every case
reuses it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES, REPO

from cfgen import _service

pytestmark = pytest.mark.slow
SPEC = EXAMPLES / "s3-oac-basic" / "spec.yaml"
GIT_ID = ["-c", "user.email=cfgen-test@example.com", "-c", "user.name=cfgen test", "-c", "commit.gpgsign=false"]


def _git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *GIT_ID, *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture(scope="module")
def hooks_repo(session_dir: Path) -> tuple[Path, str]:
    """A git repository holding this checkout's files (tracked or new, not ignored), and its commit.

    One per session, so that the pytest-xdist workers share it and the hook
    environment pre-commit installs for it.
    """
    if shutil.which("git") is None:
        pytest.skip("git is not on PATH")
    snapshot = session_dir / "cfgen-repo"
    with open(session_dir / "cfgen-repo.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (snapshot / ".git").is_dir():
            listed = subprocess.run(
                ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                cwd=REPO,
                capture_output=True,
                check=True,
            ).stdout
            for name in filter(None, listed.decode().split("\0")):
                source = REPO / name
                if source.is_file():
                    (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, snapshot / name)
            _git("init", "-q", cwd=snapshot)
            _git("add", "-A", cwd=snapshot)
            _git("commit", "-q", "-m", "snapshot", cwd=snapshot)
        return snapshot, _git("rev-parse", "HEAD", cwd=snapshot)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, hooks_repo: tuple[Path, str]) -> Path:
    """A team's repository: a spec, its render in infra/, and a pre-commit config using cfgen's hooks."""
    repo, rev = hooks_repo
    root = tmp_path_factory.mktemp("project")
    _git("init", "-q", cwd=root)
    shutil.copy(SPEC, root / "spec.yaml")
    _service.render_spec(root / "spec.yaml", root / "infra")
    (root / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {repo}\n"
        f"    rev: {rev}\n"
        "    hooks:\n"
        "      - id: cfgen-validate\n"
        "      - id: cfgen-render-check\n"
        "        files: (^|/)spec\\.yaml$|^infra/\n",
        encoding="utf-8",
    )
    _git("add", "-A", cwd=root)
    _git("commit", "-q", "-m", "infra", cwd=root)
    return root


@pytest.fixture
def pre_commit(project: Path, session_dir: Path) -> Iterator[Callable[[], tuple[int, str]]]:
    # pre-commit's store, with the hook environment: installed once, under pre-commit's own lock
    home = session_dir / "pre-commit-home"

    def run() -> tuple[int, str]:
        done = subprocess.run(
            [str(Path(sys.executable).parent / "pre-commit"), "run", "--all-files", "--color", "never"],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=900,
            env={**os.environ, "PRE_COMMIT_HOME": str(home)},
        )
        return done.returncode, done.stdout + done.stderr

    yield run
    # every case leaves the project as committed
    _git("checkout", "-q", "--", ".", cwd=project)


def test_both_hooks_pass_on_a_current_render(pre_commit: Callable[[], tuple[int, str]]) -> None:
    code, output = pre_commit()
    assert code == 0, output
    assert "cfgen validate" in output and "cfgen render --check" in output
    assert "Traceback" not in output


def test_a_hand_edit_of_the_render_fails_render_check(pre_commit: Callable[[], tuple[int, str]], project: Path) -> None:
    main = project / "infra" / "main.tf"
    main.write_text(main.read_text(encoding="utf-8").replace("= true", "= false", 1), encoding="utf-8")
    code, output = pre_commit()
    assert code == 1, output
    assert output.count("infra/main.tf: changed") == 1, output
    assert "run `cfgen render spec.yaml -o infra`" in output


def test_an_invalid_spec_fails_validate_with_a_located_line(
    pre_commit: Callable[[], tuple[int, str]], project: Path
) -> None:
    spec = project / "spec.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("protection: oac", "protection: nope"), encoding="utf-8")
    code, output = pre_commit()
    assert code == 1, output
    assert "spec.yaml:" in output and "error:" in output and "protection" in output, output
    assert "Traceback" not in output
