"""Run ``init``, ``plan`` and ``show -json`` on a throwaway copy of a root module.

Everything cfgen writes for a plan (the CLI configuration, the offline
provider override, the backend override, ``.terraform/``, the plan file)
goes into a work folder the caller owns; the user's tree and the user's
Terraform/OpenTofu CLI configuration are only ever read.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import stat
import subprocess
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatch
from functools import cache
from pathlib import Path
from typing import Any

from cfgen import _requirements
from cfgen.errors import ToolError, UsageError

__all__ = [
    "BACKEND_OVERRIDE_FILE",
    "BINARY_ENV",
    "GOGC",
    "LOCK_FILE",
    "OFFLINE_OVERRIDE_FILE",
    "OFFLINE_SECRETS_FILE",
    "PLUGIN_MIRROR_ENV",
    "PROVIDERS_ONLY_FILE",
    "OfflineSecrets",
    "PlanRun",
    "aws_provider_aliases",
    "check_tree",
    "cli_config_text",
    "copy_tree",
    "find_binary",
    "offline_override_text",
    "plan_tree",
    "registry_host",
    "resolve_plugin_mirror",
]

BINARY_ENV = "CFGEN_TF_BINARY"
PLUGIN_MIRROR_ENV = "CFGEN_PLUGIN_MIRROR"
OFFLINE_OVERRIDE_FILE = "cfgen_offline_override.tf"
# A local backend keeps the plan away from the user's remote state (which
# would need credentials and could be locked) whatever backend the tree names.
BACKEND_OVERRIDE_FILE = "cfgen_backend_override.tf"

_INSTALL_HINT = (
    "install OpenTofu (https://opentofu.org/docs/intro/install/) or Terraform "
    "(https://developer.hashicorp.com/terraform/install), "
    f"or name the binary with --binary or {BINARY_ENV}"
)

_MIRRORED = ("registry.terraform.io/hashicorp/*", "registry.opentofu.org/hashicorp/*")

# Build and state leftovers of the user's own runs: copying them would make
# the plan start from the user's state or reuse providers of another platform.
_COPY_IGNORED = (
    ".terraform",
    ".git",
    "*.tfstate",
    "*.tfstate.*",
    ".terraform.tfstate.lock.info",
    "*.tfplan",
    "tfplan",
)

# Variables of the user's shell that would change what our fixed commands do
# (extra arguments, another data dir or workspace) and so make the plan depend
# on the machine rather than on the tree.
_ENV_DROPPED = ("TF_CLI_ARGS", "TF_WORKSPACE")
_ENV_DROPPED_PREFIXES = ("TF_CLI_ARGS_",)
# With --offline the provider gets static mock keys; a profile or a real
# session token from the shell would be mixed into them or fail to load.
_ENV_DROPPED_OFFLINE = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
)

# Go's garbage collector target for terraform and the provider (which inherits
# it), unless the caller set one: each command is short-lived and decodes the
# provider's whole schema, and at 400 they spend about a third less CPU time
# (a core-second per plan) for some 10% more memory, cycles checkov's worker
# uses beside them.
GOGC = "400"

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_LOCATION = re.compile(r"^\s+on (\S+) line (\d+)")
# The source excerpt under a location, the values of its expressions, and the
# "with <address>," line: useful on a terminal, noise in a one-line error.
_CONTEXT = re.compile(r"^\s+(\d+:|[│├└]|\.\.\.$|with \S+,$)")
_TFTEST_RC = re.compile(r"^Error running command \S+: (-?\d+)")


# --------------------------------------------------------------------------
# Choosing the binary and the provider source
# --------------------------------------------------------------------------


def find_binary(explicit: str | None) -> str:
    """Return the path of the Terraform-compatible binary to run.

    Precedence: ``explicit`` (``--binary``), then ``$CFGEN_TF_BINARY``, then
    ``tofu`` when it is on PATH, else ``terraform``. A name that was asked
    for explicitly is never silently replaced by another one.
    """
    for value, origin in ((explicit, "--binary"), (os.environ.get(BINARY_ENV), BINARY_ENV)):
        if value:
            found = shutil.which(value)
            if found is None:
                raise ToolError(
                    f"{origin} names {value!r}, which is not an executable on PATH: {_INSTALL_HINT}",
                    cmd=value,
                )
            return found
    for name in ("tofu", "terraform"):
        found = shutil.which(name)
        if found is not None:
            return found
    raise ToolError(f"neither tofu nor terraform is on PATH: {_INSTALL_HINT}", cmd="tofu")


@cache
def registry_host(binary: str) -> str:
    """Return the registry host that ``hashicorp/aws`` resolves to for ``binary``.

    OpenTofu and Terraform read the same source address from different
    registries, which is the folder name a plugin mirror must use.
    """
    try:
        done = subprocess.run(
            [binary, "version"],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "CHECKPOINT_DISABLE": "1"},
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ToolError(f"cannot run `{binary} version` ({exc}): {_INSTALL_HINT}", cmd=f"{binary} version") from exc
    if done.returncode != 0:
        raise ToolError(
            f"`{binary} version` failed with exit code {done.returncode}: {_INSTALL_HINT}",
            cmd=f"{binary} version",
            rc=done.returncode,
            stderr=done.stderr,
        )
    if "opentofu" in done.stdout.lower():
        return "registry.opentofu.org"
    return "registry.terraform.io"


def resolve_plugin_mirror(explicit: str | Path | None) -> Path | None:
    """Return the provider mirror folder from ``--plugin-mirror`` or ``$CFGEN_PLUGIN_MIRROR``."""
    value = explicit if explicit else os.environ.get(PLUGIN_MIRROR_ENV) or None
    if value is None:
        return None
    mirror = Path(value).expanduser().resolve()
    if not mirror.is_dir():
        origin = "--plugin-mirror" if explicit else PLUGIN_MIRROR_ENV
        raise UsageError(
            f"{origin} names {str(value)!r}, which is not a folder: point it at the output of "
            "`terraform providers mirror` or `tofu providers mirror`"
        )
    return mirror


# --------------------------------------------------------------------------
# Files written into the work folder
# --------------------------------------------------------------------------


def cli_config_text(plugin_mirror: Path | None) -> str:
    """Return the CLI configuration that cfgen's own init uses.

    With a mirror, hashicorp providers come only from it (from either
    registry's address, so one mirror serves both tools); anything else is
    still fetched directly.
    """
    if plugin_mirror is None:
        return "provider_installation {\n  direct {}\n}\n"
    include = ", ".join(json.dumps(p) for p in _MIRRORED)
    # json.dumps gives a string literal that HCL reads back unchanged, even for
    # a path with quotes or backslashes.
    return (
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f"    path    = {json.dumps(str(plugin_mirror))}\n"
        f"    include = [{include}]\n"
        "  }\n"
        "  direct {\n"
        f"    exclude = [{include}]\n"
        "  }\n"
        "}\n"
    )


def _ignored(_folder: str, names: list[str]) -> set[str]:
    return {n for n in names if any(fnmatch(n, pattern) for pattern in _COPY_IGNORED)}


def check_tree(tree: Path) -> None:
    """Refuse a tree that would make cfgen read outside it, or block on reading.

    A tree handed to ``cfgen test --dir`` is input: a link in it to
    ``/etc/...`` or ``../secrets`` would be copied into the plan's work folder
    and scanned; a FIFO or a device would hang or flood the copy. Links that
    stay inside the tree are fine. What the copy leaves out (``.terraform``,
    state) is not looked at.
    """
    top = tree.resolve()
    for folder, dirs, files in os.walk(tree):
        skipped = _ignored(folder, dirs + files)
        dirs[:] = [d for d in dirs if d not in skipped]
        for name in [n for n in dirs + files if n not in skipped]:
            path = Path(folder) / name
            if path.is_symlink():
                target = path.resolve()
                if not target.is_relative_to(top):
                    raise UsageError(
                        f"{path} links to {target}, outside {tree}: cfgen reads nothing outside the folder it "
                        "tests; copy the file in instead of linking it"
                    )
            mode = path.lstat().st_mode if not path.is_symlink() else path.stat().st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                raise UsageError(f"{path} is not a regular file or folder (a pipe, socket or device); remove it")


def copy_tree(src: Path, dst: Path) -> None:
    """Copy the root module ``src`` to ``dst`` without state, plans or ``.terraform`` (see :func:`check_tree`).

    ``dst`` may exist: what is in it stays unless the tree has a file of the same name.
    """
    check_tree(src)
    shutil.copytree(src, dst, ignore=_ignored, symlinks=False, dirs_exist_ok=True)


def _mask(text: str, *, strings: bool) -> str:
    """Blank comments (and, if asked, string contents) keeping every offset.

    The offsets must stay put because block boundaries found in the masked
    text are used to cut the original one.
    """
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#" or text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out[i:end] = " " * (end - i)
            i = end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out[i:end] = [ch if ch == "\n" else " " for ch in text[i:end]]
            i = end
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"' and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            if strings:
                out[i + 1 : j] = " " * (j - i - 1)
            i = j + 1
        else:
            i += 1
    return "".join(out)


_AWS_PROVIDER = re.compile(r'(?<![\w-])provider\s+"aws"\s*\{')
_MODULE = re.compile(r'(?<![\w-])module\s+"([^"]+)"\s*\{')
_VARIABLE = re.compile(r'(?<![\w-])variable\s+"([^"]+)"\s*\{')
_ALIAS = re.compile(r'(?<![\w-])alias\s*=\s*"([^"]+)"')
_SOURCE = re.compile(r'(?<![\w-])source\s*=\s*"([^"]+)"')
_FROM = re.compile(r'(?<![\w-])from\s*=\s*"([^"]+)"')
_SENSITIVE = re.compile(r"(?<![\w-])sensitive\s*=\s*true\b")
_DEFAULT = re.compile(r"(?<![\w-])default\s*=")


def _block_bodies(text: str, header: re.Pattern[str]) -> Iterable[tuple[re.Match[str], str]]:
    """Yield each block of one HCL file whose header matches, with the top level of its body.

    Nested blocks (``assume_role``, ``validation``) are left out, so that only
    the block's own arguments are seen.
    """
    no_comments = _mask(text, strings=False)
    bare = _mask(text, strings=True)
    for match in header.finditer(no_comments):
        if bare[match.start()] != no_comments[match.start()]:
            continue  # inside a string
        depth, i = 1, match.end()
        top: list[str] = []
        while i < len(bare) and depth:
            char = bare[i]
            depth += {"{": 1, "}": -1}.get(char, 0)
            if depth == 1 and char != "}":
                top.append(no_comments[i])
            i += 1
        yield match, "".join(top)


def _root_blocks(tree: Path, header: re.Pattern[str]) -> Iterable[tuple[re.Match[str], str]]:
    for tf_file in sorted(tree.glob("*.tf")):
        yield from _block_bodies(tf_file.read_text(encoding="utf-8", errors="replace"), header)


def aws_provider_aliases(tree: Path) -> list[str]:
    """Return the aliases of the ``provider "aws"`` blocks of the root module, sorted."""
    aliases: set[str] = set()
    for _, body in _root_blocks(tree, _AWS_PROVIDER):
        found = _ALIAS.search(body)
        if found:
            aliases.add(found.group(1))
    return sorted(aliases)


# --------------------------------------------------------------------------
# Secrets in an offline plan
# --------------------------------------------------------------------------

SECRET_MODULE_SOURCE = "./modules/origin-secret"
OFFLINE_SECRETS_FILE = "cfgen_offline_secrets.tf"
OFFLINE_SECRET_VARIABLES = ("cfgen_offline_secret_current", "cfgen_offline_secret_previous")


@dataclass(frozen=True)
class OfflineSecrets:
    """What an offline plan supplies in place of secrets it cannot read.

    ``modules`` are ``origin-secret`` calls that read Secrets Manager or SSM
    (an AWS call at plan time): the copy switches them to two sensitive
    variables of its own. ``variables`` are sensitive root variables without
    a default that the environment does not set. Both get placeholder values
    through ``TF_VAR_*``, so the plan treats them exactly as real secrets
    (sensitive, not literals in the configuration).
    """

    modules: tuple[str, ...] = ()
    variables: tuple[str, ...] = ()

    @classmethod
    def of(cls, tree: Path, environ: Mapping[str, str]) -> OfflineSecrets:
        modules = [
            match.group(1)
            for match, body in _root_blocks(tree, _MODULE)
            if (source := _SOURCE.search(body)) is not None
            and source.group(1).rstrip("/") == SECRET_MODULE_SOURCE
            and ((found := _FROM.search(body)) is None or found.group(1) != "variable")
        ]
        variables = [
            match.group(1)
            for match, body in _root_blocks(tree, _VARIABLE)
            if _SENSITIVE.search(body) and not _DEFAULT.search(body) and f"TF_VAR_{match.group(1)}" not in environ
        ]
        return cls(modules=tuple(sorted(set(modules))), variables=tuple(sorted(set(variables))))

    def tf_vars(self) -> dict[str, str]:
        names = list(self.variables) + (list(OFFLINE_SECRET_VARIABLES) if self.modules else [])
        return {name: placeholder(name) for name in names}

    def variables_text(self) -> str:
        """The extra file declaring the variables that stand in for AWS-held secrets ("" if none)."""
        if not self.modules:
            return ""
        blocks = [
            f'variable "{name}" {{\n  type      = string\n  sensitive = true\n}}\n' for name in OFFLINE_SECRET_VARIABLES
        ]
        header = (
            "# Written by `cfgen test --offline` into its temporary copy only:\n"
            "# stand-ins for secrets that Secrets Manager or SSM would give.\n"
        )
        return header + "\n".join(blocks)

    def override_text(self) -> str:
        current, previous = OFFLINE_SECRET_VARIABLES
        return "".join(
            f'\nmodule "{name}" {{\n  from     = "variable"\n  current  = var.{current}\n'
            f"  previous = var.{previous}\n}}\n"
            for name in self.modules
        )


def placeholder(name: str) -> str:
    """A recognisable stand-in secret that passes every check cfgen's modules make of a real one.

    Letters and digits only, 32 to 128 of them: an ALB compares header values
    case-insensitively and reads ``*`` and ``?`` as wildcards, so the modules
    refuse any other secret. The digest keeps two long names apart.
    """
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:32]
    return "cfgenoffline" + re.sub(r"[^A-Za-z0-9]", "", name)[:48] + digest


def offline_override_text(aliases: Iterable[str], secrets: OfflineSecrets | None = None) -> str:
    """Return the override file that gives every aws provider mock credentials.

    Override files merge per block, so the region and every other argument
    of the user's blocks stay as configured. A default block is written even
    when the tree has none: Terraform and OpenTofu accept an override of the
    implicit default provider, not of a missing alias.
    """
    settings = (
        '  access_key                  = "mock"\n'
        '  secret_key                  = "mock"\n'
        "  skip_credentials_validation = true\n"
        "  skip_requesting_account_id  = true\n"
        "  skip_metadata_api_check     = true\n"
        "  skip_region_validation      = true\n"
    )
    blocks = [f'provider "aws" {{\n{settings}}}\n']
    blocks += [
        f'provider "aws" {{\n  alias                       = {json.dumps(alias)}\n{settings}}}\n'
        for alias in sorted(set(aliases))
    ]
    header = (
        "# Written by `cfgen test --offline` into its temporary copy only:\n"
        "# mock credentials so that the plan never calls AWS.\n"
    )
    return header + "\n".join(blocks) + (secrets.override_text() if secrets else "")


# The root module `init` installs providers for while cfgen renders the tree
# (PlanRun.start_init): the providers every tree cfgen renders requires.
PROVIDERS_ONLY_FILE = "cfgen_providers_only.tf"
LOCK_FILE = ".terraform.lock.hcl"
_PROVIDERS_ONLY_TEXT = (
    "# Written by `cfgen test` beside its temporary copy: the providers to\n"
    "# install into the copy's .terraform/ while the tree is rendered.\n"
    "terraform {\n"
    "  required_providers {\n"
    "    aws = {\n"
    f'      source  = "{_requirements.AWS_PROVIDER_SOURCE}"\n'
    f'      version = "{_requirements.AWS_PROVIDER}"\n'
    "    }\n"
    "  }\n"
    "}\n"
)

_BACKEND_OVERRIDE_TEXT = (
    "# Written by `cfgen test` into its temporary copy only: plan against\n"
    "# empty local state, never the tree's own backend.\n"
    'terraform {\n  backend "local" {}\n}\n'
)


# --------------------------------------------------------------------------
# Turning terraform's output into one readable error
# --------------------------------------------------------------------------


def _clean(output: str) -> list[str]:
    """Strip colours and the outer box terraform draws around a coloured diagnostic."""
    lines = []
    for raw in _ANSI.sub("", output).splitlines():
        line = raw.rstrip()
        if line.strip() in ("╷", "╵"):
            continue
        if line.startswith("│"):
            line = line[2:] if line.startswith("│ ") else line[1:]
        lines.append(line)
    return lines


def _diagnostics(output: str) -> list[str]:
    """Return one line per ``Error:`` diagnostic in terraform's output."""
    lines = _clean(output)
    found: list[str] = []
    i = 0
    while i < len(lines):
        if not lines[i].startswith("Error: "):
            i += 1
            continue
        summary = lines[i][len("Error: ") :].strip()
        where = ""
        detail: list[str] = []
        i += 1
        while i < len(lines) and not lines[i].startswith(("Error: ", "Warning: ")):
            line = lines[i]
            location = _LOCATION.match(line)
            if location:
                where = where or f"{location.group(1)}:{location.group(2)}: "
            elif line.strip() and not _CONTEXT.match(line):
                detail.append(line.strip())
            i += 1
        text = " ".join(detail)
        if len(text) > 400:
            text = text[:397] + "..."
        found.append(f"{where}{summary}" + (f": {text}" if text else ""))
    return found


def _first_lines(output: str, count: int = 5) -> list[str]:
    return [line.strip() for line in _clean(output) if line.strip()][:count]


# --------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------


@dataclass
class PlanRun:
    """One plan of a copy of ``tree`` inside ``work_dir``.

    ``work_dir`` is the caller's (usually a temporary folder it deletes):
    the copy goes to ``module_dir``, next to ``cli_config_file``,
    ``plan_file`` and ``plan_json_file``. ``tf_vars`` reach terraform as
    ``TF_VAR_*`` variables, so values never show in a process listing.
    """

    tree: Path
    binary: str
    work_dir: Path
    plugin_mirror: Path | None = None
    offline: bool = False
    progress: Callable[[str], None] | None = None
    tf_vars: Mapping[str, str] = field(default_factory=dict)
    # What errors call the tree, when its path means nothing to the user (a render in a temporary folder).
    label: str | None = None
    # Placeholders of the secrets an offline plan cannot read (see OfflineSecrets).
    _secret_vars: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    # An `init` started by start_init, and whether it installs providers only.
    _background: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)
    _providers_only: bool = field(default=False, init=False, repr=False)

    @property
    def module_dir(self) -> Path:
        return self.work_dir / "module"

    @property
    def providers_dir(self) -> Path:
        return self.work_dir / "providers"

    @property
    def cli_config_file(self) -> Path:
        return self.work_dir / "cfgen.tfrc"

    @property
    def plan_file(self) -> Path:
        return self.work_dir / "cfgen.tfplan"

    @property
    def plan_json_file(self) -> Path:
        return self.work_dir / "plan.json"

    def run(self) -> dict[str, Any]:
        """Copy, init, plan and show; return the plan JSON (also written to ``plan_json_file``)."""
        with self:
            self.prepare()
            self.init()
            self.plan()
            return self.show()

    def __enter__(self) -> PlanRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start_init(self, *, providers_only: bool = False) -> None:
        """Start ``init`` in the background; :meth:`init` waits for it.

        After :meth:`prepare` it initializes the copy. With ``providers_only``
        it runs before, in a folder of its own (``providers_dir``) that holds
        only the providers every tree cfgen renders requires
        (:mod:`cfgen._requirements`), into the copy's data folder: they install
        while the caller renders the tree. :meth:`init` then installs the
        tree's modules (``get``) beside it and takes its lock file. Use it only
        for a tree cfgen renders: another tree's providers would not be installed.
        """
        if self._background is not None:
            raise RuntimeError("init already started")
        self._setup_work_dir()
        if providers_only:
            for folder in (self.module_dir, self.providers_dir):
                if folder.exists():
                    shutil.rmtree(folder)
                folder.mkdir()
            (self.providers_dir / PROVIDERS_ONLY_FILE).write_text(_PROVIDERS_ONLY_TEXT, encoding="utf-8")
            (self.providers_dir / BACKEND_OVERRIDE_FILE).write_text(_BACKEND_OVERRIDE_TEXT, "utf-8")
        elif not self.module_dir.is_dir():
            raise RuntimeError("start_init: prepare() the copy first, or pass providers_only")
        self._providers_only = providers_only
        # Output goes to files, not pipes: nobody reads it until init exits.
        with (
            open(self.work_dir / "init.out", "wb") as out,
            open(self.work_dir / "init.err", "wb") as err,
        ):
            try:
                self._background = subprocess.Popen(
                    [self.binary, "init", "-input=false", "-no-color"],
                    cwd=self.providers_dir if providers_only else self.module_dir,
                    env=self._process_env(),
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=err,
                )
            except OSError as exc:
                raise ToolError(f"cannot run {self.binary}: {_INSTALL_HINT}", cmd=f"{self._name} init") from exc
        if self.progress is not None:
            self.progress("init")

    def _wait(self) -> None:
        """Wait for the ``init`` :meth:`start_init` started (if still running); raise if it failed."""
        process = self._background
        if process is None:
            return
        process.wait()  # still the run's to stop if this is interrupted
        self._background = None
        if process.returncode == 0:
            return
        out, err = (self.work_dir / "init.out", self.work_dir / "init.err")
        raise self._failure(
            "init",
            f"{self._name} init -input=false -no-color",
            process.returncode,
            out.read_text("utf-8", errors="replace"),
            err.read_text("utf-8", errors="replace"),
        )

    def stop(self) -> None:
        """Stop an ``init`` still running in the background (the caller failed before it waited)."""
        process, self._background = self._background, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def prepare(self) -> None:
        """Copy the tree and write cfgen's files next to and into the copy."""
        tree = self.tree.resolve()
        if not tree.is_dir():
            raise UsageError(f"{self.tree} is not a folder: pass the folder of a root module")
        self._setup_work_dir()
        # With providers_only, init is installing them into the copy's .terraform/: keep it.
        if self.module_dir.exists() and not self._providers_only:
            shutil.rmtree(self.module_dir)
        copy_tree(tree, self.module_dir)
        (self.module_dir / BACKEND_OVERRIDE_FILE).write_text(_BACKEND_OVERRIDE_TEXT, "utf-8")
        if self.offline:
            given = {**os.environ, **{f"TF_VAR_{k}": v for k, v in self.tf_vars.items()}}
            secrets = OfflineSecrets.of(self.module_dir, given)
            override = offline_override_text(aws_provider_aliases(self.module_dir), secrets)
            (self.module_dir / OFFLINE_OVERRIDE_FILE).write_text(override, encoding="utf-8")
            if secrets.modules:
                (self.module_dir / OFFLINE_SECRETS_FILE).write_text(secrets.variables_text(), encoding="utf-8")
            self._secret_vars = secrets.tf_vars()

    def init(self) -> None:
        """Run ``init``, or wait for the one :meth:`start_init` started.

        After a providers-only init, ``get`` installs the tree's modules
        while the providers still install (``get`` writes only
        ``.terraform/modules``, which init leaves alone in a folder without
        module calls), and the copy takes the lock file init wrote.
        """
        if self._providers_only:
            self._step("init", "get", "-no-color")
            self._wait()
            lock = self.module_dir / LOCK_FILE
            if lock.exists():
                # Its own lock may pin other versions than the ones just installed.
                raise RuntimeError(f"{self.tree} has a {LOCK_FILE}: start_init(providers_only=True) is for a render")
            shutil.copyfile(self.providers_dir / LOCK_FILE, lock)
            self._providers_only = False  # the copy is a whole root module now; a next run starts over
        elif self._background is not None:
            self._wait()
        else:
            self._step("init", "init", "-input=false", "-no-color")

    def plan(self) -> None:
        self.plan_file.unlink(missing_ok=True)
        self._step("plan", "plan", "-input=false", "-no-color", "-lock=false", f"-out={self.plan_file}")

    def show(self) -> dict[str, Any]:
        out = self._step("show", "show", "-json", "-no-color", str(self.plan_file))
        try:
            raw = json.loads(out)
        except json.JSONDecodeError as exc:
            raise ToolError(
                f"`{self._name} show -json` printed something that is not JSON ({exc}); upgrade {self._name}",
                cmd=f"{self._name} show -json",
            ) from exc
        if not isinstance(raw, dict):
            raise ToolError(
                f"`{self._name} show -json` did not print a JSON object",
                cmd=f"{self._name} show -json",
            )
        self.plan_json_file.write_text(out, encoding="utf-8")
        return raw

    # -- internals -------------------------------------------------------

    @property
    def _name(self) -> str:
        return Path(self.binary).name

    def _env(self) -> dict[str, str]:
        env = {
            # Always our own file: the user's (or a missing one named by the
            # shell) must not decide where providers come from.
            "TF_CLI_CONFIG_FILE": str(self.cli_config_file.resolve()),
            "TF_DATA_DIR": str((self.module_dir / ".terraform").resolve()),
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            # Terraform's update check is a network call on every command.
            "CHECKPOINT_DISABLE": "1",
        }
        env.update({f"TF_VAR_{k}": v for k, v in {**self._secret_vars, **self.tf_vars}.items()})
        if self.offline:
            env["AWS_EC2_METADATA_DISABLED"] = "true"
        return env

    def _process_env(self) -> dict[str, str]:
        """The environment of every step: the caller's, without what would change the plan, and :meth:`_env`."""
        dropped = set(_ENV_DROPPED) | (set(_ENV_DROPPED_OFFLINE) if self.offline else set())
        env = {
            key: value
            for key, value in os.environ.items()
            if key != "TF_LOG" and key not in dropped and not key.startswith(_ENV_DROPPED_PREFIXES)
        }
        env.update(self._env())
        env.setdefault("GOGC", GOGC)
        return env

    def _setup_work_dir(self) -> None:
        tree = self.tree.resolve()
        work = self.work_dir.resolve()
        if work == tree or work.is_relative_to(tree):
            # copytree would copy the work folder into itself, forever.
            raise UsageError(f"the work folder {self.work_dir} must be outside {self.tree}")
        self.work_dir.mkdir(parents=True, exist_ok=True)
        config = cli_config_text(self.plugin_mirror)
        # Written once per run: an init started in the background may be reading it.
        if not self.cli_config_file.exists() or self.cli_config_file.read_text(encoding="utf-8") != config:
            self.cli_config_file.write_text(config, encoding="utf-8")

    def _terraform_test(self) -> Any:
        import tftest

        # tftest logs every failure at CRITICAL; without a handler, Python's
        # last-resort handler would print the whole output on stderr.
        tftest_logger = logging.getLogger("tftest")
        if not tftest_logger.handlers:
            tftest_logger.addHandler(logging.NullHandler())
        # An explicit cache_dir spares tftest an inspect.stack() walk.
        test = tftest.TerraformTest(
            str(self.module_dir.resolve()),
            binary=self.binary,
            env=self._env(),
            cache_dir=str(self.work_dir / ".tftest-cache"),
        )
        test.env = self._process_env()  # tftest's own starts from os.environ, whole
        return test

    def _step(self, label: str, cmd: str, *args: str) -> str:
        import tftest

        if self.progress is not None:
            self.progress(label)
        cmdline = " ".join([self._name, cmd, *args])
        try:
            result = self._terraform_test().execute_command(cmd, *args)
        except tftest.TerraformTestError as exc:
            message = str(exc.args[0]) if exc.args else str(exc)
            stderr = str(exc.cmd_error or "")
            if "executable not found" in message:
                raise ToolError(f"cannot run {self.binary}: {_INSTALL_HINT}", cmd=cmdline) from exc
            rc_match = _TFTEST_RC.match(message)
            rc = int(rc_match.group(1)) if rc_match else None
            raise self._failure(cmd, cmdline, rc, message, stderr) from exc
        # tftest raises only for exit codes 1 and 11; anything else non-zero
        # (a signal, a crash) would otherwise pass as success.
        if result.retcode != 0:
            raise self._failure(cmd, cmdline, result.retcode, result.out, result.err or "")
        return str(result.out)

    def _failure(self, cmd: str, cmdline: str, rc: int | None, out: str, err: str) -> ToolError:
        found = _diagnostics(err) or _diagnostics(out) or _first_lines(err or out)
        shown = found[:3]
        if len(found) > 3:
            shown.append(f"(and {len(found) - 3} more)")
        hint = ""
        joined = " ".join(found)
        if cmd == "init" and ("provider" in joined.lower()) and self.plugin_mirror is None:
            hint = (
                f"\n  (no provider mirror in use: pass --plugin-mirror DIR or set "
                f"{PLUGIN_MIRROR_ENV} to a `{self._name} providers mirror` folder, "
                "or check network access to the registry)"
            )
        body = "\n  ".join(shown) if shown else f"exit code {rc}"
        return ToolError(
            f"`{self._name} {cmd}` failed on {self.label or f'a copy of {self.tree}'}:\n  {body}{hint}",
            cmd=cmdline,
            rc=rc,
            stderr=err,
        )


