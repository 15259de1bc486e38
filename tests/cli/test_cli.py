"""The command-line contract of product.md: outputs and exit codes, as a user meets them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES, MINIMAL_SPEC, REPO

BASIC = EXAMPLES / "s3-oac-basic" / "spec.yaml"


def cfgen(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "cfgen", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    return result


def test_validate_ok(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(MINIMAL_SPEC)
    result = cfgen("validate", str(spec))
    assert (result.returncode, result.stdout.strip()) == (0, f"{spec}: valid")


def test_validate_reports_every_error_as_one_located_line(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(MINIMAL_SPEC.replace("eu-west-1", "mars").replace("shop-assets-test", "UPPER"))
    result = cfgen("validate", str(spec))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert [line.split(": error: ")[0] for line in lines] == [f"{spec}:3:9", f"{spec}:10:24"]
    assert "region: 'mars' is not an AWS region such as eu-west-1" in lines[0]


@pytest.mark.parametrize(
    "content",
    [b"\x00\xff\xfe binary", b"version: 1\n  bad: indent\n", b"[1, 2", b"~", b"version: !!python/object:os.system x"],
)
def test_garbage_never_gives_a_traceback(tmp_path: Path, content: bytes) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_bytes(content)
    result = cfgen("validate", str(spec))
    assert result.returncode == 2
    assert all(": error: " in line for line in result.stderr.strip().splitlines()), result.stderr


def test_a_folder_as_spec_is_one_line(tmp_path: Path) -> None:
    result = cfgen("validate", str(tmp_path))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_render_check_diff_cycle(tmp_path: Path) -> None:
    out = tmp_path / "infra"
    first = cfgen("render", str(BASIC), "-o", str(out))
    assert first.returncode == 0, first.stderr
    assert (out / "main.tf").is_file() and (out / "modules" / "s3-origin" / "main.tf").is_file()
    assert cfgen("render", str(BASIC), "-o", str(out), "--check").returncode == 0

    (out / "main.tf").write_text((out / "main.tf").read_text() + "# hand edit\n")
    check = cfgen("render", str(BASIC), "-o", str(out), "--check")
    assert check.returncode == 1
    assert f"{out / 'main.tf'}: changed by hand" in check.stderr
    command = f"cfgen render {BASIC} -o {out}"
    assert check.stderr.splitlines()[-1] == (
        f"1 file(s) differ, 1 of them by hand: move the change into the spec (or the file out of {out}) "
        f"and run `{command}`, or overwrite it with `{command} --force`"
    )
    diff = cfgen("render", str(BASIC), "-o", str(out), "--diff")
    assert diff.returncode == 1 and "-# hand edit" in diff.stdout

    refused = cfgen("render", str(BASIC), "-o", str(out))
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and "--force" in refused.stderr
    assert (out / "main.tf").read_text().endswith("# hand edit\n"), "the user's edit survives a refused render"


def test_render_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert cfgen("render", str(BASIC), "-o", str(tmp_path / name)).returncode == 0
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert files
    for rel in files:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def test_usage_errors_exit_2() -> None:
    assert cfgen("render").returncode == 2
    assert cfgen("no-such-command").returncode == 2
    assert cfgen("test").returncode == 2


def test_test_with_a_missing_binary_says_how_to_get_one() -> None:
    result = cfgen("test", str(BASIC), "--offline", "--binary", "/nonexistent/tofu")
    assert result.returncode == 2
    assert "error:" in result.stderr and "install" in result.stderr.lower()


def test_a_spec_error_stops_the_init_that_was_installing_providers(tmp_path: Path) -> None:
    # cfgen test starts init before it reads the spec: the error must neither wait for it nor leave it running.
    pid = tmp_path / "init.pid"
    slow = tmp_path / "terraform"
    slow.write_text(f"#!/bin/sh\necho $$ > {pid}\nexec sleep 300\n", encoding="utf-8")
    slow.chmod(0o755)
    spec = tmp_path / "spec.yaml"
    spec.write_text(MINIMAL_SPEC.replace("eu-west-1", "mars"))
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "cfgen", "test", str(spec), "--offline", "--binary", str(slow)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TMPDIR": str(scratch)},
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"{spec}:3:9: error: ")
    assert pid.exists(), "init was not started before the spec was read"
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid.read_text(encoding="utf-8")), 0)
    assert list(scratch.iterdir()) == []  # the work folder is gone


def test_output_that_cannot_be_written_is_an_error_not_a_traceback() -> None:
    # Buffered output is written at exit, after the command returned 0.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "cfgen", "explain", str(BASIC)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            env=env,
        )
    assert (result.returncode, result.stderr) == (120, "error: cannot write the output: No space left on device\n")


def test_test_dir_without_manifest_asks_for_the_spec(tmp_path: Path) -> None:
    result = cfgen("test", "--dir", str(tmp_path), "--offline")
    assert result.returncode == 2
    assert "pass the SPEC" in result.stderr


def test_schema_is_the_committed_one() -> None:
    result = cfgen("schema")
    assert result.returncode == 0
    assert json.loads(result.stdout)["title"] == "cfgen spec"
    assert result.stdout == (REPO / "schema" / "cfgen-spec.schema.json").read_text()


def test_patterns_lists_one_line_each() -> None:
    result = cfgen("patterns")
    assert result.returncode == 0
    assert any(line.startswith("s3/oac ") for line in result.stdout.splitlines())


def test_report_into_a_missing_folder_fails_before_planning(tmp_path: Path) -> None:
    result = cfgen("test", str(BASIC), "--offline", "--report", str(tmp_path / "no" / "report.xml"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: --report {tmp_path / 'no' / 'report.xml'}: folder {tmp_path / 'no'} does not exist; create it first"
    ]


BASH_COMPLETE = """
set -e
eval "$(cfgen --show-completion)"
complete -p cfgen
for line in "cfgen te" "cfgen test --fo" "cfgen test --format "; do
  read -r -a COMP_WORDS <<< "$line"
  [ "${line: -1}" = " " ] && COMP_WORDS+=("")
  COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
  _cfgen_completion cfgen
  echo "$line|${COMPREPLY[*]}"
