"""Renders killed mid-way, two renders at once, files cfgen cannot read: as a user meets them.

A real process is killed (SIGKILL, so no cleanup runs) just before its Nth
rename or removal; the next plain ``cfgen render`` must finish the job without
--force, leave no temporary file, and still refuse a hand edit.
"""

from __future__ import annotations

import ctypes
import fcntl
import hashlib
import json
import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from tests.cli.test_cli import cfgen
from tests.conftest import EXAMPLES

from cfgen import write

BEFORE = EXAMPLES / "s3-oac-basic" / "spec.yaml"
AFTER = EXAMPLES / "s3-oac-kms" / "spec.yaml"

# Runs `cfgen render SPEC -o OUT` and kills itself (SIGKILL) just before the Nth rename or removal.
# With N = -1 it pauses instead before its second step (the journal is written): it creates OUT.paused
# and goes on once OUT.go exists.
_KILLER = textwrap.dedent(
    """
    import os, signal, sys, time
    n, spec, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    count = [0]
    def hook(real):
        def step(*args, **kwargs):
            count[0] += 1
            if count[0] == n:
                os.kill(os.getpid(), signal.SIGKILL)
            if n == -1 and count[0] == 2:
                open(out + ".paused", "w").close()
                while not os.path.exists(out + ".go"):
                    time.sleep(0.05)
            return real(*args, **kwargs)
        return step
    os.replace, os.unlink = hook(os.replace), hook(os.unlink)
    sys.argv = ["cfgen", "render", spec, "-o", out]
    from cfgen._cli import main
    main()
    """
)


