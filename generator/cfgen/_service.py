"""Orchestration: load -> render -> write, and render -> plan -> prove -> check.

Each public function is one command of the CLI, minus the printing: it takes
paths and options and returns data, raising :class:`~cfgen.errors.CfgenError`
for anything the user must fix.

The spec models, templates and patterns take a third of a second to import:
each function imports what it uses, so that ``cfgen test`` has terraform
installing providers while they load.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import _resources, write
from ._regular import NotRegular, read_limited
from .errors import UsageError

if TYPE_CHECKING:
    from . import verify as verifier
    from .explain import OriginExplanation
    from .harness.results import Finding
    from .harness.tree import RootModule
    from .patterns import OriginBinding
    from .patterns.distribution import DistributionBinding
    from .render import Rendered
    from .spec import LoadedSpec

__all__ = ["RenderOutcome", "explain_spec", "render_spec", "test", "validate", "verify"]

Progress = Callable[[str], None]


def validate(spec_path: Path) -> LoadedSpec:
    """Load and check a spec; raises SpecError listing every problem."""
    from .spec import load_spec

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
    from .render import render
    from .spec import load_spec

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

    What terraform waits for starts first and the rest runs beside it:
    ``init`` installs the providers while the spec is rendered (or while
    the manifest of ``--dir`` is read), checkov's worker imports checkov and
    scans the HCL while terraform plans, and it scans the plan JSON as soon
    as ``show`` returns, while the proofs run here.
    """
    from .harness import _terraform

    if spec_path is None and tree is None:
        raise UsageError("give a SPEC to render and test, or --dir with a tree cfgen rendered")
    tf_binary = _terraform.find_binary(binary)
    mirror = _terraform.resolve_plugin_mirror(plugin_mirror)
    with tempfile.TemporaryDirectory(prefix="cfgen-test-") as scratch:
        root = Path(scratch)
        run = _terraform.PlanRun(
            tree=tree or root / "tree",
            binary=tf_binary,
            work_dir=root / "work",
            plugin_mirror=mirror,
            offline=offline,
            progress=progress,
            label=f"the render of {spec_path}" if tree is None else None,
        )
        with run:
            if tree is None:
                run.start_init(providers_only=True)
            else:
                if spec_path is None:
                    _require_manifest(tree)  # before anything starts
                run.prepare()  # checks the tree before checkov reads it too
                run.start_init()
            from .harness import _checkov
            from .harness.tree import RootModule

            with _checkov.Scanner([_resources.policies_dir()]) as checkov:
                if tree is None:
                    assert spec_path is not None
                    bindings, distributions = _render_for_test(spec_path, run.tree)
                    run.prepare()
                else:
                    bindings, distributions = _bindings_of(spec_path, tree)
                checkov.scan_hcl(run.tree)  # the tree as written, not the copy with cfgen's overrides
                run.init()
                run.plan()
                plan = run.show()
                checkov.scan_plan(run.plan_json_file)
                findings = prove(plan, bindings, distributions, RootModule.read(run.tree))
                if progress:
                    progress("checkov")
                findings += checkov.results()
    return findings


def _render_for_test(spec_path: Path, tree: Path) -> tuple[list[OriginBinding], list[DistributionBinding]]:
    from .render import render
    from .spec import load_spec

    loaded = load_spec(spec_path)
    rendered = render(loaded)
    write.write(tree, rendered.files, _manifest_extra(loaded, rendered))
    return rendered.bindings, rendered.distributions


def _bindings_of(spec_path: Path | None, tree: Path) -> tuple[list[OriginBinding], list[DistributionBinding]]:
    """What the proofs of ``tree`` are about: from the spec it was rendered from, or from its manifest."""
    from .render import render
    from .spec import load_spec

    if spec_path is not None:
        rendered = render(load_spec(spec_path))
        return rendered.bindings, rendered.distributions
    return _bindings_from_manifest(tree), _distributions_from_manifest(tree)


def prove(
    plan: dict[str, Any],
    bindings: list[OriginBinding],
    distributions: list[DistributionBinding] | None = None,
    root: RootModule | None = None,
) -> list[Finding]:
    """Run each origin's proofs, then each distribution-wide proof, on a plan (of the tree ``root`` was read from)."""
    from .harness.plan import PlanView
    from .harness.tree import RootModule
    from .patterns import PATTERNS
    from .patterns.distribution import DISTRIBUTION_PROOFS

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
    from .explain import explain, from_manifest
    from .spec import load_spec

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
    from .explain import explain

    extra: dict[str, Any] = {
        "spec": loaded.path.name,
        "origins": [b.as_dict() for b in rendered.bindings],
        # What `explain --dir` and `verify` read: the paths of each origin, as this render closes them.
        "explain": [e.as_dict() for e in explain(loaded)],
        "verify": _verify_targets(loaded, rendered),
    }
    signed = [d.as_dict() for d in rendered.distributions if d.signed_behaviors]
    if signed:  # only what a proof needs, so trees without signed behaviors keep their manifest
        extra["distributions"] = signed
    return extra


