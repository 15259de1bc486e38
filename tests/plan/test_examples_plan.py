"""Each example plans offline against the stored provider, passes `cfgen test`, and proves what it explains."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import EXAMPLES

from cfgen import _service
from cfgen.explain import explain
from cfgen.harness.report import summary
from cfgen.spec import load_spec

pytestmark = pytest.mark.plan
CASES = sorted(p.parent for p in EXAMPLES.glob("*/spec.yaml"))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_example_passes_cfgen_test(case: Path, plugin_mirror: Path) -> None:
    findings = _service.test(case / "spec.yaml", None, offline=True, binary=None, plugin_mirror=str(plugin_mirror))
    failed = [f"{f.check_id} {f.address}: {f.message}" for f in findings if not f.passed]
    assert not failed
    proofs = [f for f in findings if f.source == "proof"]
    assert proofs, "an example without proofs proves nothing"
    assert summary(findings)[1] == 0

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
