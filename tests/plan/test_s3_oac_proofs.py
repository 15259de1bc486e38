"""The S3 + OAC proofs hold on cfgen's plan, and each one fails when its guarantee is broken.

One real offline plan of the basic example is taken per session; each
failing case edits a copy of that plan's JSON the way a hand edit of the HCL
would change it, so every proof has a fixture that makes it fail without
paying for a plan each.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import EXAMPLES, REPO
from tests.plan._plans import (
    Plan,
    Planner,
    cfgen_test_edited,
    change,
    plan_spec,
    planned,
    proof_results,
    replace_once,
)

from cfgen.errors import ToolError
from cfgen.harness import _terraform
from cfgen.patterns import OriginBinding

pytestmark = pytest.mark.plan
BASIC = EXAMPLES / "s3-oac-basic" / "spec.yaml"
KMS = EXAMPLES / "s3-oac-kms" / "spec.yaml"
GUARD_SID = "DenyObjectReadsNotThroughThisDistribution"
DISTRIBUTION = "module.site.aws_cloudfront_distribution.this"
KNOWN_ARN = "arn:aws:cloudfront::111111111111:distribution/E2KNOWNDIST"


@pytest.fixture(scope="module")
def basic(tmp_path_factory: pytest.TempPathFactory, planner: Planner) -> tuple[Plan, list[OriginBinding]]:
    plan, rendered = plan_spec(BASIC, tmp_path_factory.mktemp("basic"), planner)
    return plan, rendered.bindings


@pytest.fixture(scope="module")
def kms(tmp_path_factory: pytest.TempPathFactory, planner: Planner) -> tuple[Plan, list[OriginBinding]]:
    plan, rendered = plan_spec(KMS, tmp_path_factory.mktemp("kms"), planner)
    return plan, rendered.bindings


def results(plan: Plan, bindings: list[OriginBinding]) -> dict[str, str]:
    """check id -> "" when it holds, else its message (first origin only)."""
    return proof_results(plan, bindings[:1])


def module_resource(plan: Plan, module: str, address: str) -> dict[str, Any]:
    call = plan["configuration"]["root_module"]["module_calls"][module]["module"]
    return next(r for r in call["resources"] if r["address"] == address)


def bucket_statement(plan: Plan) -> dict[str, Any]:
    document = module_resource(plan, "site_assets", "data.aws_iam_policy_document.bucket_policy")
    return next(s for s in document["expressions"]["statement"] if s["effect"]["constant_value"] == "Allow")


def guard(plan: Plan, module: str = "site_assets", document: str = "bucket_policy") -> dict[str, Any]:
    """The read guard's statement in the configuration of ``document``."""
    statements = module_resource(plan, module, f"data.aws_iam_policy_document.{document}")["expressions"]["statement"]
    return next(s for s in statements if s.get("sid", {}).get("constant_value") == GUARD_SID)


def test_all_proofs_hold_on_the_rendered_plan(basic: tuple[Plan, list[OriginBinding]]) -> None:
    assert results(*basic) == {
        "CFG_S3_OAC_POLICY": "",
        "CFG_S3_PUBLIC_ACCESS_BLOCK": "",
        "CFG_S3_OWNERSHIP": "",
        "CFG_S3_OAC": "",
        "CFG_S3_ACCOUNT_GUARD": "",
    }


def test_kms_proofs_hold_for_the_key_cfgen_owns_and_the_statement_for_yours(
    kms: tuple[Plan, list[OriginBinding]],
) -> None:
    plan, bindings = kms
    for binding in bindings:  # web/assets (key created, a direct reader), web/media (your key)
        got = proof_results(plan, [binding])
        assert got["CFG_S3_KMS"] == "" and got["CFG_S3_ACCOUNT_GUARD"] == "", (binding.label, got)
    # The direct reader is excepted, by aws:PrincipalArn, in the document the policy uses.
    readers = guard(plan, "web_assets", "bucket_policy_direct_readers")["condition"]
    assert [(c["test"]["constant_value"], c["variable"]["constant_value"]) for c in readers] == [
        ("StringNotEquals", "AWS:SourceArn"),
        ("ArnNotEquals", "aws:PrincipalArn"),
    ]


def _drop_source_arn(plan: Plan) -> None:
    bucket_statement(plan).pop("condition")


def _public_allow(plan: Plan) -> None:
    bucket_statement(plan)["principals"] = [
        {"type": {"constant_value": "AWS"}, "identifiers": {"constant_value": ["*"]}}
    ]