def plan_tree(
    tree: Path,
    *,
    binary: str,
    plugin_mirror: Path | None,
    offline: bool,
    work_dir: Path,
    progress: Callable[[str], None] | None = None,
    tf_vars: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Plan a copy of the root module ``tree`` in ``work_dir`` and return ``show -json``.

    ``progress`` is called with ``"init"``, ``"plan"`` and ``"show"`` as each
    step starts. Raises :class:`ToolError` with terraform's first errors when
    a step fails. See :class:`PlanRun` for the files left in ``work_dir``.
    """
    return PlanRun(
        tree=tree,
        binary=binary,
        work_dir=work_dir,
        plugin_mirror=plugin_mirror,
        offline=offline,
        progress=progress,
        tf_vars=dict(tf_vars or {}),
    ).run()


# --------------------------------------------------------------------------
# After apply: the root module's outputs
# --------------------------------------------------------------------------

OUTPUT_TIMEOUT = 300.0


def read_outputs(tree: Path, binary: str) -> Any:
    """``BINARY -chdir=TREE output -json``, parsed: the outputs of the state the user's backend holds.

    Run in the user's own initialised folder with the user's configuration
    (their backend, their credentials), unlike a plan, which runs on a copy.
    """
    name = Path(binary).name
    cmdline = f"{name} -chdir={tree} output -json"
    env = {k: v for k, v in os.environ.items() if k not in _ENV_DROPPED and not k.startswith(_ENV_DROPPED_PREFIXES)}
    env.update({"TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "CHECKPOINT_DISABLE": "1"})
    try:
        done = subprocess.run(
            [binary, f"-chdir={tree}", "output", "-json", "-no-color"],
            capture_output=True,
            text=True,
            env=env,
            stdin=subprocess.DEVNULL,
            timeout=OUTPUT_TIMEOUT,
            check=False,
        )
    except OSError as exc:
        raise ToolError(f"cannot run {binary} ({exc.strerror or exc}): {_INSTALL_HINT}", cmd=cmdline) from None
    except subprocess.TimeoutExpired:
        raise ToolError(f"`{cmdline}` did not finish in {OUTPUT_TIMEOUT:g} s", cmd=cmdline) from None
    if done.returncode != 0:
        found = (
            _diagnostics(done.stderr) or _first_lines(done.stderr or done.stdout) or [f"exit code {done.returncode}"]
        )
        raise ToolError(
            f"`{cmdline}` failed:\n  " + "\n  ".join(found[:3]) + "\n  (run `init` there, or pass --outputs FILE)",
            cmd=cmdline,
            rc=done.returncode,
            stderr=done.stderr,
        )
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError as exc:
        raise ToolError(f"`{cmdline}` printed something that is not JSON ({exc})", cmd=cmdline) from None