done
"""


def test_show_completion_gives_bash_a_working_completion() -> None:
    """What `eval "$(cfgen --show-completion)"` in a user's bash does: commands, options and values complete."""
    bin_dir = Path(sys.executable).parent
    assert (bin_dir / "cfgen").exists(), "the cfgen console script is installed next to this python"
    done = subprocess.run(
        ["bash", "-c", BASH_COMPLETE],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "complete -o default -F _cfgen_completion cfgen"
    assert lines[1:] == [
        "cfgen te|test",
        "cfgen test --fo|--format",
        "cfgen test --format |table json junit sarif",
    ]


def test_help_offers_completion_install() -> None:
    result = cfgen("--help")
    assert "--install-completion" in result.stdout and "--show-completion" in result.stdout


def test_test_dir_refuses_a_link_out_of_the_tree_in_one_line(tmp_path: Path) -> None:
    """A tree is input: a link in it must not make cfgen read (and scan, and plan) a file outside it."""
    import shutil

    tree = tmp_path / "infra"
    shutil.copytree(EXAMPLES / "s3-oac-basic" / "generated", tree)
    (tmp_path / "private.tf").write_text('locals { token = "not-for-cfgen" }\n')
    (tree / "extra.tf").symlink_to(tmp_path / "private.tf")
    result = cfgen("test", "--dir", str(tree), "--offline")
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "extra.tf links to" in line and "outside" in line and "not-for-cfgen" not in result.stdout + line


@pytest.mark.parametrize(
    ("command", "names"), [("test", ["CFGEN_TF_BINARY", "CFGEN_PLUGIN_MIRROR"]), ("verify", ["SSL_CERT_FILE"])]
)
def test_help_names_the_environment_variables(command: str, names: list[str]) -> None:
    text = cfgen(command, "--help").stdout
    assert all(name in text for name in names), text
