"""The terraform runner without terraform: a fake binary records what it is asked."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cfgen import _requirements
from cfgen.errors import ToolError, UsageError
from cfgen.harness import _terraform as tf

# --------------------------------------------------------------------------
# find_binary / registry_host / resolve_plugin_mirror
# --------------------------------------------------------------------------


def _executable(folder: Path, name: str, body: str = "exit 0") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


@pytest.fixture
def bin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))
    monkeypatch.delenv(tf.BINARY_ENV, raising=False)
    return folder


def test_tofu_is_preferred_over_terraform(bin_dir: Path) -> None:
    _executable(bin_dir, "terraform")
    tofu = _executable(bin_dir, "tofu")
    assert tf.find_binary(None) == str(tofu)


def test_terraform_when_tofu_is_absent(bin_dir: Path) -> None:
    terraform = _executable(bin_dir, "terraform")
    assert tf.find_binary(None) == str(terraform)


def test_env_beats_path(bin_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _executable(bin_dir, "tofu")
    chosen = _executable(tmp_path / "elsewhere", "terraform-1.9")
    monkeypatch.setenv(tf.BINARY_ENV, str(chosen))
    assert tf.find_binary(None) == str(chosen)


def test_explicit_beats_env(bin_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _executable(bin_dir, "tofu")
    monkeypatch.setenv(tf.BINARY_ENV, str(_executable(tmp_path / "env", "terraform")))
    explicit = _executable(tmp_path / "flag", "terraform")
    assert tf.find_binary(str(explicit)) == str(explicit)


def test_explicit_name_is_looked_up_on_path(bin_dir: Path) -> None:
    terraform = _executable(bin_dir, "terraform")
    _executable(bin_dir, "tofu")
    assert tf.find_binary("terraform") == str(terraform)


def test_nothing_found_names_how_to_install(bin_dir: Path) -> None:
    with pytest.raises(ToolError) as caught:
        tf.find_binary(None)
    message = str(caught.value)
    assert "OpenTofu" in message and "Terraform" in message
    assert "--binary" in message
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("explicit", "env", "named"),
    [("/no/such/tofu", None, "--binary"), (None, "/no/such/tofu", tf.BINARY_ENV)],
)
def test_a_missing_chosen_binary_is_not_replaced(
    bin_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    explicit: str | None,
    env: str | None,
    named: str,
) -> None:
    _executable(bin_dir, "terraform")
    if env:
        monkeypatch.setenv(tf.BINARY_ENV, env)
    with pytest.raises(ToolError, match=named):
        tf.find_binary(explicit)


@pytest.mark.parametrize(
    ("banner", "host"),
    [
        ("OpenTofu v1.8.3\non linux_amd64", "registry.opentofu.org"),
        ("Terraform v1.11.4\non linux_amd64", "registry.terraform.io"),
    ],
)
def test_registry_host_follows_the_version_banner(tmp_path: Path, banner: str, host: str) -> None:
    binary = _executable(tmp_path, "tf", f"printf '{banner}\\n'")
    tf.registry_host.cache_clear()
    assert tf.registry_host(str(binary)) == host


def test_registry_host_of_a_broken_binary_is_a_tool_error(tmp_path: Path) -> None:
    binary = _executable(tmp_path, "tf", "exit 3")
    tf.registry_host.cache_clear()
    with pytest.raises(ToolError) as caught:
        tf.registry_host(str(binary))
    assert caught.value.rc == 3


def test_plugin_mirror_flag_beats_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "flag").mkdir()
    (tmp_path / "env").mkdir()
    monkeypatch.setenv(tf.PLUGIN_MIRROR_ENV, str(tmp_path / "env"))
    assert tf.resolve_plugin_mirror(tmp_path / "flag") == (tmp_path / "flag").resolve()
    assert tf.resolve_plugin_mirror(None) == (tmp_path / "env").resolve()
    monkeypatch.delenv(tf.PLUGIN_MIRROR_ENV)
    assert tf.resolve_plugin_mirror(None) is None


def test_plugin_mirror_must_be_a_folder(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="providers mirror"):
        tf.resolve_plugin_mirror(tmp_path / "absent")


# --------------------------------------------------------------------------
# CLI configuration, offline override, copy
# --------------------------------------------------------------------------


def test_cli_config_with_mirror_routes_hashicorp_providers_to_it() -> None:
    text = tf.cli_config_text(Path("/opt/tf-plugins"))
    assert "filesystem_mirror {" in text
    assert 'path    = "/opt/tf-plugins"' in text
    hosts = '["registry.terraform.io/hashicorp/*", "registry.opentofu.org/hashicorp/*"]'
    assert f"include = {hosts}" in text
    assert f"exclude = {hosts}" in text
    assert text.count("{") == text.count("}")


def test_cli_config_without_mirror_installs_directly() -> None:
    text = tf.cli_config_text(None)
    assert "direct {}" in text
    assert "filesystem_mirror" not in text


def test_cli_config_quotes_an_odd_mirror_path() -> None:
    assert r'path    = "/tmp/a \"b\"\\c"' in tf.cli_config_text(Path('/tmp/a "b"\\c'))


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def test_offline_override_covers_every_aliased_aws_provider(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "main.tf": """
                provider "aws" {
                  region = "eu-west-1"
                  default_tags {
                    tags = { alias = "not-a-provider-alias", x = "${var.y}}" }
                  }
                }
                provider "aws" {
                  alias  = "us_east_1" # for CloudFront certificates
                  region = "us-east-1"
                }
                # provider "aws" { alias = "commented_out" }
                /*
                provider "aws" {
                  alias = "block_commented"
                }
                */
                provider "awscc" {
                  alias = "not_aws"
                }
                provider "google" {
                  alias = "neither"
                }
            """,
            "providers.tf": """
                provider "aws" { alias = "one_line" }
                provider "aws" {
                  assume_role {
                    role_arn = "arn:aws:iam::111111111111:role/x"
                  }
                  alias = "after_nested"
                }
            """,
            "modules/child/main.tf": """
                provider "aws" {
                  alias = "in_child_module"
                }
            """,
            "notes.txt": 'provider "aws" { alias = "not_hcl" }',
        },
    )
    aliases = tf.aws_provider_aliases(tmp_path)
    assert aliases == ["after_nested", "one_line", "us_east_1"]

    text = tf.offline_override_text(aliases)
    assert text.count('provider "aws" {') == 4
    for alias in aliases:
        assert f'alias                       = "{alias}"' in text
    for setting in (
        'access_key                  = "mock"',
        'secret_key                  = "mock"',
        "skip_credentials_validation = true",
        "skip_requesting_account_id  = true",
        "skip_metadata_api_check     = true",
        "skip_region_validation      = true",
    ):
        assert text.count(setting) == 4
    # the region stays the user's: override files merge argument by argument
    assert not re.search(r"^\s*region\s*=", text, re.MULTILINE)


def test_copy_skips_state_plans_and_dot_terraform(tmp_path: Path) -> None:
    src, dst = tmp_path / "src", tmp_path / "dst"
    _write(
        src,
        {
            "main.tf": "",
            "terraform.tfvars": "",
            ".terraform.lock.hcl": "",
            "modules/cdn/main.tf": "",
            ".terraform/providers/x": "",
            "modules/cdn/.terraform/modules.json": "",
            "terraform.tfstate": "{}",
            "terraform.tfstate.backup": "{}",
            "terraform.tfstate.1700000000.backup": "{}",
            ".terraform.tfstate.lock.info": "{}",
            "prod.tfplan": "",
            "tfplan": "",
        },
    )
    tf.copy_tree(src, dst)
    copied = sorted(str(p.relative_to(dst)) for p in dst.rglob("*") if p.is_file())
    assert copied == [".terraform.lock.hcl", "main.tf", "modules/cdn/main.tf", "terraform.tfvars"]


def test_copy_keeps_links_that_stay_inside_the_tree(tmp_path: Path) -> None:
    src, dst = tmp_path / "src", tmp_path / "dst"
    (src / "shared").mkdir(parents=True)
    (src / "shared" / "locals.tf").write_text("locals {}\n")
    (src / "locals.tf").symlink_to(src / "shared" / "locals.tf")
    tf.copy_tree(src, dst)
    assert (dst / "locals.tf").read_text() == "locals {}\n"


@pytest.mark.parametrize("where", ["absolute", "relative", "folder"])
def test_a_link_out_of_the_tree_is_refused_before_anything_is_read(tmp_path: Path, where: str) -> None:
    src = tmp_path / "src"
    src.mkdir()
    outside = tmp_path / "secret.txt"
    outside.write_text("not cfgen's to read")
    if where == "absolute":
        (src / "leak.tf").symlink_to(outside)
    elif where == "relative":
        (src / "leak.tf").symlink_to(Path("..") / "secret.txt")
    else:
        (src / "modules").symlink_to(tmp_path, target_is_directory=True)
    with pytest.raises(UsageError, match="outside") as caught:
        tf.copy_tree(src, tmp_path / "dst")
    assert "not cfgen's to read" not in str(caught.value)
    assert not (tmp_path / "dst").exists()


def test_a_pipe_in_the_tree_is_refused_without_blocking(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    os.mkfifo(src / "main.tf")
    with pytest.raises(UsageError, match="not a regular file"):
        tf.check_tree(src)


# --------------------------------------------------------------------------
# plan_tree against a fake binary
# --------------------------------------------------------------------------

FAKE = r"""
echo "$*" >> "$FAKE_LOG"
env > "$FAKE_LOG.env.$1"
pwd > "$FAKE_LOG.cwd.$1"
ls -A > "$FAKE_LOG.ls.$1"
case "$1" in
  init)
    if [ -n "$FAKE_INIT_SLEEP" ]; then echo $$ > "$FAKE_LOG.pid"; exec sleep "$FAKE_INIT_SLEEP"; fi
    if [ -n "$FAKE_INIT_STDERR" ]; then cat "$FAKE_INIT_STDERR" >&2; exit 1; fi
    echo "# providers locked by the fake init" > .terraform.lock.hcl
    echo "Terraform has been successfully initialized!" ;;
  plan) exit "${FAKE_PLAN_RC:-0}" ;;
  show) printf '{"format_version": "1.2", "planned_values": {"root_module": {}}}\n' ;;
