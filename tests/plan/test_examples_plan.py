"""Each example plans offline against the stored provider, passes `cfgen test`, and proves what it explains."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES
from tests.plan._plans import Planner, plan_spec

from cfgen import _resources, _service
from cfgen.explain import explain
from cfgen.harness._checkov import run_checkov
from cfgen.harness.report import summary
from cfgen.patterns import PATTERNS
from cfgen.spec import load_spec
from cfgen.verify import endpoints_from_outputs

pytestmark = pytest.mark.plan
CASES = sorted(p.parent for p in EXAMPLES.glob("*/spec.yaml"))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_example_passes_cfgen_test(case: Path, shared_plans: Planner) -> None:
    findings = _service.test(
        case / "spec.yaml", None, offline=True, binary=None, plugin_mirror=str(shared_plans.mirror)
    )
    failed = [f"{f.check_id} {f.address}: {f.message}" for f in findings if not f.passed]
    assert not failed
    proofs = [f for f in findings if f.source == "proof"]
    assert proofs, "an example without proofs proves nothing"
    assert summary(findings).failed == 0

    # What `explain` promises is what `test` ran: every proof a path names ran for that
    # origin, and every proof that ran closes (or narrows) a path it is filed under.
    for origin in explain(load_spec(case / "spec.yaml")):
        ran = {f.check_id: f for f in proofs if f.origin == origin.label}
        for p in origin.paths:
            missing = set(p.proofs) - set(ran)
            assert not missing, f"{origin.label}: path {p.key} names {sorted(missing)}, which cfgen test did not run"
        declared = {proof for p in origin.paths for proof in p.proofs}
        orphans = set(ran) - declared
        assert not orphans, f"{origin.label}: proofs {sorted(orphans)} ran but no path of the declaration names them"
        for check_id, finding in ran.items():
            assert finding.paths == tuple(p.key for p in origin.paths if check_id in p.proofs)


def test_a_module_call_skip_covers_what_only_the_plan_finds(planner: Planner, tmp_path: Path) -> None:
    """CKV_AWS_145 (default encryption with KMS) has a result on the plan only; the spec's skip still reaches it."""
    plan, _ = plan_spec(EXAMPLES / "s3-oac-basic" / "spec.yaml", tmp_path, planner)
    plan_json = tmp_path / "plan.json"
    plan_json.write_text(json.dumps(plan), encoding="utf-8")
    tree, checks = tmp_path / "tree", [_resources.policies_dir()]

    def kms_check(plan_file: Path | None) -> list[tuple[str, str, str]]:
        findings = run_checkov(tree, plan_file, external_checks=checks)
        return [(f.result, f.file, f.message) for f in findings if f.check_id == "CKV_AWS_145"]

    ((result, file, message),) = kms_check(plan_json)
    assert (result, file) == ("skipped", "modules/s3-origin/main.tf")
    assert message.startswith("No kms in the spec")
    # Without the skip on the module call (a comment: the plan stays the same) the
    # plan's failure stands, and the HCL alone would not have found it.
    main = tree / "main.tf"
    lines = main.read_text(encoding="utf-8").splitlines(keepends=True)
    main.write_text("".join(line for line in lines if "checkov:skip=CKV_AWS_145" not in line), encoding="utf-8")
    assert [result for result, _, _ in kms_check(plan_json)] == ["failed"]
    assert kms_check(None) == []


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_plan_outputs_what_verify_probes(case: Path, planner: Planner, tmp_path: Path) -> None:
    """`cfgen_endpoints` is planned, not sensitive, and holds each endpoint the origin's probes need."""
    plan, rendered = plan_spec(case / "spec.yaml", tmp_path, planner)
    change = plan["output_changes"]["cfgen_endpoints"]
    assert change["after_sensitive"] is False, "nothing secret goes into the endpoints"
    known, unknown = change["after"] or {}, change["after_unknown"] or {}
    assert set(known) | set(unknown) == {b.label for b in rendered.bindings}
    for binding in rendered.bindings:
        probes = PATTERNS[binding.pattern].probes
        planned = {**known.get(binding.label, {}), **unknown.get(binding.label, {})}
        assert {p.endpoint for p in probes if not p.optional} <= set(planned) <= {p.endpoint for p in probes}
        # The values known at plan time are URLs verify accepts (the rest, a domain name, after apply).
        urls = {k: v for k, v in known.get(binding.label, {}).items() if isinstance(v, str)}
        assert endpoints_from_outputs({binding.label: urls}, "plan") == {binding.label: urls}