def render_with(n: int, spec: Path, out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _KILLER, str(n), str(spec), str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def expected(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, dict[str, bytes]]:
    """A clean render of each spec, to compare finished trees with."""
    out = {}
    for spec in (BEFORE, AFTER):
        folder = tmp_path_factory.mktemp("clean")
        assert cfgen("render", str(spec), "-o", str(folder)).returncode == 0
        out[spec] = files(folder)
    return out


def steps(tmp_path: Path) -> int:
    """Renames and removals of a render from BEFORE to AFTER (a run that never reaches N counts them)."""
    out = tmp_path / "count"
    assert cfgen("render", str(BEFORE), "-o", str(out)).returncode == 0
    probe = textwrap.dedent(
        """
        import os, sys
        count = [0]
        def hook(real):
            def step(*args, **kwargs):
                count[0] += 1
                print(count[0], file=sys.stderr, flush=True)  # main() ends in os._exit: no finally
                return real(*args, **kwargs)
            return step
        os.replace, os.unlink = hook(os.replace), hook(os.unlink)
        sys.argv = ["cfgen", "render", sys.argv[1], "-o", sys.argv[2]]
        from cfgen._cli import main
        main()
        """
    )
    run = subprocess.run([sys.executable, "-c", probe, str(AFTER), str(out)], capture_output=True, text=True)
    return int([line for line in run.stderr.splitlines() if line.isdigit()][-1])  # not a warning line


def test_a_render_killed_at_any_step_is_finished_by_the_next_plain_render(
    tmp_path: Path, expected: dict[Path, dict[str, bytes]]
) -> None:
    total = steps(tmp_path)
    assert total >= 6  # journal, several files, manifest, journal removal
    for n in range(1, total + 1):
        out = tmp_path / f"out{n}"
        assert cfgen("render", str(BEFORE), "-o", str(out)).returncode == 0
        killed = render_with(n, AFTER, out)
        killed.communicate(timeout=120)
        assert killed.returncode == -9, f"step {n} of {total}: not killed"
        again = cfgen("render", str(AFTER), "-o", str(out))
        assert again.returncode == 0, f"step {n}: {again.stderr}"
        assert files(out) == expected[AFTER], f"step {n}: the tree is not the render"
        assert cfgen("render", str(AFTER), "-o", str(out), "--check").returncode == 0


def test_after_a_kill_a_hand_edit_is_still_refused_and_the_old_spec_renders_back(
    tmp_path: Path, expected: dict[Path, dict[str, bytes]]
) -> None:
    out = tmp_path / "out"
    assert cfgen("render", str(BEFORE), "-o", str(out)).returncode == 0
    killed = render_with(4, AFTER, out)
    killed.communicate(timeout=120)
    assert killed.returncode == -9
    leftovers = [p.name for p in out.rglob(f"*{write.TMP_SUFFIX}")] + [p.name for p in out.glob(write.JOURNAL)]
    assert leftovers, "killed before the 4th rename: a temporary file and the journal are left"

    (out / "main.tf").write_text("# mine\n")
    refused = cfgen("render", str(AFTER), "-o", str(out))
    assert refused.returncode == 2 and "main.tf was changed by hand since cfgen wrote it" in refused.stderr
    check = cfgen("render", str(AFTER), "-o", str(out), "--check")
    assert check.returncode == 1 and f"{out / 'main.tf'}: changed by hand" in check.stderr

    (out / "main.tf").write_bytes(expected[BEFORE]["main.tf"])  # the user undoes the edit
    back = cfgen("render", str(BEFORE), "-o", str(out))
    assert back.returncode == 0, back.stderr
    assert files(out) == expected[BEFORE]


def test_a_second_render_fails_fast_while_the_first_writes(
    tmp_path: Path, expected: dict[Path, dict[str, bytes]]
) -> None:
    out = tmp_path / "out"
    assert cfgen("render", str(BEFORE), "-o", str(out)).returncode == 0
    slow = render_with(-1, AFTER, out)  # pauses after writing its journal
    paused, go = Path(f"{out}.paused"), Path(f"{out}.go")
    deadline = time.monotonic() + 120
    while not paused.exists():
        assert slow.poll() is None and time.monotonic() < deadline, "the slow render never started writing"
        time.sleep(0.02)
    assert (out / write.JOURNAL).exists()
    second = cfgen("render", str(BEFORE), "-o", str(out))
    go.touch()
    assert second.returncode == 2
    assert second.stderr == f"error: another cfgen render is writing {out}; wait for it to finish and run again\n"
    _, stderr = slow.communicate(timeout=120)
    assert slow.returncode == 0, stderr
    assert files(out) == expected[AFTER]


def test_two_renders_started_together_leave_one_whole_render(
    tmp_path: Path, expected: dict[Path, dict[str, bytes]]
) -> None:
    for round_ in range(2):
        out = tmp_path / f"out{round_}"
        assert cfgen("render", str(BEFORE), "-o", str(out)).returncode == 0
        runs = [render_with(0, spec, out) for spec in (AFTER, BEFORE)]
        results = [(run.communicate(timeout=120), run.returncode) for run in runs]
        for (_, stderr), code in results:
            assert code == 0 or (code == 2 and "another cfgen render is writing" in stderr), stderr
        assert files(out) in (expected[AFTER], expected[BEFORE])
        assert any(cfgen("render", str(s), "-o", str(out), "--check").returncode == 0 for s in (AFTER, BEFORE))


def test_check_and_diff_wait_for_no_one_while_a_render_holds_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cfgen("render", str(BEFORE), "-o", str(out)).returncode == 0
    fd = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        for flag in ("--check", "--diff"):
            result = cfgen("render", str(BEFORE), "-o", str(out), flag)
            assert result.returncode == 2 and "another cfgen render is writing" in result.stderr
    finally:
        os.close(fd)


def _without_dac_override() -> None:
    """As root, mode 000 still reads: drop the two capabilities that let it before cfgen starts."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, from the bounding set (PR_CAPBSET_DROP)
        if libc.prctl(24, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def test_a_rendered_file_cfgen_cannot_read_is_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cfgen("render", str(BEFORE), "-o", str(out)).returncode == 0
    (out / "main.tf").chmod(0)
    for flags in ([], ["--check"], ["--diff"]):
        result = subprocess.run(
            [sys.executable, "-m", "cfgen", "render", str(BEFORE), "-o", str(out), *flags],
            capture_output=True,
            text=True,
            timeout=120,
            preexec_fn=_without_dac_override,
        )
        assert result.returncode == 2, (flags, result.stderr)
        assert (
            f"cannot read {out / 'main.tf'} (Permission denied); fix its permissions or move it away" in result.stderr
        )
    assert stat.S_IMODE((out / "main.tf").stat().st_mode) == 0


def test_a_manifest_that_names_a_file_outside_deletes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    assert cfgen("render", str(BEFORE), "-o", str(out)).returncode == 0
    manifest = json.loads((out / write.MANIFEST).read_text())
    manifest["files"]["../victim.txt"] = hashlib.sha256(b"precious\n").hexdigest()
    (out / write.MANIFEST).write_text(json.dumps(manifest))
    for flags in ([], ["--force"], ["--check"], ["--diff"]):
        result = cfgen("render", str(BEFORE), "-o", str(out), *flags)
        assert result.returncode == 2, result.stderr
        assert "entry '../victim.txt' is not a plain relative path" in result.stderr
    assert victim.read_text() == "precious\n"