esac
"""

UNDECLARED = """
Error: Reference to undeclared resource

  on main.tf line 5, in resource "aws_s3_bucket" "b":
   5:   bucket = aws_s3_bucket.nope.id

A managed resource "aws_s3_bucket" "nope" has not been declared in the root
module.

Error: Unsupported argument

  on modules/m/main.tf line 3, in resource "aws_s3_bucket" "this":
   3:   bogus = 1

An argument named "bogus" is not expected here.
"""


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    binary = _executable(tmp_path / "fakebin", "terraform", FAKE)
    monkeypatch.setenv("FAKE_LOG", str(tmp_path / "calls.log"))
    # What a user's shell may hold; none of it may reach cfgen's own commands.
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", "/nonexistent/user.tfrc")
    monkeypatch.setenv("TF_DATA_DIR", "/nonexistent/data")
    monkeypatch.setenv("TF_CLI_ARGS_plan", "-refresh-only")
    monkeypatch.setenv("TF_WORKSPACE", "prod")
    monkeypatch.setenv("AWS_PROFILE", "prod-admin")
    monkeypatch.setenv("TF_VAR_kept", "yes")
    yield binary


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    _write(
        root,
        {
            "main.tf": """
                provider "aws" {
                  region = "eu-west-1"
                }
                provider "aws" {
                  alias  = "us_east_1"
                  region = "us-east-1"
                }
            """,
            ".terraform/stale": "",
            "terraform.tfstate": "{}",
        },
    )
    return root


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _env_of(tmp_path: Path, cmd: str) -> dict[str, str]:
    text = (tmp_path / f"calls.log.env.{cmd}").read_text(encoding="utf-8")
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def test_plan_tree_runs_init_plan_show_in_a_copy(fake: Path, tree: Path, tmp_path: Path) -> None:
    before = _snapshot(tree)
    steps: list[str] = []
    work = tmp_path / "work"
    raw = tf.plan_tree(
        tree,
        binary=str(fake),
        plugin_mirror=Path("/opt/tf-plugins"),
        offline=True,
        work_dir=work,
        progress=steps.append,
        tf_vars={"secret": "s3cr3t"},
    )
    assert raw == {"format_version": "1.2", "planned_values": {"root_module": {}}}
    assert steps == ["init", "plan", "show"]
    assert _snapshot(tree) == before

    run = tf.PlanRun(tree=tree, binary=str(fake), work_dir=work)
    calls = (tmp_path / "calls.log").read_text(encoding="utf-8").splitlines()
    assert calls == [
        "init -input=false -no-color",
        f"plan -input=false -no-color -lock=false -out={run.plan_file}",
        f"show -json -no-color {run.plan_file}",
    ]
    assert json.loads(run.plan_json_file.read_text(encoding="utf-8")) == raw

    copy = run.module_dir
    assert not (copy / ".terraform" / "stale").exists()
    assert not (copy / "terraform.tfstate").exists()
    override = (copy / tf.OFFLINE_OVERRIDE_FILE).read_text(encoding="utf-8")
    assert '"us_east_1"' in override
    assert 'backend "local"' in (copy / tf.BACKEND_OVERRIDE_FILE).read_text(encoding="utf-8")

    env = _env_of(tmp_path, "plan")
    assert env["TF_CLI_CONFIG_FILE"] == str(run.cli_config_file.resolve())
    assert "/opt/tf-plugins" in run.cli_config_file.read_text(encoding="utf-8")
    assert env["TF_DATA_DIR"] == str((copy / ".terraform").resolve())
    assert env["CHECKPOINT_DISABLE"] == "1"
    assert env["GOGC"] == tf.GOGC
    assert env["TF_VAR_secret"] == "s3cr3t"
    assert env["TF_VAR_kept"] == "yes"
    for dropped in ("TF_CLI_ARGS_plan", "TF_WORKSPACE", "AWS_PROFILE"):
        assert dropped not in env
    assert os.environ["TF_CLI_CONFIG_FILE"] == "/nonexistent/user.tfrc"


def test_online_plan_writes_no_override_and_keeps_the_profile(fake: Path, tree: Path, tmp_path: Path) -> None:
    run = tf.PlanRun(tree=tree, binary=str(fake), work_dir=tmp_path / "work")
    run.run()
    assert not (run.module_dir / tf.OFFLINE_OVERRIDE_FILE).exists()
    assert "direct {}" in run.cli_config_file.read_text(encoding="utf-8")
    assert _env_of(tmp_path, "init")["AWS_PROFILE"] == "prod-admin"


def test_a_gogc_of_the_caller_is_kept(fake: Path, tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOGC", "off")
    tf.PlanRun(tree=tree, binary=str(fake), work_dir=tmp_path / "work").run()
    assert {_env_of(tmp_path, cmd)["GOGC"] for cmd in ("init", "plan", "show")} == {"off"}


def test_a_second_run_in_the_same_work_dir_starts_clean(fake: Path, tree: Path, tmp_path: Path) -> None:
    run = tf.PlanRun(tree=tree, binary=str(fake), work_dir=tmp_path / "work", offline=True)
    run.run()
    (tree / "main.tf").write_text('provider "aws" {}\n', encoding="utf-8")
    run.run()
    assert '"us_east_1"' not in (run.module_dir / tf.OFFLINE_OVERRIDE_FILE).read_text("utf-8")


def test_terraform_errors_become_one_line_each(
    fake: Path, tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stderr = tmp_path / "stderr.txt"
    stderr.write_text(UNDECLARED, encoding="utf-8")
    monkeypatch.setenv("FAKE_INIT_STDERR", str(stderr))
    with pytest.raises(ToolError) as caught:
        tf.plan_tree(tree, binary=str(fake), plugin_mirror=None, offline=False, work_dir=tmp_path / "work")
    error = caught.value
    lines = str(error).splitlines()
    assert lines[0] == f"`terraform init` failed on a copy of {tree}:"
    assert lines[1].strip() == (
        'main.tf:5: Reference to undeclared resource: A managed resource "aws_s3_bucket" '
        '"nope" has not been declared in the root module.'
    )
    assert lines[2].strip() == (
        'modules/m/main.tf:3: Unsupported argument: An argument named "bogus" is not expected here.'
    )
    assert error.rc == 1
    assert error.cmd == "terraform init -input=false -no-color"
    assert "Reference to undeclared resource" in error.stderr


def test_a_non_standard_exit_code_is_still_a_failure(
    fake: Path, tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # tftest itself only raises for exit codes 1 and 11.
    monkeypatch.setenv("FAKE_PLAN_RC", "3")
    with pytest.raises(ToolError) as caught:
        tf.plan_tree(tree, binary=str(fake), plugin_mirror=None, offline=False, work_dir=tmp_path / "work")
    assert caught.value.rc == 3
    assert "`terraform plan` failed" in str(caught.value)


def test_a_vanished_binary_names_how_to_install(tree: Path, tmp_path: Path) -> None:
    with pytest.raises(ToolError, match="OpenTofu"):
        tf.plan_tree(
            tree,
            binary=str(tmp_path / "gone"),
            plugin_mirror=None,
            offline=False,
            work_dir=tmp_path / "work",
        )


def test_work_dir_inside_the_tree_is_refused(tree: Path, fake: Path) -> None:
    with pytest.raises(UsageError, match="outside"):
        tf.plan_tree(tree, binary=str(fake), plugin_mirror=None, offline=False, work_dir=tree / "work")
    assert not (tree / "work").exists()


@pytest.mark.parametrize("name", ["docs_site_referer_secret", "x", "a" * 200, "cfgen_offline_secret_previous"])
def test_placeholders_are_secrets_an_alb_accepts(name: str) -> None:
    value = tf.placeholder(name)
    assert re.fullmatch(r"[A-Za-z0-9]{32,128}", value), value
    assert value.startswith("cfgenoffline") and value == tf.placeholder(name)


def test_placeholders_of_long_names_differ() -> None:
    base = "d" * 60
    assert tf.placeholder(base + "_secret") != tf.placeholder(base + "_secret_previous")


# --------------------------------------------------------------------------
# init started in the background
# --------------------------------------------------------------------------


def _read(tmp_path: Path, what: str, cmd: str) -> str:
    return (tmp_path / f"calls.log.{what}.{cmd}").read_text(encoding="utf-8").strip()


def test_providers_install_into_the_copy_while_the_tree_is_rendered(fake: Path, tmp_path: Path) -> None:
    rendered = tmp_path / "rendered"  # does not exist yet when init starts
    run = tf.PlanRun(tree=rendered, binary=str(fake), work_dir=tmp_path / "work", offline=True)
    with run:
        run.start_init(providers_only=True)
        _write(rendered, {"main.tf": 'provider "aws" {\n  region = "eu-west-1"\n}\n'})
        run.prepare()
        run.init()
        run.plan()
    calls = (tmp_path / "calls.log").read_text(encoding="utf-8").splitlines()
    assert calls[:2] == ["init -input=false -no-color", "get -no-color"]
    # init ran in a folder of its own holding only the providers (and the local backend) ...
    assert _read(tmp_path, "cwd", "init") == str(run.providers_dir.resolve())
    assert _read(tmp_path, "ls", "init").split() == sorted([tf.BACKEND_OVERRIDE_FILE, tf.PROVIDERS_ONLY_FILE])
    providers = (run.providers_dir / tf.PROVIDERS_ONLY_FILE).read_text(encoding="utf-8")
    assert f'version = "{_requirements.AWS_PROVIDER}"' in providers
    assert f'source  = "{_requirements.AWS_PROVIDER_SOURCE}"' in providers
    # ... into the copy's data folder, where get and plan find them, with the lock file it wrote.
    module_dir = str(run.module_dir.resolve())
    data_dir = str((run.module_dir / ".terraform").resolve())
    for cmd in ("init", "get", "plan"):
        assert _env_of(tmp_path, cmd)["TF_DATA_DIR"] == data_dir
    assert _read(tmp_path, "cwd", "get") == module_dir == _read(tmp_path, "cwd", "plan")
    assert tf.LOCK_FILE in _read(tmp_path, "ls", "plan").split()
    assert (run.module_dir / tf.LOCK_FILE).read_text(encoding="utf-8") == "# providers locked by the fake init\n"
    assert tf.PROVIDERS_ONLY_FILE not in _read(tmp_path, "ls", "plan").split()
    # The same run object plans again the plain way, from a fresh copy.
    run.run()
    assert (tmp_path / "calls.log").read_text(encoding="utf-8").splitlines()[-3:] == [
        "init -input=false -no-color",
        f"plan -input=false -no-color -lock=false -out={run.plan_file}",
        f"show -json -no-color {run.plan_file}",
    ]


def test_a_background_init_that_fails_is_reported_as_one_that_ran_in_front(
    fake: Path, tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stderr = tmp_path / "stderr.txt"
    stderr.write_text(UNDECLARED, encoding="utf-8")
    monkeypatch.setenv("FAKE_INIT_STDERR", str(stderr))
    for providers_only in (True, False):
        run = tf.PlanRun(tree=tree, binary=str(fake), work_dir=tmp_path / f"work-{providers_only}")
        with run, pytest.raises(ToolError) as caught:
            if not providers_only:
                run.prepare()
            run.start_init(providers_only=providers_only)
            if providers_only:
                run.prepare()
            run.init()
        lines = str(caught.value).splitlines()
        assert lines[0] == f"`terraform init` failed on a copy of {tree}:"
        assert lines[1].strip().startswith("main.tf:5: Reference to undeclared resource")
        assert caught.value.rc == 1
        assert "Reference to undeclared resource" in caught.value.stderr
    # A tree cfgen rendered into a temporary folder is named as the user knows it.
    run = tf.PlanRun(tree=tree, binary=str(fake), work_dir=tmp_path / "work-label", label="the render of spec.yaml")
    with run, pytest.raises(ToolError) as caught:
        run.start_init(providers_only=True)
        run.prepare()
        run.init()
    assert str(caught.value).splitlines()[0] == "`terraform init` failed on the render of spec.yaml:"


def test_leaving_the_run_stops_an_init_still_running(
    fake: Path, tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A spec error while the providers install: cfgen reports it without waiting for init,
    # and removes the work folder with nobody writing into it.
    monkeypatch.setenv("FAKE_INIT_SLEEP", "300")
    pid_file = tmp_path / "calls.log.pid"
    with (
        pytest.raises(RuntimeError, match="the spec is wrong"),
        tf.PlanRun(tree=tree, binary=str(fake), work_dir=tmp_path / "work") as run,
    ):
        run.start_init(providers_only=True)
        for _ in range(3000):  # the fake writes its pid as it starts
            if pid_file.exists() and pid_file.read_text(encoding="utf-8").strip():
                break
            time.sleep(0.01)
        raise RuntimeError("the spec is wrong")
    with pytest.raises(ProcessLookupError):  # ended and reaped
        os.kill(int(pid_file.read_text(encoding="utf-8")), 0)


def test_start_init_before_prepare_needs_providers_only(fake: Path, tree: Path, tmp_path: Path) -> None:
    run = tf.PlanRun(tree=tree, binary=str(fake), work_dir=tmp_path / "work")
    with pytest.raises(RuntimeError, match="prepare"):
        run.start_init()


def test_an_interrupt_while_init_waits_still_stops_it(
    fake: Path, tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SIGINT to cfgen alone (an IDE's stop button), after get, while the providers still install.
    monkeypatch.setenv("FAKE_INIT_SLEEP", "300")
    pid_file = tmp_path / "calls.log.pid"
    interrupt = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT))
    with pytest.raises(KeyboardInterrupt), tf.PlanRun(tree=tree, binary=str(fake), work_dir=tmp_path / "w") as run:
        run.start_init(providers_only=True)
        run.prepare()
        interrupt.start()
        run.init()
    interrupt.join()
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text(encoding="utf-8")), 0)


def test_providers_only_is_for_a_render_without_a_lock_file(fake: Path, tree: Path, tmp_path: Path) -> None:
    (tree / tf.LOCK_FILE).write_text("# the tree's own\n", encoding="utf-8")
    with tf.PlanRun(tree=tree, binary=str(fake), work_dir=tmp_path / "w") as run:
        run.start_init(providers_only=True)
        run.prepare()
        with pytest.raises(RuntimeError, match="is for a render"):
            run.init()
