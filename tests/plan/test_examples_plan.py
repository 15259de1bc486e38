"""Each example plans offline against the stored provider and passes `cfgen test`."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import EXAMPLES
from tests.plan._plans import Planner

from cfgen import _service
from cfgen.harness.report import summary

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
