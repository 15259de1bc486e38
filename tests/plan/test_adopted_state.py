"""A render from before the `adopted` resources plans no destroy: its state moves to the new addresses.

Renders before this change kept an adopted bucket's public access block,
ownership controls and policy at ``TYPE.this``, like a created bucket's.
Without a move, the next plan would destroy them (taking them off the bucket)
and create them again. The state below is what such a render left (written by
hand, planned without refresh so that no AWS call is made).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import EXAMPLES

from cfgen import write
from cfgen.harness import _terraform
from cfgen.render import render
from cfgen.spec import load_spec

pytestmark = pytest.mark.plan
PROVIDER = 'provider["registry.terraform.io/hashicorp/aws"]'
BUCKETS = {"web_assets": "shop-web-assets-example", "web_media": "shop-media-existing-example"}


def _resource(module: str, type_: str, attributes: dict[str, Any], index: int | None = None) -> dict[str, Any]:
    instance: dict[str, Any] = {"schema_version": 0, "attributes": attributes, "sensitive_attributes": []}
    if index is not None:
        instance["index_key"] = index
    return {
        "module": f"module.{module}",
        "mode": "managed",
        "type": type_,
        "name": "this",
        "provider": PROVIDER,
        "instances": [instance],
    }


def _old_state() -> dict[str, Any]:
    resources = []
    for module, bucket in BUCKETS.items():
        flags = dict.fromkeys(
            ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"), True
        )
        resources += [
            _resource(module, "aws_s3_bucket_public_access_block", {"id": bucket, "bucket": bucket, **flags}),
            _resource(
                module,
                "aws_s3_bucket_ownership_controls",
                {"id": bucket, "bucket": bucket, "rule": [{"object_ownership": "BucketOwnerEnforced"}]},
            ),
            _resource(module, "aws_s3_bucket_policy", {"id": bucket, "bucket": bucket, "policy": "{}"}),
        ]
    key = "arn:aws:kms:eu-west-1:111111111111:key/1a2b3c4d-5e6f-4a0b-9c8d-7e6f5a4b3c2d"
    resources.append(
        _resource(
            "web_media",
            "aws_s3_bucket_server_side_encryption_configuration",
            {
                "id": BUCKETS["web_media"],
                "bucket": BUCKETS["web_media"],
                "rule": [
                    {
                        "bucket_key_enabled": True,
                        "apply_server_side_encryption_by_default": [
                            {"sse_algorithm": "aws:kms", "kms_master_key_id": key}
                        ],
                    }
                ],
            },
            index=0,
        )
    )
    return {"version": 4, "terraform_version": "1.6.0", "serial": 1, "lineage": "cfgen-test", "resources": resources}


def test_an_older_renders_state_moves_and_nothing_is_destroyed(tmp_path: Path, plugin_mirror: Path) -> None:
    binary = _terraform.find_binary(None)
    tree = tmp_path / "tree"
    write.write(tree, render(load_spec(EXAMPLES / "s3-oac-kms" / "spec.yaml")).files, {"origins": []})
    (tree / _terraform.OFFLINE_OVERRIDE_FILE).write_text(_terraform.offline_override_text([]), encoding="utf-8")
    (tree / "terraform.tfstate").write_text(json.dumps(_old_state()), encoding="utf-8")
    (tmp_path / "cli.tfrc").write_text(_terraform.cli_config_text(plugin_mirror), encoding="utf-8")
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(tmp_path / "cli.tfrc"), "CHECKPOINT_DISABLE": "1", "TF_INPUT": "0"}

    def run(*args: str) -> str:
        done = subprocess.run([binary, f"-chdir={tree}", *args], capture_output=True, text=True, env=env)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    run("init", "-no-color")
    run("plan", "-no-color", "-refresh=false", "-lock=false", "-out=old.tfplan")
    plan = json.loads(run("show", "-json", "old.tfplan"))
    changes = {c["address"]: c for c in plan["resource_changes"]}
    assert not [a for a, c in changes.items() if "delete" in c["change"]["actions"]]
    moved = {a: c.get("previous_address") for a, c in changes.items() if c.get("previous_address")}
    assert moved == {
        **{
            f"module.web_media.{t}.adopted[0]": f"module.web_media.{t}.this"
            for t in ("aws_s3_bucket_public_access_block", "aws_s3_bucket_ownership_controls", "aws_s3_bucket_policy")
        },
        "module.web_media.aws_s3_bucket_server_side_encryption_configuration.adopted[0]": (
            "module.web_media.aws_s3_bucket_server_side_encryption_configuration.this[0]"
        ),
        # A created bucket's settings gained a count: Terraform moves them to index 0 by itself.
        **{
            f"module.web_assets.{t}.this[0]": f"module.web_assets.{t}.this"
            for t in ("aws_s3_bucket_public_access_block", "aws_s3_bucket_ownership_controls", "aws_s3_bucket_policy")
        },
    }