def _verify_targets(loaded: LoadedSpec, rendered: Rendered) -> list[dict[str, Any]]:
    """What `verify` requests for each origin: the path through its distribution, and the same request direct."""
    from . import verify as verifier
    from .spec import verify_target

    origins = {(d.name, o.id): (d, o) for d in loaded.spec.distributions for o in d.origins}
    targets = []
    for binding in rendered.bindings:
        target = verify_target(*origins[(binding.distribution, binding.origin)])
        targets.append(
            verifier.Target(
                binding.distribution, binding.origin, binding.pattern, target.path, target.direct_path, target.note
            ).as_dict()
        )
    return targets


# `output -json` of a root module cfgen rendered is a few kilobytes; a user's own outputs may add some.
_MAX_OUTPUTS_BYTES = 16 * 1024 * 1024


def verify(
    tree: Path,
    *,
    outputs_file: Path | None,
    binary: str | None,
    dry_run: bool,
    connect_to: Sequence[str] = (),
    ca_bundle: Path | None = None,
    timeout: float = 10.0,
    max_time: float = 120.0,
    progress: Callable[[int, int], None] | None = None,
) -> list[verifier.Result]:
    """Probe every origin of a tree cfgen rendered and that was applied; ``dry_run`` sends nothing."""
    import secrets

    from . import verify as verifier
    from .harness import _http, _terraform

    if not 0 < timeout <= 300 or not 0 < max_time <= 3600:
        raise UsageError("--timeout takes 0 to 300 seconds and --max-time 0 to 3600")
    mappings = [_http.ConnectTo.parse(text) for text in connect_to]
    client = _http.Client(ca_bundle=ca_bundle, connect_to=mappings)
    if not tree.is_dir():
        raise UsageError(f"{tree} is not a folder; pass the folder `cfgen render -o` wrote")
    manifest = write.read_manifest(tree)
    where = str(tree / write.MANIFEST)
    if not manifest:
        raise UsageError(f"{tree} has no {write.MANIFEST}; pass the folder `cfgen render -o` wrote")
    targets = verifier.targets_from_manifest(manifest.get("verify"), where)
    if outputs_file is not None:
        data, source = _read_outputs_file(outputs_file), str(outputs_file)
    else:
        data, source = _terraform.read_outputs(tree, _terraform.find_binary(binary)), f"the outputs of {tree}"
    planned = verifier.plan(targets, verifier.endpoints_from_outputs(data, source), source)
    if dry_run:
        return verifier.not_sent(planned)
    # A value no deployment holds (letters and digits, as an ALB header secret must be): the only secret sent.
    wrong = "cfgenverifywrong" + secrets.token_hex(24)
    return verifier.run(
        planned, client.request, wrong_secret=wrong, timeout=timeout, max_time=max_time, progress=progress
    )


def _read_outputs_file(path: Path) -> Any:
    try:
        raw = read_limited(path, _MAX_OUTPUTS_BYTES)
    except FileNotFoundError:
        raise UsageError(f"--outputs {path}: no such file; save it with `tofu output -json > FILE`") from None
    except NotRegular as exc:
        raise UsageError(f"--outputs {path} is {exc.kind}; give the file `output -json` was saved to") from None
    except OSError as exc:
        raise UsageError(f"--outputs {path}: cannot read it ({exc.strerror or exc})") from None
    if len(raw) > _MAX_OUTPUTS_BYTES:
        raise UsageError(f"--outputs {path} is over {_MAX_OUTPUTS_BYTES // 2**20} MiB; not the output of a root module")
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise UsageError(f"--outputs {path}: not JSON ({type(exc).__name__}); save it with `output -json`") from None


def _distributions_from_manifest(tree: Path) -> list[DistributionBinding]:
    from .patterns.distribution import DistributionBinding

    manifest = write.read_manifest(tree)
    try:
        return [DistributionBinding.from_dict(item) for item in manifest.get("distributions", [])]
    except (KeyError, TypeError):
        raise UsageError(f"{tree / write.MANIFEST} is from another cfgen version; render again") from None


def _require_manifest(tree: Path) -> dict[str, Any]:
    if not tree.is_dir():
        raise UsageError(f"{tree} is not a folder; pass the folder `cfgen render -o` wrote")
    manifest = write.read_manifest(tree)
    if not manifest:
        raise UsageError(f"{tree} has no {write.MANIFEST}; pass the SPEC it was rendered from as well")
    return manifest


def _bindings_from_manifest(tree: Path) -> list[OriginBinding]:
    from .patterns import PATTERNS, OriginBinding

    manifest = _require_manifest(tree)
    try:
        bindings = [OriginBinding(**item) for item in manifest.get("origins", [])]
    except TypeError:
        raise UsageError(f"{tree / write.MANIFEST} is from another cfgen version; render again") from None
    unknown = [b.pattern for b in bindings if b.pattern not in PATTERNS]
    if unknown:
        raise UsageError(f"{tree / write.MANIFEST} names unknown patterns {unknown}; upgrade cfgen")
    return bindings
