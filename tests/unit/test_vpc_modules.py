"""What the plan JSON cannot show of the VPC modules: lifecycle settings a replacement depends on."""

from __future__ import annotations

from typing import Any

import hcl2

from cfgen import _resources


def _resource(module: str, type_: str, name: str) -> dict[str, Any]:
    with (_resources.modules_dir() / module / "main.tf").open(encoding="utf-8") as handle:
        blocks = hcl2.load(handle)["resource"]
    found: dict[str, Any] = next(b[type_][name] for b in blocks if type_ in b and name in b[type_])
    return found


def test_a_replaced_endpoint_exists_before_the_old_one_goes() -> None:
    """The chain keeps a way in while the API's policy moves to the new endpoint's id."""
    lifecycle = _resource("private-api-origin", "aws_vpc_endpoint", "execute_api")["lifecycle"][0]
    assert lifecycle["create_before_destroy"] == [True]
