"""Adopting a bucket takes nothing away from it, proved by a real apply and destroy against moto.

The bucket exists before cfgen: it has a policy statement of its owner (a
Deny of unencrypted uploads) and a public access block. cfgen's render adopts
it. After apply the owner's statement is still in the policy, next to
cfgen's, and the block is unchanged. `terraform destroy` stops before it
changes anything; once the adopted settings are released from the state (the
README's two lines), destroy removes the distribution and the OAC, and the
bucket keeps its block, its ownership controls and its owner's statement.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.apply._moto import Applied, Moto

from cfgen import write
from cfgen.render import render
from cfgen.spec import load_spec

pytestmark = pytest.mark.apply
BUCKET = "shop-adopted-apply-test"
OWNERS = {
    "Sid": "DenyUnencryptedUploads",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:PutObject",
    "Resource": f"arn:aws:s3:::{BUCKET}/*",
    "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}},
}
BLOCK = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
SPEC = f"""\
version: 1
project: shop
region: eu-west-1
distributions:
  - name: web
    origins:
      - id: assets
        type: s3
        bucket: {{name: {BUCKET}, create: false, current_policy: bucket-policy.json}}
    behaviors:
      - {{path: default, origin: assets}}
"""


@pytest.fixture
def moto(tmp_path: Path) -> Iterator[Moto]:
    server = Moto.start(tmp_path / "moto.log")
    try:
        yield server
    finally:
        server.stop()


def statements(s3: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])["Statement"]
    return found


def settings(s3: Any) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The bucket's public access block, ownership rules and policy statements."""
    block = s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]
    ownership = s3.get_bucket_ownership_controls(Bucket=BUCKET)["OwnershipControls"]["Rules"]
    return block, ownership, statements(s3)


def test_an_adopted_bucket_keeps_its_statement_and_block_through_apply_and_destroy(
    tmp_path: Path, moto: Moto, plugin_mirror: Path
) -> None:
    s3, cloudfront = moto.client("s3"), moto.client("cloudfront")
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_public_access_block(Bucket=BUCKET, PublicAccessBlockConfiguration=BLOCK)
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": [OWNERS]}))

    # What the owner does once: save the policy, as `cfgen validate` says (get-bucket-policy --query Policy).
    (tmp_path / "bucket-policy.json").write_text(s3.get_bucket_policy(Bucket=BUCKET)["Policy"], encoding="utf-8")
    (tmp_path / "spec.yaml").write_text(SPEC, encoding="utf-8")
    write.write(tmp_path / "infra", render(load_spec(tmp_path / "spec.yaml")).files, {"origins": []})
    infra = Applied.copy_of(tmp_path / "infra", tmp_path / "work", moto, plugin_mirror)

    infra.run("apply", "-auto-approve", "-no-color")
    block, ownership, applied = settings(s3)
    assert block == BLOCK
    assert ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    assert applied[0] == OWNERS, "the owner's statement is kept as it was"
    assert [s.get("Sid") for s in applied[1:]] == [
        "AllowCloudFrontServicePrincipalReadOnly",
        "DenyObjectReadsNotThroughThisDistribution",
        "DenyInsecureTransport",
    ]
    (distribution,) = cloudfront.list_distributions()["DistributionList"]["Items"]
    assert distribution["ARN"] in json.dumps(applied[1]["Condition"])

    refused = infra.run("destroy", "-auto-approve", "-no-color", check=False)
    assert refused.returncode != 0
    assert "Instance cannot be destroyed" in refused.stderr
    assert settings(s3) == (block, ownership, applied), "a refused destroy changes nothing"
    assert cloudfront.list_distributions()["DistributionList"].get("Quantity") == 1

    # README, "Adopting what exists": release what is kept, then destroy.
    kept = [a for a in infra.run("state", "list").stdout.split() if ".adopted[" in a]
    assert sorted(kept) == sorted(
        f"module.web_assets.{t}.adopted[0]"
        for t in ("aws_s3_bucket_public_access_block", "aws_s3_bucket_ownership_controls", "aws_s3_bucket_policy")
    )
    infra.run("state", "rm", *kept)
    infra.run("destroy", "-auto-approve", "-no-color")

    assert infra.run("state", "list").stdout.strip() == ""
    assert cloudfront.list_distributions()["DistributionList"].get("Quantity", 0) == 0
    assert cloudfront.list_origin_access_controls()["OriginAccessControlList"].get("Quantity", 0) == 0
    block_after, ownership_after, statements_after = settings(s3)
    assert block_after == BLOCK
    assert ownership_after == ownership
    assert OWNERS in statements_after
