"""A canary secret, planned for every example that has a secret, is nowhere in the plan JSON without a sensitive mark.

Whatever Terraform plans or stores unmarked, ``plan``, ``show`` and ``state
show`` print: each example whose origins read a secret is planned once with
canary values for every secret variable (the root's own, and the stand-ins of
the offline harness for Secrets Manager and SSM), and every value of the plan
JSON is read beside its sensitive marks (``tests/plan/_sensitive.py``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES
from tests.plan._plans import Planner, plan_spec
from tests.plan._sensitive import unmarked

from cfgen.harness import _terraform
from cfgen.patterns import pattern_for
from cfgen.patterns._secret import SecretCall
from cfgen.spec import load_spec

pytestmark = pytest.mark.plan

# Letters and digits only: the ALB secrets refuse anything else (header values are case-insensitive wildcards).
CANARY = "canaryCurrent7e1d3c5b9a8f4e2d6c0b1a9f8e7d6c5b"
CANARY_PREVIOUS = "canaryPrevious3a5c7e9b1d2f4a6c8e0b2d4f6a8c0e2b"


def secret_calls(spec_path: Path) -> list[SecretCall]:
    """Every origin-secret call the render of ``spec_path`` makes."""
    spec = load_spec(spec_path).spec
    return [
        call
        for dist in spec.distributions
        for origin in dist.origins
        for call in pattern_for(origin.type, origin.protection).view(spec, dist, origin).secrets
    ]


def canary_vars(calls: list[SecretCall]) -> dict[str, str]:
    """TF_VAR values that put the canaries wherever the render reads a secret."""
    names = [variable.name for call in calls for variable in call.variables]
    if any(not call.variables for call in calls):  # Secrets Manager or SSM: the offline stand-ins
        names += _terraform.OFFLINE_SECRET_VARIABLES
    return {name: CANARY_PREVIOUS if name.endswith("_previous") else CANARY for name in names}


CASES = sorted(p.parent for p in EXAMPLES.glob("*/spec.yaml") if secret_calls(p))


def test_some_example_has_a_secret() -> None:
    assert CASES, "no example reads a secret: this test would prove nothing"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_no_canary_secret_is_unmarked_in_the_plan(case: Path, tmp_path: Path, planner: Planner) -> None:
    spec = case / "spec.yaml"
    plan, _ = plan_spec(spec, tmp_path, planner, canary_vars(secret_calls(spec)))
    text = json.dumps(plan)
    assert CANARY in text and CANARY_PREVIOUS in text, "the canaries did not reach the plan"
    assert unmarked(plan, [CANARY, CANARY_PREVIOUS]) == []
