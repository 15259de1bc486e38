"""A render from before lb-listener moves its listener and rule in state instead of replacing them.

The listener and the X-Origin-Verify rule moved from ``vpc-origin`` and
``private-api-origin`` into the ``lb-listener`` module they call; ``moved``
blocks carry the state over. Without them a plan would destroy the listener
and create a new one on the same port (a conflict, or an outage). The state
here is written by hand with the old addresses; the plan skips refresh, so
no AWS call is made.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES

from cfgen.harness import _terraform

pytestmark = pytest.mark.plan

_LISTENER_ARN = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:listener/app/old/0a1b2c3d/4e5f6071"
_PROVIDER = 'provider["registry.terraform.io/hashicorp/aws"]'
# example -> (its secret variable, {old address: new address})
CASES = {
    "alb-vpc-origin": (
        "app_web_origin_verify_secret",
        {
            "module.app_web.aws_lb_listener.this[0]": "module.app_web.module.listener[0].aws_lb_listener.this[0]",
            "module.app_web.aws_lb_listener_rule.origin_verify[0]": (
                "module.app_web.module.listener[0].aws_lb_listener_rule.origin_verify[0]"
            ),
        },
    ),
    "private-api-vpc-origin": (
        "api_orders_origin_verify_secret",
        {
            "module.api_orders.aws_lb_listener.https": "module.api_orders.module.listener.aws_lb_listener.this[0]",
            "module.api_orders.module.vpc_origin.aws_lb_listener_rule.origin_verify[0]": (
                "module.api_orders.module.vpc_origin.module.listener[0].aws_lb_listener_rule.origin_verify[0]"
            ),
        },
    ),
}


def _state(old_addresses: list[str]) -> dict[str, object]:
    resources = []
    for n, address in enumerate(old_addresses):
        module, _, local = address.rpartition(".aws_")
        type_, name = ("aws_" + local).split(".")
        name, _, key = name.partition("[")
        instance: dict[str, object] = {"schema_version": 0, "attributes": {"id": f"{_LISTENER_ARN}/{n}"}}
        if key:
            instance["index_key"] = int(key.rstrip("]"))
        resources.append(
            {
                "module": module,
                "mode": "managed",
                "type": type_,
                "name": name,
                "provider": _PROVIDER,
                "instances": [instance],
            }
        )
    return {"version": 4, "terraform_version": "1.6.0", "serial": 1, "lineage": "cfgen-test", "resources": resources}


@pytest.mark.parametrize("example", sorted(CASES))
def test_the_listener_and_its_rule_move_into_lb_listener(example: str, tmp_path: Path, plugin_mirror: Path) -> None:
    secret_variable, moves = CASES[example]
    tree = tmp_path / "tree"
    shutil.copytree(EXAMPLES / example / "generated", tree)
    (tree / _terraform.OFFLINE_OVERRIDE_FILE).write_text(_terraform.offline_override_text([]), encoding="utf-8")
    (tree / "terraform.tfstate").write_text(json.dumps(_state(list(moves))), encoding="utf-8")
    (tmp_path / "cli.tfrc").write_text(_terraform.cli_config_text(plugin_mirror), encoding="utf-8")
    binary = _terraform.find_binary(None)
    env = {
        **os.environ,
        "TF_CLI_CONFIG_FILE": str(tmp_path / "cli.tfrc"),
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "CHECKPOINT_DISABLE": "1",
        "AWS_EC2_METADATA_DISABLED": "true",
        f"TF_VAR_{secret_variable}": _terraform.placeholder(secret_variable),
    }

    def run(*args: str) -> str:
        done = subprocess.run([binary, *args], cwd=tree, env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    run("init", "-no-color")
    run("plan", "-refresh=false", "-no-color", "-out=plan.bin")
    plan = json.loads(run("show", "-json", "plan.bin"))
    moved = {c["previous_address"]: c["address"] for c in plan["resource_changes"] if c.get("previous_address")}
    assert moved == moves
