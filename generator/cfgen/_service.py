"""Orchestration: load -> render -> write, and render -> plan -> prove -> check.

Each public function is one command of the CLI, minus the printing: it takes
paths and options and returns data, raising :class:`~cfgen.errors.CfgenError`
for anything the user must fix.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import _resources, write
from .errors import UsageError
from .explain import OriginExplanation, explain, from_manifest
from .harness.plan import PlanView
from .harness.results import Finding
from .harness.tree import RootModule
from .patterns import PATTERNS, OriginBinding
from .patterns.distribution import DISTRIBUTION_PROOFS, DistributionBinding
from .render import Rendered, render
from .spec import LoadedSpec, load_spec

__all__ = ["RenderOutcome", "explain_spec", "render_spec", "test", "validate"]

Progress = Callable[[str], None]


def validate(spec_path: Path) -> LoadedSpec:
    """Load and check a spec; raises SpecError listing every problem."""
    return load_spec(spec_path)


@dataclass(frozen=True)
class RenderOutcome:
    loaded: LoadedSpec
    written: write.WriteResult | None = None
    drift: list[write.Drift] | None = None
    diff: str = ""


def render_spec(
    spec_path: Path,
    out_dir: Path,
    *,
    check: bool = False,
    show_diff: bool = False,
    force: bool = False,
) -> RenderOutcome:
    """Render ``spec_path`` into ``out_dir``, or (check/diff) compare without writing."""
    loaded = load_spec(spec_path)
    rendered = render(loaded)
    extra = _manifest_extra(loaded, rendered)
    if check or show_diff:
        drift = write.check(out_dir, rendered.files, extra)
        text = write.diff(out_dir, rendered.files, extra) if show_diff else ""
        return RenderOutcome(loaded=loaded, drift=drift, diff=text)
    return RenderOutcome(loaded=loaded, written=write.write(out_dir, rendered.files, extra, force=force))


def test(
    spec_path: Path | None,
    tree: Path | None,
    *,
    offline: bool,
    binary: str | None,
    plugin_mirror: str | None,
    progress: Progress | None = None,
) -> list[Finding]:
    """Plan a rendered tree and return every proof and checkov finding.

    checkov starts first, in a worker process: its import and the HCL scan
    run while terraform plans, and the plan JSON is scanned as soon as
    ``show`` returns, while the proofs run here.
    """
    from .harness import _checkov, _terraform

    if spec_path is None and tree is None:
        raise UsageError("give a SPEC to render and test, or --dir with a tree cfgen rendered")
    tf_binary = _terraform.find_binary(binary)
    mirror = _terraform.resolve_plugin_mirror(plugin_mirror)
    with (
        tempfile.TemporaryDirectory(prefix="cfgen-test-") as scratch,
        _checkov.Scanner([_resources.policies_dir()]) as checkov,
    ):
        root = Path(scratch)
        if tree is None:
            assert spec_path is not None
            loaded = load_spec(spec_path)
            rendered = render(loaded)
            tree = root / "tree"
            write.write(tree, rendered.files, _manifest_extra(loaded, rendered))
            bindings, distributions = rendered.bindings, rendered.distributions
        elif spec_path is not None:
            rendered = render(load_spec(spec_path))
            bindings, distributions = rendered.bindings, rendered.distributions
        else:
            bindings = _bindings_from_manifest(tree)
            distributions = _distributions_from_manifest(tree)
        _terraform.check_tree(tree)  # before checkov reads it too
        checkov.scan_hcl(tree)
        plan = _terraform.plan_tree(
            tree,
            binary=tf_binary,
            plugin_mirror=mirror,
            offline=offline,
            work_dir=root / "work",
            progress=progress,
        )
        plan_file = root / "plan.json"
        plan_file.write_text(json.dumps(plan, separators=(",", ":")), encoding="utf-8")
        checkov.scan_plan(plan_file)
        findings = prove(plan, bindings, distributions, RootModule.read(tree))
        if progress:
            progress("checkov")
        findings += checkov.results()
    return findings


def prove(
    plan: dict[str, Any],
    bindings: list[OriginBinding],
    distributions: list[DistributionBinding] | None = None,
    root: RootModule | None = None,
) -> list[Finding]:
    """Run each origin's proofs, then each distribution-wide proof, on a plan (of the tree ``root`` was read from)."""
    view = PlanView(plan)
    findings: list[Finding] = []
    for binding in bindings:
        threats = PATTERNS[binding.pattern].threats
        findings += [
            replace(f, paths=threats.paths_closed_by(f.check_id))
            for f in PATTERNS[binding.pattern].prove(view, binding)
        ]
    for distribution in distributions or []:
        for proof in DISTRIBUTION_PROOFS:
            findings += proof(view, distribution, root or RootModule())
    return findings


def explain_spec(spec_path: Path | None, tree: Path | None) -> list[OriginExplanation]:
    """Every path to every origin of a spec, or of a tree cfgen rendered (from its manifest)."""
    if (spec_path is None) == (tree is None):
        raise UsageError("give a SPEC, or --dir with a tree cfgen rendered (not both)")
    if spec_path is not None:
        return explain(load_spec(spec_path))
    assert tree is not None
    if not tree.is_dir():
        raise UsageError(f"{tree} is not a folder; pass the folder `cfgen render -o` wrote")
    manifest = write.read_manifest(tree)
    if not manifest:
        raise UsageError(f"{tree} has no {write.MANIFEST}; pass the SPEC it was rendered from instead")
    return from_manifest(manifest.get("explain"), str(tree / write.MANIFEST))


def _manifest_extra(loaded: LoadedSpec, rendered: Rendered) -> dict[str, Any]:
    extra: dict[str, Any] = {
        "spec": loaded.path.name,
        "origins": [b.as_dict() for b in rendered.bindings],
        # What `explain --dir` and `verify` read: the paths of each origin, as this render closes them.
        "explain": [e.as_dict() for e in explain(loaded)],
    }
    signed = [d.as_dict() for d in rendered.distributions if d.signed_behaviors]
    if signed:  # only what a proof needs, so trees without signed behaviors keep their manifest
        extra["distributions"] = signed
    return extra


def _distributions_from_manifest(tree: Path) -> list[DistributionBinding]:
    manifest = write.read_manifest(tree)
    try:
        return [DistributionBinding.from_dict(item) for item in manifest.get("distributions", [])]
    except (KeyError, TypeError):
        raise UsageError(f"{tree / write.MANIFEST} is from another cfgen version; render again") from None


def _bindings_from_manifest(tree: Path) -> list[OriginBinding]:
    if not tree.is_dir():
        raise UsageError(f"{tree} is not a folder; pass the folder `cfgen render -o` wrote")
    manifest = write.read_manifest(tree)
    if not manifest:
        raise UsageError(f"{tree} has no {write.MANIFEST}; pass the SPEC it was rendered from as well")
    try:
        bindings = [OriginBinding(**item) for item in manifest.get("origins", [])]
    except TypeError:
        raise UsageError(f"{tree / write.MANIFEST} is from another cfgen version; render again") from None
    unknown = [b.pattern for b in bindings if b.pattern not in PATTERNS]
    if unknown:
        raise UsageError(f"{tree / write.MANIFEST} names unknown patterns {unknown}; upgrade cfgen")
    return bindings
