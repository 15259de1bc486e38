"""The S3 website + secret Referer proofs hold on cfgen's plan, fail when broken, and never leak the secret.

Three real offline plans (module-scoped): the example (secret from root
variables, the harness's placeholders), a spec reading Secrets Manager and
SSM (switched to stand-in variables by the offline override), and the example
with a canary secret set in the environment. Failing cases edit a deep copy
of a plan's JSON the way a hand edit of the HCL would.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import EXAMPLES
from tests.plan._plans import (
    Plan,
    Planner,
    cfgen_test_edited,
    change,
    plan_spec,
    plan_with_secrets,
    planned,
    proof_results,
    replace_once,
)

from cfgen import _service, write
from cfgen.errors import ToolError
from cfgen.harness import _terraform
from cfgen.harness.report import render_report
from cfgen.patterns import OriginBinding
from cfgen.render import render
from cfgen.spec import load_spec

pytestmark = pytest.mark.plan
EXAMPLE = EXAMPLES / "s3-website" / "spec.yaml"
MODULE = "docs_site"
POLICY = f"module.{MODULE}.aws_s3_bucket_policy.this[0]"
DISTRIBUTION = "module.docs.aws_cloudfront_distribution.this"
BLOCK = f"module.{MODULE}.aws_s3_bucket_public_access_block.this[0]"
GUARD_SID = "DenyObjectReadsWithoutSecretReferer"
Planned = tuple[Plan, list[OriginBinding]]

AWS_SOURCES = """\
version: 1
project: docs
region: eu-west-1
distributions:
  - name: docs
    origins:
      - id: site
        type: s3_website
        bucket: {name: docs-site-sm-example}
        secret: {source: secrets_manager, secret_id: docs/site-referer}
      - id: blog
        type: s3_website
        bucket: {name: docs-blog-ssm-example}
        secret: {source: ssm, parameter: /docs/blog/referer}
        direct_readers: [arn:aws:iam::111111111111:role/docs-backup]
    behaviors:
      - {path: /blog/*, origin: blog}
      - {path: default, origin: site}
"""

CANARY = "canary-current-5f0c3e9a1b7d4c2e8a6f0b3d9e1c7a5f"
CANARY_PREVIOUS = "canary-previous-9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a"


@pytest.fixture(scope="module")
def website(tmp_path_factory: pytest.TempPathFactory, planner: Planner) -> Planned:
    plan, rendered = plan_spec(EXAMPLE, tmp_path_factory.mktemp("website"), planner)
    return plan, rendered.bindings


@pytest.fixture(scope="module")
def aws_sources(tmp_path_factory: pytest.TempPathFactory, planner: Planner) -> Planned:
    folder = tmp_path_factory.mktemp("website-aws")
    (folder / "spec.yaml").write_text(AWS_SOURCES, encoding="utf-8")
    plan, rendered = plan_spec(folder / "spec.yaml", folder, planner)
    return plan, rendered.bindings


@pytest.fixture(scope="module")
def canary(tmp_path_factory: pytest.TempPathFactory, plugin_mirror: Path) -> tuple[_terraform.PlanRun, Plan, Path]:
    """The example planned with real-looking secrets given as TF_VAR_* (as a user's CI would)."""
    folder = tmp_path_factory.mktemp("website-canary")
    secrets = {"docs_site_referer_secret": CANARY, "docs_site_referer_secret_previous": CANARY_PREVIOUS}
    run, plan = plan_with_secrets(EXAMPLE, folder, plugin_mirror, secrets)
    return run, plan, folder


def policy_document(plan: Plan) -> dict[str, Any]:
    return json.loads(planned(plan, POLICY)["policy"])  # type: ignore[no-any-return]


def set_policy(plan: Plan, document: dict[str, Any]) -> None:
    planned(plan, POLICY)["policy"] = json.dumps(document)


def allow(plan: Plan) -> dict[str, Any]:
    return next(s for s in policy_document(plan)["Statement"] if s["Effect"] == "Allow")


def guard(plan: Plan) -> dict[str, Any]:
    return next(s for s in policy_document(plan)["Statement"] if s.get("Sid") == GUARD_SID)


def edit_guard(plan: Plan, edit: Callable[[dict[str, Any]], None]) -> None:
    document = policy_document(plan)
    edit(next(s for s in document["Statement"] if s.get("Sid") == GUARD_SID))
    set_policy(plan, document)


def edit_allow(plan: Plan, edit: Callable[[dict[str, Any]], None]) -> None:
    document = policy_document(plan)
    edit(next(s for s in document["Statement"] if s["Effect"] == "Allow"))
    set_policy(plan, document)


def origin(plan: Plan) -> dict[str, Any]:
    return planned(plan, DISTRIBUTION)["origin"][0]  # type: ignore[no-any-return]


def sent_referer(plan: Plan) -> str:
    return next(h["value"] for h in origin(plan)["custom_header"] if h["name"] == "Referer")  # type: ignore[no-any-return]


# -- the rendered plans -------------------------------------------------------------


def test_website_proofs_hold_on_the_rendered_plan(website: Planned) -> None:
    assert proof_results(*website) == {
        "CFG_S3_WEBSITE_POLICY": "",
        "CFG_S3_WEBSITE_ORIGIN": "",
        "CFG_S3_WEBSITE_ACLS": "",
        "CFG_S3_OWNERSHIP": "",
        "CFG_S3_ACCOUNT_GUARD": "",
    }


def test_the_policy_accepts_exactly_the_secret_cloudfront_sends(website: Planned) -> None:
    plan, _ = website
    referers = allow(plan)["Condition"]["StringEquals"]["aws:Referer"]
    assert referers == [sent_referer(plan)] == [_terraform.placeholder("docs_site_referer_secret")]
    assert guard(plan)["Condition"] == {"StringNotEquals": {"aws:Referer": referers}}
    assert allow(plan)["Principal"] == "*" and allow(plan)["Action"] == "s3:GetObject"
    assert change(plan, POLICY)["after_sensitive"]["policy"] is True
    config = origin(plan)["custom_origin_config"][0]
    assert config["origin_protocol_policy"] == "http-only"


def test_secrets_manager_and_ssm_sources_plan_offline_with_a_rotation(aws_sources: Planned) -> None:
    plan, bindings = aws_sources
    assert set(proof_results(plan, bindings).values()) == {""}
    current = _terraform.placeholder("cfgen_offline_secret_current")
    previous = _terraform.placeholder("cfgen_offline_secret_previous")
    for module in ("docs_site", "docs_blog"):
        document = json.loads(planned(plan, f"module.{module}.aws_s3_bucket_policy.this[0]")["policy"])
        statement = next(s for s in document["Statement"] if s["Effect"] == "Allow")
        assert statement["Condition"]["StringEquals"]["aws:Referer"] == [current, previous]
        read_guard = next(s for s in document["Statement"] if s.get("Sid") == GUARD_SID)
        readers = {"ArnNotEquals": {"aws:PrincipalArn": ["arn:aws:iam::111111111111:role/docs-backup"]}}
        expected = {
            "StringNotEquals": {"aws:Referer": [current, previous]},
            **(readers if module == "docs_blog" else {}),
        }
        assert read_guard["Condition"] == expected
    # The override switched the calls to variables: no data source reads AWS.
    reads = [c["address"] for c in plan["resource_changes"] if c["type"].startswith(("aws_secretsmanager", "aws_ssm"))]
    state = json.dumps(plan.get("prior_state", {}))
    assert not reads and "aws_secretsmanager_secret_version" not in state and "aws_ssm_parameter" not in state


# -- failing fixtures -----------------------------------------------------------------


def _no_condition(plan: Plan) -> None:
    edit_allow(plan, lambda s: s.pop("Condition"))


def _string_like(plan: Plan) -> None:
    edit_allow(plan, lambda s: s.update(Condition={"StringLike": {"aws:Referer": "*"}}))


def _all_actions(plan: Plan) -> None:
    edit_allow(plan, lambda s: s.update(Action="s3:*"))


def _second_open_allow(plan: Plan) -> None:
    document = policy_document(plan)
    document["Statement"].append({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"})
    set_policy(plan, document)


def _stale_policy(plan: Plan) -> None:
    origin(plan)["custom_header"][0]["value"] = "a-newer-secret-the-policy-does-not-accept-yet-0000"


def _three_values(plan: Plan) -> None:
    edit_allow(plan, lambda s: s["Condition"]["StringEquals"].update({"aws:Referer": ["a" * 32, "b" * 32, "c" * 32]}))


def _empty_value(plan: Plan) -> None:
    edit_allow(plan, lambda s: s["Condition"]["StringEquals"].update({"aws:Referer": ""}))


def _policy_not_sensitive(plan: Plan) -> None:
    change(plan, POLICY)["after_sensitive"] = {}


def _secret_written_in_the_code(plan: Plan) -> None:
    call = plan["configuration"]["root_module"]["module_calls"][MODULE]
    call["expressions"]["referer_secrets"] = {"constant_value": [sent_referer(plan)]}


def _https_only(plan: Plan) -> None:
    origin(plan)["custom_origin_config"][0]["origin_protocol_policy"] = "https-only"


def _no_custom_origin(plan: Plan) -> None:
    origin(plan)["custom_origin_config"] = []


def _no_referer_header(plan: Plan) -> None:
    origin(plan)["custom_header"] = []


def _two_referer_headers(plan: Plan) -> None:
    origin(plan)["custom_header"].append({"name": "referer", "value": "x" * 40})


def _header_not_sensitive(plan: Plan) -> None:
    change(plan, DISTRIBUTION)["after_sensitive"]["origin"] = [{"custom_header": [{"value": False}]}]


def _acls_allowed(plan: Plan) -> None:
    planned(plan, BLOCK)["block_public_acls"] = False


def _no_policy(plan: Plan) -> None:
    plan["resource_changes"] = [c for c in plan["resource_changes"] if c["address"] != POLICY]


def _no_guard(plan: Plan) -> None:
    document = policy_document(plan)
    document["Statement"] = [s for s in document["Statement"] if s.get("Sid") != GUARD_SID]
    set_policy(plan, document)


def _guard_admits_another_referer(plan: Plan) -> None:
    edit_guard(plan, lambda s: s["Condition"]["StringNotEquals"].update({"aws:Referer": ["x" * 40]}))


def _guard_denies_fewer_reads(plan: Plan) -> None:
    edit_guard(plan, lambda s: s.update(Action="s3:GetObject"))


def _guard_referer_like(plan: Plan) -> None:
    edit_guard(plan, lambda s: s.update(Condition={"StringNotLike": s["Condition"]["StringNotEquals"]}))


def _guard_wildcard_exception(plan: Plan) -> None:
    edit_guard(plan, lambda s: s["Condition"].update(ArnNotEquals={"aws:PrincipalArn": "arn:aws:iam::1:role/*"}))


def _guard_narrowed(plan: Plan) -> None:
    edit_guard(plan, lambda s: s["Condition"].update(Bool={"aws:SecureTransport": "false"}))


def _guard_behind_the_rotation(plan: Plan) -> None:
    """Mid-rotation, the Allow takes the new secret CloudFront sends, but the guard still only the old one."""
    old, new = sent_referer(plan), "a-newer-secret-both-allow-and-header-have-00000"
    origin(plan)["custom_header"][0]["value"] = new
    document = policy_document(plan)
    next(s for s in document["Statement"] if s["Effect"] == "Allow")["Condition"]["StringEquals"]["aws:Referer"] = [
        new,
        old,
    ]
    set_policy(plan, document)


BROKEN: dict[str, tuple[Callable[[Plan], None], str, str]] = {
    "allow without a condition": (_no_condition, "CFG_S3_WEBSITE_POLICY", "not StringEquals aws:Referer"),
    "StringLike on the Referer": (_string_like, "CFG_S3_WEBSITE_POLICY", "not StringEquals aws:Referer"),
    "every S3 action": (_all_actions, "CFG_S3_WEBSITE_POLICY", "allow only s3:GetObject"),
    "a second, open Allow": (_second_open_allow, "CFG_S3_WEBSITE_POLICY", "anyone could read"),
    "policy behind the header": (_stale_policy, "CFG_S3_WEBSITE_POLICY", "does not accept the Referer value"),
    "three Referer values": (_three_values, "CFG_S3_WEBSITE_POLICY", "accepts 3 Referer values"),
    "an empty Referer value": (_empty_value, "CFG_S3_WEBSITE_POLICY", "empty or unreadable"),
    "policy not sensitive": (_policy_not_sensitive, "CFG_S3_WEBSITE_POLICY", "written in the code"),
    "no bucket policy": (_no_policy, "CFG_S3_WEBSITE_POLICY", "no bucket policy"),
    "https-only origin": (_https_only, "CFG_S3_WEBSITE_ORIGIN", "have no HTTPS"),
    "not a custom origin": (_no_custom_origin, "CFG_S3_WEBSITE_ORIGIN", "not a custom origin"),
    "no Referer header": (_no_referer_header, "CFG_S3_WEBSITE_ORIGIN", "sends 0 Referer headers"),
    "two Referer headers": (_two_referer_headers, "CFG_S3_WEBSITE_ORIGIN", "sends 2 Referer headers"),
    "header not sensitive": (_header_not_sensitive, "CFG_S3_WEBSITE_ORIGIN", "not sensitive in the plan"),
    "public ACLs": (_acls_allowed, "CFG_S3_WEBSITE_ACLS", "block_public_acls not true"),
    "no read guard": (_no_guard, "CFG_S3_ACCOUNT_GUARD", "no Deny statement guards object reads"),
    "guard admits another Referer": (
        _guard_admits_another_referer,
        "CFG_S3_ACCOUNT_GUARD",
        "lets through a Referer that is neither the one CloudFront sends nor one the Allow accepts",
    ),
    "guard denies fewer reads": (
        _guard_denies_fewer_reads,
        "CFG_S3_ACCOUNT_GUARD",
        "does not deny s3:GetObjectVersion",
    ),
    "guard tests the Referer by pattern": (
        _guard_referer_like,
        "CFG_S3_ACCOUNT_GUARD",
        "tests aws:Referer with StringNotLike",
    ),
    "guard excepts a wildcard": (
        _guard_wildcard_exception,
        "CFG_S3_ACCOUNT_GUARD",
        "'arn:aws:iam::1:role/*', a wildcard",
    ),
    "guard narrowed": (_guard_narrowed, "CFG_S3_ACCOUNT_GUARD", "another condition, Bool aws:SecureTransport"),
    "guard behind the rotation": (
        _guard_behind_the_rotation,
        "CFG_S3_ACCOUNT_GUARD",
        "does not let through the Referer the distribution sends",
    ),
}
# The policy no longer takes the Referer CloudFront sends, or is gone: the Allow and the guard both fail.
ALSO_FAILS = {"policy behind the header": ["CFG_S3_ACCOUNT_GUARD"], "no bucket policy": ["CFG_S3_ACCOUNT_GUARD"]}


@pytest.mark.parametrize("case", list(BROKEN), ids=list(BROKEN))
def test_website_proof_fails_when_broken(website: Planned, case: str) -> None:
    plan, bindings = website
    broken = copy.deepcopy(plan)
    edit, check, expected = BROKEN[case]
    edit(broken)
    results = proof_results(broken, bindings)
    assert expected in results[check]
    assert sorted(c for c, message in results.items() if message) == sorted([check, *ALSO_FAILS.get(case, [])])


def test_a_secret_written_in_the_code_fails_both_proofs_that_use_it(website: Planned) -> None:
    plan, bindings = website
    broken = copy.deepcopy(plan)
    _secret_written_in_the_code(broken)
    results = proof_results(broken, bindings)
    assert "written in the configuration" in results["CFG_S3_WEBSITE_POLICY"]
    assert "written in the configuration" in results["CFG_S3_WEBSITE_ORIGIN"]
    assert not results["CFG_S3_WEBSITE_ACLS"] and not results["CFG_S3_OWNERSHIP"]


# -- the secret never leaks -----------------------------------------------------------


def test_the_secret_reaches_the_plan_but_no_output_a_person_reads(
    canary: tuple[_terraform.PlanRun, Plan, Path],
) -> None:
    run, plan, folder = canary
    # It did reach the plan: otherwise the checks below would prove nothing.
    assert sent_referer(plan) == CANARY
    assert allow(plan)["Condition"]["StringEquals"]["aws:Referer"] == [CANARY, CANARY_PREVIOUS]

    written = [p for p in (folder / "tree").rglob("*") if p.is_file()]
    assert written and not [p for p in written if CANARY.encode() in p.read_bytes()]
    shown = run._step("show", "show", "-no-color", str(run.plan_file))
    assert POLICY in shown and DISTRIBUTION in shown and CANARY not in shown and CANARY_PREVIOUS not in shown

    bindings = render(load_spec(EXAMPLE)).bindings
    findings = _service.prove(plan, bindings)
    assert findings and all(f.passed for f in findings)
    broken = copy.deepcopy(plan)
    for edit in (_stale_policy, _secret_written_in_the_code, _no_condition):
        edit(broken)
        findings += _service.prove(broken, bindings)
    assert not all(f.passed for f in findings)
    for report_format in ("table", "json", "junit", "sarif"):
        report = render_report(findings, report_format)
        assert CANARY not in report and CANARY_PREVIOUS not in report, report_format


def test_a_literal_secret_in_the_tree_fails_the_proof(
    canary: tuple[_terraform.PlanRun, Plan, Path], tmp_path: Path, planner: Planner
) -> None:
    """The hand edit the proof exists for, planned for real: a secret typed into main.tf."""
    _, _, folder = canary
    tree = tmp_path / "tree"
    _terraform.copy_tree(folder / "tree", tree)
    main = tree / "main.tf"
    text = main.read_text(encoding="utf-8")
    literal = 'current  = "' + "typed-into-the-code-" + "0" * 20 + '"'
    main.write_text(text.replace("current  = var.docs_site_referer_secret", literal), encoding="utf-8")
    plan = planner.plan_tree(
        tree, binary=_terraform.find_binary(None), plugin_mirror=planner.mirror, offline=True, work_dir=tmp_path / "w"
    )
    results = proof_results(plan, render(load_spec(EXAMPLE)).bindings)
    assert "written in the configuration" in results["CFG_S3_WEBSITE_POLICY"]
    assert "written in the configuration" in results["CFG_S3_WEBSITE_ORIGIN"]


def test_a_short_secret_stops_the_plan_in_one_line(tmp_path: Path, plugin_mirror: Path) -> None:
    rendered = render(load_spec(EXAMPLE))
    write.write(tmp_path / "tree", rendered.files, {"origins": []})
    with pytest.raises(ToolError) as caught:
        _terraform.plan_tree(
            tmp_path / "tree",
            binary=_terraform.find_binary(None),
            plugin_mirror=plugin_mirror,
            offline=True,
            work_dir=tmp_path / "work",
            tf_vars={"docs_site_referer_secret": "too-short"},
        )
    assert "shorter than min_length" in str(caught.value) and "too-short" not in str(caught.value)


def _guard_narrowed_by_hand(tree: Path) -> None:
    replace_once(
        tree / "modules" / "s3-website-origin" / "main.tf",
        "Condition = local.read_guard_condition",
        'Condition = { Bool = { "aws:SecureTransport" = "false" } }',
    )


def test_cfgen_test_fails_when_principals_of_the_account_read_around_the_secret(
    tmp_path: Path, plugin_mirror: Path
) -> None:
    """A hand edit that leaves the REST endpoint open to the account: `cfgen test --dir` exits 1."""
    code, failed = cfgen_test_edited(EXAMPLE, tmp_path, plugin_mirror, _guard_narrowed_by_hand)
    assert code == 1
    proofs = [f for f in failed if f["source"] == "proof"]
    assert [(f["check_id"], f["origin"]) for f in proofs] == [("CFG_S3_ACCOUNT_GUARD", "docs/site")]
    assert "no Deny statement guards object reads" in proofs[0]["message"]


# -- an adopted website bucket keeps its owner's statements, judged with cfgen's --------------

OWNERS_DENY = {
    "Sid": "DenyDeletes",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:DeleteObject",
    "Resource": "arn:aws:s3:::docs-site-website-example/*",
}


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory, planner: Planner) -> Planned:
    tmp = tmp_path_factory.mktemp("website-adopted")
    (tmp / "policy.json").write_text(json.dumps({"Version": "2012-10-17", "Statement": [OWNERS_DENY]}))
    spec = EXAMPLE.read_text().replace(
        "bucket: {name: docs-site-website-example}",
        "bucket: {name: docs-site-website-example, create: false, current_policy: policy.json}",
    )
    (tmp / "spec.yaml").write_text(spec)
    plan, rendered = plan_spec(tmp / "spec.yaml", tmp, planner)
    return plan, rendered.bindings


def test_an_adopted_website_keeps_its_owners_statements_and_its_settings_on_destroy(adopted: Planned) -> None:
    plan, bindings = adopted
    address = f"module.{MODULE}.aws_s3_bucket_policy.adopted[0]"
    statements = json.loads(planned(plan, address)["policy"])["Statement"]
    assert [s["Sid"] for s in statements] == [
        "DenyDeletes",
        "AllowGetObjectWithSecretReferer",
        GUARD_SID,
        "DenyInsecureTransportExceptReads",
    ]
    assert change(plan, address)["after_sensitive"]["policy"] is True
    assert not any(proof_results(plan, bindings).values())
    kept = {c["address"] for c in plan["resource_changes"] if ".adopted[" in c["address"]}
    assert kept == {
        f"module.{MODULE}.{t}.adopted[0]"
        for t in (
            "aws_s3_bucket_policy",
            "aws_s3_bucket_public_access_block",
            "aws_s3_bucket_ownership_controls",
            "aws_s3_bucket_website_configuration",
        )
    }


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ({**OWNERS_DENY, "Sid": "PublicRead", "Effect": "Allow", "Action": "s3:GetObject"}, "'PublicRead' has no"),
        ({**OWNERS_DENY, "Sid": "PublicList", "Effect": "Allow", "Action": "s3:ListBucket"}, "allows s3:ListBucket"),
    ],
    ids=["public-read", "public-list"],
)
def test_a_kept_statement_that_lets_anyone_in_fails_the_website_policy(
    adopted: Planned, statement: dict[str, Any], message: str
) -> None:
    plan = copy.deepcopy(adopted[0])
    after = planned(plan, f"module.{MODULE}.aws_s3_bucket_policy.adopted[0]")
    document = json.loads(after["policy"])
    document["Statement"].insert(0, statement)
    after["policy"] = json.dumps(document)
    got = proof_results(plan, adopted[1])
    assert message in got["CFG_S3_WEBSITE_POLICY"], got
    assert [k for k, v in got.items() if v] == ["CFG_S3_WEBSITE_POLICY"]
