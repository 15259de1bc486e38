"""What every plan test does: render a spec, plan it offline once, read the proofs.

Breaking cases then deep-copy the plan JSON and edit it the way a bad hand
edit would, so each proof gets a failing fixture without a plan of its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cfgen import _service, write
from cfgen.harness import _terraform
from cfgen.patterns import OriginBinding
from cfgen.render import Rendered, render
from cfgen.spec import load_spec

Plan = dict[str, Any]


def plan_spec(spec: Path, tmp: Path, mirror: Path, tf_vars: dict[str, str] | None = None) -> tuple[Plan, Rendered]:
    """Render ``spec`` into ``tmp/tree`` and plan it offline against the mirror (``tf_vars`` as TF_VAR_*)."""
    rendered = render(load_spec(spec))
    write.write(tmp / "tree", rendered.files, {"origins": []})
    plan = _terraform.plan_tree(
        tmp / "tree",
        binary=_terraform.find_binary(None),
        plugin_mirror=mirror,
        offline=True,
        work_dir=tmp / "work",
        tf_vars=tf_vars,
    )
    return plan, rendered


def proof_results(plan: Plan, bindings: list[OriginBinding]) -> dict[str, str]:
    """check id -> "" when the proof holds, else its message."""
    out: dict[str, str] = {}
    for finding in _service.prove(plan, bindings):
        out[finding.check_id] = finding.message
        assert finding.passed == (not finding.message)
    return out


def change(plan: Plan, address: str) -> dict[str, Any]:
    """The planned change of one resource instance."""
    found: dict[str, Any] = next(c["change"] for c in plan["resource_changes"] if c["address"] == address)
    return found


def planned(plan: Plan, address: str) -> dict[str, Any]:
    """The planned values (``after``) of one resource instance."""
    after: dict[str, Any] = change(plan, address)["after"]
    return after
