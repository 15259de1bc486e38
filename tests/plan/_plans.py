"""What every plan test does: render a spec, plan it offline once, read the proofs.

A plan costs seconds, and many tests read the plan of the same tree: the
:class:`Planner` plans each tree once per test session and hands every later
caller (in any pytest-xdist worker) a fresh copy of the same plan JSON.
Breaking cases then edit that copy the way a bad hand edit would, so each
proof gets a failing fixture without a plan of its own.
"""

from __future__ import annotations

import copy
import fcntl
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from cfgen import _service, write
from cfgen.harness import _terraform
from cfgen.patterns import OriginBinding
from cfgen.render import Rendered, render
from cfgen.spec import load_spec

Plan = dict[str, Any]
# A plan, the bindings of its origins, and the rendered files.
Planned = tuple[Plan, list[OriginBinding], dict[str, str | bytes]]

# The real planner, kept before any test replaces the module attribute.
_PLAN_TREE = _terraform.plan_tree


class Planner:
    """``plan_tree`` with a cache shared by the session: one plan per tree and settings.

    Entries live in ``root`` (the session's base temp, which pytest-xdist
    workers share and pytest empties per session), keyed by the hash of every
    file terraform can read in the tree (cfgen's manifest is not one), the
    binary, the mirror, offline mode and the ``TF_VAR_*`` values. A file lock
    per key makes a second worker wait for the first one's plan instead of
    planning the same tree again. Failed plans are not cached.
    """

    def __init__(self, root: Path, mirror: Path) -> None:
        self.root = root
        self.mirror = mirror
        root.mkdir(parents=True, exist_ok=True)

    def plan_tree(
        self,
        tree: Path,
        *,
        binary: str,
        plugin_mirror: Path | None,
        offline: bool,
        work_dir: Path,
        progress: Callable[[str], None] | None = None,
        tf_vars: Mapping[str, str] | None = None,
    ) -> Plan:
        """Same contract as :func:`cfgen.harness._terraform.plan_tree`; a cache hit plans nothing."""
        key = _key(tree, binary=binary, mirror=plugin_mirror, offline=offline, tf_vars=tf_vars or {})
        entry = self.root / f"{key}.json"
        with open(self.root / f"{key}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not entry.exists():
                plan = _PLAN_TREE(
                    tree,
                    binary=binary,
                    plugin_mirror=plugin_mirror,
                    offline=offline,
                    work_dir=work_dir,
                    progress=progress,
                    tf_vars=tf_vars,
                )
                partial = entry.with_suffix(".partial")
                partial.write_text(json.dumps(plan), encoding="utf-8")
                partial.replace(entry)
        fresh: Plan = json.loads(entry.read_text(encoding="utf-8"))
        return fresh

    def plan_spec(self, spec: Path, tmp: Path, tf_vars: Mapping[str, str] | None = None) -> tuple[Plan, Rendered]:
        """Render ``spec`` into ``tmp/tree`` and plan it offline against the mirror (``tf_vars`` as TF_VAR_*)."""
        rendered = render(load_spec(spec))
        write.write(tmp / "tree", rendered.files, {"origins": []})
        plan = self.plan_tree(
            tmp / "tree",
            binary=_terraform.find_binary(None),
            plugin_mirror=self.mirror,
            offline=True,
            work_dir=tmp / "work",
            tf_vars=tf_vars,
        )
        return plan, rendered

    @contextmanager
    def shared(self) -> Iterator[None]:
        """Make ``cfgen test`` (``_service.test``) plan through this cache for the duration."""
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(_terraform, "plan_tree", self.plan_tree)
            yield


def _key(tree: Path, *, binary: str, mirror: Path | None, offline: bool, tf_vars: Mapping[str, str]) -> str:
    digest = hashlib.sha256()
    given = {**{k: v for k, v in os.environ.items() if k.startswith("TF_VAR_")}, **tf_vars}
    digest.update(json.dumps([binary, str(mirror), offline, sorted(given.items())]).encode())
    for path in sorted(p for p in tree.rglob("*") if p.is_file()):
        relative = path.relative_to(tree)
        if relative.as_posix() == write.MANIFEST or relative.parts[0] == ".terraform":
            continue
        digest.update(relative.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def plan_spec(
    spec: Path, tmp: Path, planner: Planner, tf_vars: Mapping[str, str] | None = None
) -> tuple[Plan, Rendered]:
    """Render ``spec`` into ``tmp/tree`` and plan it offline once per session (``tf_vars`` as TF_VAR_*)."""
    return planner.plan_spec(spec, tmp, tf_vars)


def planned_spec(spec: Path, tmp: Path, planner: Planner) -> Planned:
    """``plan_spec``'s plan with the bindings and files of the render."""
    plan, rendered = plan_spec(spec, tmp, planner)
    return plan, rendered.bindings, rendered.files


def broken(planned: Planned, break_it: Callable[[Plan], None]) -> dict[str, str]:
    """The proof results of a deep copy of ``planned``'s plan, edited by ``break_it``."""
    plan = copy.deepcopy(planned[0])
    break_it(plan)
    return proof_results(plan, planned[1])


def assert_fails(got: dict[str, str], check_id: str, message: str, also: set[str] | None = None) -> None:
    """``check_id`` fails saying ``message``, and no proof but it (and ``also``) fails: each break has its own."""
    assert message in got[check_id], got
    assert {k for k, v in got.items() if v} == {check_id, *(also or set())}, got


def plan_with_secrets(spec: Path, tmp: Path, mirror: Path, tf_vars: dict[str, str]) -> tuple[_terraform.PlanRun, Plan]:
    """Render ``spec`` into ``tmp/tree`` and plan it offline with ``TF_VAR_*`` values, as a user's pipeline would."""
    rendered = render(load_spec(spec))
    write.write(tmp / "tree", rendered.files, {"origins": []})
    run = _terraform.PlanRun(
        tree=tmp / "tree",
        binary=_terraform.find_binary(None),
        work_dir=tmp / "work",
        plugin_mirror=mirror,
        offline=True,
        tf_vars=tf_vars,
    )
    return run, run.run()


def proof_results(plan: Plan, bindings: list[OriginBinding]) -> dict[str, str]:
    """check id -> "" when the proof holds, else its message."""
    out: dict[str, str] = {}
    for finding in _service.prove(plan, bindings):
        out[finding.check_id] = finding.message
        assert finding.passed == (not finding.message)
    return out


def change(plan: Plan, address: str) -> dict[str, Any]:
    """The planned change of one resource instance."""
    found: dict[str, Any] = next(c for c in plan["resource_changes"] if c["address"] == address)["change"]
    return found


def planned(plan: Plan, address: str) -> dict[str, Any]:
    """The planned values (``after``) of one resource instance."""
    after: dict[str, Any] = change(plan, address)["after"]
    return after


def cfgen_test_edited(
    spec: Path, tmp: Path, mirror: Path, edit: Callable[[Path], None]
) -> tuple[int, list[dict[str, Any]]]:
    """Render ``spec``, let ``edit`` change the tree by hand, run `cfgen test --dir` on it.

    Returns the exit code and the findings that failed; asserts that the
    user's tree is left as the edit made it.
    """
    tree = tmp / "infra"
    cli = [sys.executable, "-m", "cfgen"]
    subprocess.run([*cli, "render", str(spec), "-o", str(tree)], check=True, capture_output=True)
    edit(tree)
    before = {p.relative_to(tree).as_posix(): p.read_bytes() for p in tree.rglob("*") if p.is_file()}
    result = subprocess.run(
        [*cli, "test", "--dir", str(tree), "--offline", "--plugin-mirror", str(mirror), "--format", "json"],
        capture_output=True,
        text=True,
    )
    after = {p.relative_to(tree).as_posix(): p.read_bytes() for p in tree.rglob("*") if p.is_file()}
    assert after == before, "the user's tree is untouched"
    assert result.stdout, result.stderr
    failed = [f for f in json.loads(result.stdout)["findings"] if not f["passed"]]
    return result.returncode, failed


def hand_edited_failures(
    spec: Path, tmp: Path, mirror: Path, edits: dict[str, tuple[str, str]]
) -> set[tuple[str, str]]:
    """Render ``spec``, edit the tree by hand (file -> (old, new)), and run `cfgen test --dir` on it.

    Asserts that the command exits 1; returns (check id, message) of every
    proof that failed.
    """

    def edit(tree: Path) -> None:
        for name, (old, new) in edits.items():
            path = tree / name
            text = path.read_text(encoding="utf-8")
            assert old in text, f"{name} has no {old!r}"
            path.write_text(text.replace(old, new, 1), encoding="utf-8")

    code, failed = cfgen_test_edited(spec, tmp, mirror, edit)
    assert code == 1, failed
    return {(f["check_id"], f["message"]) for f in failed if f["source"] == "proof"}


def replace_once(path: Path, old: str, new: str, *, after: str = "") -> None:
    """Replace the first ``old`` that follows ``after`` in ``path``: a hand edit that must apply."""
    text = path.read_text(encoding="utf-8")
    start = text.index(after) if after else 0
    at = text.index(old, start)
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")


def add_root(plan: dict[str, Any], type_: str, name: str, after: dict[str, Any], **refs: str) -> None:
    """A resource written by hand in the root module: ``after`` known, each of ``refs`` an unknown reference.

    ``rest_api_id="local.orders_api"`` is what a hand edit writes when a local
    holds ``module.api_orders_api.rest_api_id``: the plan shows only the local.
    """
    plan["resource_changes"].append(
        {
            "address": f"{type_}.{name}",
            "mode": "managed",
            "type": type_,
            "name": name,
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {
                "actions": ["create"],
                "before": None,
                "after": after,
                "after_unknown": {key: True for key in refs},
                "before_sensitive": False,
                "after_sensitive": {},
            },
        }
    )
    expressions: dict[str, Any] = {key: {"constant_value": value} for key, value in after.items()}
    expressions |= {key: {"references": [ref]} for key, ref in refs.items()}
    root = plan["configuration"]["root_module"]
    root.setdefault("resources", []).append(
        {"address": f"{type_}.{name}", "mode": "managed", "type": type_, "name": name, "expressions": expressions}
    )