def _another_distribution(plan: Plan) -> None:
    call = plan["configuration"]["root_module"]["module_calls"]["site_assets"]
    call["expressions"]["distribution_arn"] = {
        "constant_value": "arn:aws:cloudfront::111111111111:distribution/EOTHERDIST"
    }


def _source_arn_like(plan: Plan) -> None:
    bucket_statement(plan)["condition"][0]["test"] = {"constant_value": "StringLike"}


def _literal_policy_with_wildcard(plan: Plan) -> None:
    after = planned(plan, "module.site_assets.aws_s3_bucket_policy.this[0]")
    after["policy"] = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}],
        }
    )
    change(plan, "module.site_assets.aws_s3_bucket_policy.this[0]")["after_unknown"].pop("policy", None)


def _public_access_flag_off(plan: Plan) -> None:
    planned(plan, "module.site_assets.aws_s3_bucket_public_access_block.this[0]")["restrict_public_buckets"] = False


def _object_writer(plan: Plan) -> None:
    planned(plan, "module.site_assets.aws_s3_bucket_ownership_controls.this[0]")["rule"][0]["object_ownership"] = (
        "ObjectWriter"
    )


def _oac_never_signs(plan: Plan) -> None:
    planned(plan, "module.site_assets.aws_cloudfront_origin_access_control.this[0]")["signing_behavior"] = "never"


def _no_bucket_policy(plan: Plan) -> None:
    plan["resource_changes"] = [
        c for c in plan["resource_changes"] if c["address"] != "module.site_assets.aws_s3_bucket_policy.this[0]"
    ]


# -- the read guard: principals of the account read only through the distribution ----------


def _no_guard(plan: Plan) -> None:
    document = module_resource(plan, "site_assets", "data.aws_iam_policy_document.bucket_policy")
    document["expressions"]["statement"].remove(guard(plan))


def _guard_denies_fewer_reads(plan: Plan) -> None:
    guard(plan)["actions"] = {"constant_value": ["s3:GetObject"]}


def _guard_for_one_role(plan: Plan) -> None:
    guard(plan)["principals"] = [
        {"type": {"constant_value": "AWS"}, "identifiers": {"constant_value": ["arn:aws:iam::111111111111:role/x"]}}
    ]


def _guard_not_principal(plan: Plan) -> None:
    statement = guard(plan)
    statement["not_principals"] = statement.pop("principals")


def _guard_admits_every_distribution(plan: Plan) -> None:
    guard(plan)["condition"][0]["values"] = {"constant_value": ["arn:aws:cloudfront::111111111111:distribution/*"]}


def _guard_source_arn_like(plan: Plan) -> None:
    guard(plan)["condition"][0]["test"] = {"constant_value": "StringNotLike"}


def _condition(test: str, variable: str, values: list[str]) -> dict[str, Any]:
    return {
        "test": {"constant_value": test},
        "variable": {"constant_value": variable},
        "values": {"constant_value": values},
    }


def _guard_wildcard_exception(plan: Plan) -> None:
    guard(plan)["condition"].append(
        _condition("ArnNotEquals", "aws:PrincipalArn", ["arn:aws:iam::111111111111:role/*"])
    )


def _guard_narrowed_by_another_condition(plan: Plan) -> None:
    guard(plan)["condition"].append(_condition("Bool", "aws:SecureTransport", ["false"]))


def _guard_without_source_arn(plan: Plan) -> None:
    guard(plan).pop("condition")


def _known_policy(plan: Plan, guard_resource: str) -> None:
    """The policy as a later plan sees it (distribution known), its guard on another bucket's objects."""
    planned(plan, DISTRIBUTION)["arn"] = KNOWN_ARN
    change(plan, DISTRIBUTION)["after_unknown"].pop("arn", None)
    arn = "arn:aws:s3:::demo-site-assets-example"
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "cloudfront.amazonaws.com"},
                "Action": "s3:GetObject",
                "Resource": f"{arn}/*",
                "Condition": {"StringEquals": {"AWS:SourceArn": KNOWN_ARN}},
            },
            {
                "Sid": GUARD_SID,
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:GetObject*",
                "Resource": guard_resource,
                "Condition": {"StringNotEquals": {"AWS:SourceArn": KNOWN_ARN}},
            },
        ],
    }
    planned(plan, "module.site_assets.aws_s3_bucket_policy.this[0]")["policy"] = json.dumps(document)
    change(plan, "module.site_assets.aws_s3_bucket_policy.this[0]")["after_unknown"].pop("policy", None)


def _guard_on_another_bucket(plan: Plan) -> None:
    _known_policy(plan, "arn:aws:s3:::another-bucket/*")


@pytest.mark.parametrize(
    ("break_it", "check_id", "message"),
    [
        (_drop_source_arn, "CFG_S3_OAC_POLICY", "has no StringEquals AWS:SourceArn condition"),
        (_public_allow, "CFG_S3_OAC_POLICY", "allows Principal '*'"),
        (_source_arn_like, "CFG_S3_OAC_POLICY", "has no StringEquals AWS:SourceArn condition"),
        (_public_access_flag_off, "CFG_S3_PUBLIC_ACCESS_BLOCK", "restrict_public_buckets not true"),
        (_object_writer, "CFG_S3_OWNERSHIP", "object_ownership is 'ObjectWriter'"),
        (_oac_never_signs, "CFG_S3_OAC", "signing_behavior is 'never'"),
        (_no_guard, "CFG_S3_ACCOUNT_GUARD", "no Deny statement guards object reads"),
        (_guard_denies_fewer_reads, "CFG_S3_ACCOUNT_GUARD", "does not deny s3:GetObjectVersion, s3:GetObjectTorrent"),
        (_guard_for_one_role, "CFG_S3_ACCOUNT_GUARD", "applies to AWS:arn:aws:iam::111111111111:role/x only"),
        (_guard_not_principal, "CFG_S3_ACCOUNT_GUARD", "uses NotPrincipal"),
        (
            _guard_admits_every_distribution,
            "CFG_S3_ACCOUNT_GUARD",
            f"AWS:SourceArn arn:aws:cloudfront::111111111111:distribution/*, not {DISTRIBUTION}.arn",
        ),
        (_guard_source_arn_like, "CFG_S3_ACCOUNT_GUARD", "tests AWS:SourceArn with StringNotLike"),
        (_guard_wildcard_exception, "CFG_S3_ACCOUNT_GUARD", "excepts 'arn:aws:iam::111111111111:role/*', a wildcard"),
        (_guard_narrowed_by_another_condition, "CFG_S3_ACCOUNT_GUARD", "another condition, Bool aws:SecureTransport"),
        (_guard_without_source_arn, "CFG_S3_ACCOUNT_GUARD", "would deny this distribution too"),
        (_guard_on_another_bucket, "CFG_S3_ACCOUNT_GUARD", "not the objects of demo-site-assets-example"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_each_proof_fails_when_broken(
    basic: tuple[Plan, list[OriginBinding]],
    break_it: Callable[[Plan], None],
    check_id: str,
    message: str,
) -> None:
    plan = copy.deepcopy(basic[0])
    break_it(plan)
    got = results(plan, basic[1])
    assert message in got[check_id], got
    assert [k for k, v in got.items() if v] == [check_id], "a break must fail its own proof only"


@pytest.mark.parametrize(
    ("break_it", "messages"),
    [
        (
            _another_distribution,
            {
                "CFG_S3_OAC_POLICY": f"distribution/EOTHERDIST, not {DISTRIBUTION}.arn",
                "CFG_S3_ACCOUNT_GUARD": f"distribution/EOTHERDIST, not {DISTRIBUTION}.arn",
            },
        ),
        (
            _literal_policy_with_wildcard,
            {"CFG_S3_OAC_POLICY": "allows Principal '*'", "CFG_S3_ACCOUNT_GUARD": "no Deny statement guards"},
        ),
        (
            _no_bucket_policy,
            {
                "CFG_S3_OAC_POLICY": "no bucket policy in the plan",
                "CFG_S3_ACCOUNT_GUARD": "no bucket policy in the plan",
            },
        ),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_a_break_of_the_whole_policy_fails_the_allow_and_the_guard(
    basic: tuple[Plan, list[OriginBinding]], break_it: Callable[[Plan], None], messages: dict[str, str]
) -> None:
    plan = copy.deepcopy(basic[0])
    break_it(plan)
    got = results(plan, basic[1])
    assert all(message in got[check] for check, message in messages.items()), got
    assert sorted(k for k, v in got.items() if v) == sorted(messages)


def test_the_guard_holds_on_a_known_policy_and_its_partition(basic: tuple[Plan, list[OriginBinding]]) -> None:
    """The break above is the resource only: the same policy on this bucket's objects holds."""
    plan = copy.deepcopy(basic[0])
    _known_policy(plan, "arn:aws:s3:::demo-site-assets-example/*")
    assert set(results(plan, basic[1]).values()) == {""}


def _reader(arn: str) -> Callable[[Plan], None]:
    def edit(plan: Plan) -> None:
        call = plan["configuration"]["root_module"]["module_calls"]["web_assets"]
        call["expressions"]["direct_reader_arns"] = {"constant_value": [arn]}

    return edit


@pytest.mark.parametrize(
    ("arn", "message"),
    [
        ("arn:aws:iam::111111111111:role/*", "a wildcard"),
        ("arn:aws:iam::111111111111:root", "which is not the ARN of an IAM role or user"),
        ("arn:aws:sts::111111111111:assumed-role/backup/s1", "which is not the ARN of an IAM role or user"),
    ],
)
def test_the_guard_fails_on_a_direct_reader_that_is_not_one_role_or_user(
    kms: tuple[Plan, list[OriginBinding]], arn: str, message: str
) -> None:
    plan = copy.deepcopy(kms[0])
    _reader(arn)(plan)
    got = proof_results(plan, kms[1][:1])
    assert message in got["CFG_S3_ACCOUNT_GUARD"], got
    assert [k for k, v in got.items() if v] == ["CFG_S3_ACCOUNT_GUARD"]


def test_kms_proof_fails_without_source_arn(kms: tuple[Plan, list[OriginBinding]]) -> None:
    plan = copy.deepcopy(kms[0])
    document = module_resource(plan, "web_assets", "data.aws_iam_policy_document.kms_key_policy")
    for statement in document["expressions"]["statement"]:
        statement.pop("condition", None)
    assert "has no StringEquals AWS:SourceArn condition" in results(plan, kms[1])["CFG_S3_KMS"]


def _statement_condition(plan: Plan) -> dict[str, Any]:
    """The condition of the statement cfgen outputs for the key it does not own (web/media)."""
    document = module_resource(plan, "web_media", "data.aws_iam_policy_document.kms_key_policy_statement")
    condition: dict[str, Any] = document["expressions"]["statement"][0]["condition"][0]
    return condition


def _statement_for_every_distribution(plan: Plan) -> None:
    _statement_condition(plan)["values"] = {"constant_value": ["arn:aws:cloudfront::111111111111:distribution/*"]}


def _statement_source_arn_like(plan: Plan) -> None:
    _statement_condition(plan)["test"] = {"constant_value": "StringLike"}


def _statement_not_planned(plan: Plan) -> None:
    plan["resource_changes"] = [c for c in plan["resource_changes"] if "kms_key_policy_statement" not in c["address"]]


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        (_statement_not_planned, "neither aws_kms_key.this nor the statement for its owner is planned"),
        (
            _statement_for_every_distribution,
            "has AWS:SourceArn arn:aws:cloudfront::111111111111:distribution/*, "
            "not module.web.aws_cloudfront_distribution.this.arn",
        ),
        (_statement_source_arn_like, "has no StringEquals AWS:SourceArn condition"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_the_statement_for_a_key_cfgen_does_not_own_is_planned_and_names_this_distribution(
    kms: tuple[Plan, list[OriginBinding]], break_it: Callable[[Plan], None], message: str
) -> None:
    plan = copy.deepcopy(kms[0])
    break_it(plan)
    media = [b for b in kms[1] if b.origin == "media"]
    got = proof_results(plan, media)
    assert message in got["CFG_S3_KMS"], got
    assert [k for k, v in got.items() if v] == ["CFG_S3_KMS"]


def _another_distribution_by_hand(tree: Path) -> None:
    main = tree / "main.tf"
    main.write_text(
        re.sub(
            r"distribution_arn( +)= module\.site\.arn",
            r'distribution_arn\1= "arn:aws:cloudfront::111111111111:distribution/EOTHERDIST"',
            main.read_text(),
        )
    )


def _guard_denies_fewer_reads_by_hand(tree: Path) -> None:
    main = tree / "modules" / "s3-origin" / "main.tf"
    main.write_text(main.read_text().replace('      "s3:GetObjectVersion",\n', ""))


def _statement_for_every_distribution_by_hand(tree: Path) -> None:
    replace_once(
        tree / "modules" / "s3-origin" / "main.tf",
        "values   = [var.distribution_arn]",
        'values   = ["arn:aws:cloudfront::111111111111:distribution/*"]',
        after='data "aws_iam_policy_document" "kms_key_policy_statement"',
    )


@pytest.mark.parametrize(
    ("spec", "edit", "failed_proofs", "message"),
    [
        (
            BASIC,
            _another_distribution_by_hand,
            {("CFG_S3_OAC_POLICY", "site/assets"), ("CFG_S3_ACCOUNT_GUARD", "site/assets")},
            "EOTHERDIST",
        ),
        (BASIC, _guard_denies_fewer_reads_by_hand, {("CFG_S3_ACCOUNT_GUARD", "site/assets")}, "s3:GetObjectVersion"),
        (KMS, _statement_for_every_distribution_by_hand, {("CFG_S3_KMS", "web/media")}, "distribution/*"),
    ],
    ids=["another-distribution", "guard-denies-fewer-reads", "kms-statement-for-every-distribution"],
)
def test_cfgen_test_fails_on_a_hand_edited_tree(
    tmp_path: Path,
    plugin_mirror: Path,
    spec: Path,
    edit: Callable[[Path], None],
    failed_proofs: set[tuple[str, str]],
    message: str,
) -> None:
    """End to end: a tree edited after render fails `cfgen test --dir` with exit 1 and says why."""
    code, failed = cfgen_test_edited(spec, tmp_path, plugin_mirror, edit)
    assert code == 1
    assert {(f["check_id"], f["origin"]) for f in failed if f["source"] == "proof"} == failed_proofs
    assert all(message in f["message"] for f in failed if f["source"] == "proof")


ADOPTED_WITHOUT_REGION = """
provider "aws" {
  region = "eu-west-1"
}

module "adopted" {
  source = "./modules/s3-origin"

  bucket_name                = "cfgen-adopted-without-region"
  create_bucket              = false
  distribution_arn           = "arn:aws:cloudfront::111111111111:distribution/EDFDVBD6EXAMPLE"
  origin_access_control_name = "cfgen-adopted"
}
"""


def test_an_adopted_bucket_without_a_region_stops_the_plan_in_one_line(tmp_path: Path, planner: Planner) -> None:
    """The s3-origin module used on its own: the region it now takes as an input is required for adoption."""
    tree = tmp_path / "tree"
    shutil.copytree(REPO / "modules" / "s3-origin", tree / "modules" / "s3-origin")
    (tree / "main.tf").write_text(ADOPTED_WITHOUT_REGION, encoding="utf-8")
    with pytest.raises(ToolError) as caught:
        planner.plan_tree(
            tree,
            binary=_terraform.find_binary(None),
            plugin_mirror=planner.mirror,
            offline=True,
            work_dir=tmp_path / "w",
        )
    assert "An adopted bucket (create_bucket = false) needs region" in str(caught.value)


# -- an adopted bucket's own statements, kept in the policy cfgen writes ------------------------

MEDIA_POLICY = json.loads((EXAMPLES / "s3-oac-kms" / "media-bucket-policy.json").read_text(encoding="utf-8"))
READER = "arn:aws:iam::111111111111:role/shop-reports"


BACKUP = "arn:aws:iam::111111111111:role/shop-backup"  # web/assets's direct reader


def _kept(plan: Plan, module: str, *statements: dict[str, Any]) -> None:
    """Give ``module``'s bucket these statements of its owner, as an adopted bucket's current_policy would."""
    call = plan["configuration"]["root_module"]["module_calls"][module]["expressions"]
    document = {"Version": "2012-10-17", "Statement": [*MEDIA_POLICY["Statement"], *statements]}
    call["kept_policy_json"] = {"constant_value": json.dumps(document)}


def _read_by(principal: object, action: object = "s3:GetObject") -> dict[str, Any]:
    return {
        "Sid": "OwnersRead",
        "Effect": "Allow",
        "Principal": principal,
        "Action": action,
        "Resource": "arn:aws:s3:::shop-media-existing-example/*",
    }


def media_results(kms: tuple[Plan, list[OriginBinding]], plan: Plan, origin: str = "media") -> dict[str, str]:
    return proof_results(plan, [b for b in kms[1] if b.origin == origin])


def test_the_adopted_buckets_statements_are_in_the_policy_the_proofs_read(
    kms: tuple[Plan, list[OriginBinding]],
) -> None:
    from cfgen.harness.plan import PlanView, policy_statements

    view = PlanView(kms[0])
    policy = view.one(("web_media",), "aws_s3_bucket_policy")
    assert policy is not None and policy.address == "module.web_media.aws_s3_bucket_policy.adopted[0]"
    statements = policy_statements(view, policy)
    assert statements is not None
    # The owner's first (an upload role's Allow, a Deny of unencrypted uploads), then cfgen's: as the provider merges.
    assert [s.sid for s in statements] == [
        "AllowMediaPipelineUploads",
        "DenyUploadsNotEncryptedWithKms",
        "AllowCloudFrontServicePrincipalReadOnly",
        "DenyObjectReadsNotThroughThisDistribution",
        "DenyInsecureTransport",
    ]
    assert all(v == "" for v in media_results(kms, kms[0]).values())


@pytest.mark.parametrize(
    ("origin", "statement", "message"),
    [
        ("media", _read_by("*"), "statement 'OwnersRead' allows Principal '*'"),
        ("media", _read_by({"AWS": "*"}, "s3:PutObject"), "statement 'OwnersRead' allows Principal '*'"),
        ("media", _read_by({"AWS": READER}), f"statement 'OwnersRead' lets AWS:{READER} read objects"),
        ("media", _read_by({"AWS": READER}, "s3:Get*"), f"lets AWS:{READER} read objects"),
        ("media", {**_read_by({"AWS": READER}), "NotAction": "s3:PutObject"}, f"lets AWS:{READER} read objects"),
        ("media", _read_by({"Service": "logging.s3.amazonaws.com"}, "s3:*"), "lets Service:logging.s3.amazonaws.com"),
        ("media", _read_by({"AWS": BACKUP}), f"lets AWS:{BACKUP} read objects"),
        # A direct reader's read is the access the spec grants on purpose, and the guard excepts it too.
        ("assets", _read_by({"AWS": BACKUP}), ""),
        ("media", _read_by({"AWS": "arn:aws:iam::111111111111:role/shop-media-pipeline"}, "s3:PutObject"), ""),
    ],
    ids=[
        "public-read",
        "public-write",
        "role-reads",
        "role-reads-wildcard",
        "not-action",
        "service",
        "not-this-buckets-direct-reader",
        "direct-reader",
        "write",
    ],
)
def test_a_kept_statement_that_reopens_a_path_fails_the_policy_proof(
    kms: tuple[Plan, list[OriginBinding]], origin: str, statement: dict[str, Any], message: str
) -> None:
    plan = copy.deepcopy(kms[0])
    _kept(plan, f"web_{origin}", statement)
    got = media_results(kms, plan, origin)
    if not message:
        assert all(v == "" for v in got.values()), got
        return
    assert message in got["CFG_S3_OAC_POLICY"], got
    assert [k for k, v in got.items() if v] == ["CFG_S3_OAC_POLICY"]


def test_kept_statements_are_judged_in_the_policy_a_later_plan_knows(kms: tuple[Plan, list[OriginBinding]]) -> None:
    plan = copy.deepcopy(kms[0])
    address = "module.web_media.aws_s3_bucket_policy.adopted[0]"
    arn = "arn:aws:cloudfront::111111111111:distribution/E2KNOWNMEDIA"
    planned(plan, "module.web.aws_cloudfront_distribution.this")["arn"] = arn
    change(plan, "module.web.aws_cloudfront_distribution.this")["after_unknown"].pop("arn", None)
    bucket = "arn:aws:s3:::shop-media-existing-example"
    cloudfront = {
        "Sid": "AllowCloudFrontServicePrincipalReadOnly",
        "Effect": "Allow",
        "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject",
        "Resource": f"{bucket}/*",
        "Condition": {"StringEquals": {"AWS:SourceArn": arn}},
    }
    guard_ = {
        "Sid": GUARD_SID,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:GetObject*",
        "Resource": f"{bucket}/*",
        "Condition": {"StringNotEquals": {"AWS:SourceArn": arn}},
    }
    for extra, expected in (([], ""), ([_read_by("*")], "allows Principal '*'")):
        document = {"Version": "2012-10-17", "Statement": [*MEDIA_POLICY["Statement"], *extra, cloudfront, guard_]}
        planned(plan, address)["policy"] = json.dumps(document)
        change(plan, address)["after_unknown"].pop("policy", None)
        got = media_results(kms, plan)
        assert (expected in got["CFG_S3_OAC_POLICY"]) if expected else not got["CFG_S3_OAC_POLICY"], got
