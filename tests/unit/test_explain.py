"""`cfgen explain` and README's patterns table: every path of every origin, from the one declaration."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES

from cfgen import _service, write
from cfgen.errors import UsageError
from cfgen.explain import OriginExplanation, explain, render_explanation
from cfgen.patterns import PATTERNS
from cfgen.patterns._threats import NAMES, AccessPath, OriginDetails, ThreatModel, path, paths_for
from cfgen.spec import load_spec

CASES = sorted(p.parent for p in EXAMPLES.glob("*/spec.yaml"))


def cfgen(*args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "cfgen", *args], capture_output=True, text=True, timeout=120)
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    return result


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_origin_accounts_for_every_path(case: Path) -> None:
    document = json.loads(render_explanation(explain(load_spec(case / "spec.yaml")), "json"))
    assert document["origins"]
    for origin in document["origins"]:
        statuses = [p["status"] for p in origin["paths"]]
        assert statuses.count("allowed") == 1, origin["origin"]
        assert origin["paths"][0]["key"] == "distribution"
        for p in origin["paths"]:
            assert p["key"] in NAMES and p["name"] == NAMES[p["key"]]
            if p["status"] == "closed":
                assert p["proofs"], f"{origin['origin']}: closed path {p['key']} names no proof"
            if p["status"] == "residual":
                assert p["note"], f"{origin['origin']}: residual path {p['key']} says nothing"
        keys = [p["key"] for p in origin["paths"]]
        assert len(keys) == len(set(keys))
        assert {"internet", "other_distribution", "admins"} <= set(keys)
        assert isinstance(origin["monthly_fixed_usd"], float)
        assert set(origin) == {
            "distribution",
            "origin",
            "pattern",
            "request_path",
            "paths",
            "secrets",
            "monthly_fixed_usd",
            "costs",
            "todo",
            "adopted",
        }


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_text_fits_80_columns_except_unbreakable_words(case: Path) -> None:
    text = render_explanation(explain(load_spec(case / "spec.yaml")), "text")
    for line in text.splitlines():
        if len(line) > 80:
            assert " " not in line.strip(), f"wrappable line over 80 columns: {line!r}"


def test_website_names_its_secret_and_where_it_lives() -> None:
    (origin,) = explain(load_spec(EXAMPLES / "s3-website" / "spec.yaml"))
    (secret,) = origin.secrets
    assert "Terraform state and saved plan files (marked sensitive, stored in clear)" in secret.lives_in
    assert any("CloudFront" in place for place in secret.lives_in)
    residual = {p.key for p in origin.paths if p.status == "residual"}
    assert "secret_holders" in residual
    # The account-level block public access setting breaks the pattern: said on the path and in the to-do.
    assert "S3 Block Public Access (account level)" in next(p.note for p in origin.paths if p.key == "secret_holders")
    assert any("get-public-access-block" in t for t in origin.todo)


@pytest.mark.parametrize("case", ["s3-oac-basic", "s3-oai-legacy", "s3-oai-to-oac", "s3-website", "s3-oac-kms"])
def test_s3_principals_of_the_account_are_closed_by_the_read_guard(case: str) -> None:
    for origin in explain(load_spec(EXAMPLES / case / "spec.yaml")):
        guarded = next(p for p in origin.paths if p.key == "account_principals")
        assert guarded.status == "closed" and guarded.proofs == ("CFG_S3_ACCOUNT_GUARD",)
        assert "presigns" in guarded.note
        if origin.pattern in ("s3/oai", "s3/oai_to_oac"):
            assert "this origin's OAI" in guarded.note


def test_explain_lists_the_direct_readers_of_the_spec() -> None:
    origins = {o.origin: o for o in explain(load_spec(EXAMPLES / "s3-oac-kms" / "spec.yaml"))}
    listed = next(p.note for p in origins["assets"].paths if p.key == "account_principals")
    assert "Direct readers (read around the distribution): arn:aws:iam::111111111111:role/shop-backup." in listed
    unlisted = next(p.note for p in origins["media"].paths if p.key == "account_principals")
    assert "The spec lists no direct reader." in unlisted


@pytest.mark.parametrize("key", sorted(k for k in PATTERNS if k.startswith("api_gateway/")))
def test_every_rest_api_names_test_invoke_among_its_admins(key: str) -> None:
    # A test call runs the integration around the authorizer, key, resource policy and web ACL alike.
    [admins] = [p for p in PATTERNS[key].threats.paths if p.key == "admins"]
    assert "TestInvokeMethod" in admins.note


def test_private_api_costs_its_alb_and_endpoint() -> None:
    (origin,) = explain(load_spec(EXAMPLES / "private-api-vpc-origin" / "spec.yaml"))
    assert origin.monthly_fixed_usd == round(sum(c.usd for c in origin.costs), 2) > 0
    assert any("endpoint" in c.item for c in origin.costs)


def test_conditional_paths_follow_the_spec() -> None:
    origins = {o.origin: o for o in explain(load_spec(EXAMPLES / "s3-oac-kms" / "spec.yaml"))}
    created, external = origins["assets"], origins["media"]
    for origin in (created, external):
        decrypt = next(p for p in origin.paths if p.key == "kms_decrypt")
        # Decrypting alone reads nothing: the key's statement, and the bucket's read guard the note names.
        assert decrypt.status == "closed" and decrypt.proofs == ("CFG_S3_KMS",)
        assert "(CFG_S3_ACCOUNT_GUARD)" in decrypt.note
    assert "does not" not in created.paths[0].note
    assert "not cfgen's" in next(p for p in external.paths if p.key == "kms_decrypt").note
    assert any("kms_key_policy_statement" in t for t in external.todo)
    (basic,) = explain(load_spec(EXAMPLES / "s3-oac-basic" / "spec.yaml"))
    assert "kms_decrypt" not in {p.key for p in basic.paths}


def test_mermaid_draws_one_flowchart_per_distribution() -> None:
    explanations = explain(load_spec(EXAMPLES / "s3-oac-kms" / "spec.yaml"))
    text = render_explanation(explanations, "mermaid")
    assert text.count("```mermaid") == len({e.distribution for e in explanations})
    assert text.count("```") == 2 * text.count("```mermaid")
    paths = sum(1 for e in explanations for p in e.paths if p.status != "allowed")
    closed = sum(1 for e in explanations for p in e.paths if p.status == "closed")
    assert text.count(" --x|") == closed
    assert text.count(" --x|") + text.count(" -.->|") == paths
    assert text.count(" ==>") == len(explanations)


def test_mermaid_labels_cannot_break_out_of_their_quotes() -> None:
    e = OriginExplanation(
        distribution="d",
        origin="o",
        pattern="s3/oac",
        request_path=("viewer", "x", 'a "quoted" hop'),
        paths=(path("distribution", "allowed", note="n"), path("internet", "residual", note='say "hi"')),
    )
    text = render_explanation([e], "mermaid")
    assert '"quoted"' not in text and "#quot;quoted#quot;" in text


def test_the_json_round_trips_through_the_manifest() -> None:
    explanations = explain(load_spec(EXAMPLES / "s3-website" / "spec.yaml"))
    again = [OriginExplanation.from_dict(json.loads(json.dumps(e.as_dict()))) for e in explanations]
    assert again == explanations


def test_explain_lists_what_cfgen_writes_on_an_adopted_bucket_and_what_destroy_keeps() -> None:
    explanations = {e.origin: e for e in explain(load_spec(EXAMPLES / "s3-oac-kms" / "spec.yaml"))}
    assert explanations["assets"].adopted == ()  # a bucket cfgen creates
    (media,) = explanations["media"].adopted
    assert media.resource == "bucket shop-media-existing-example"
    changes = " ".join(media.changes)
    for setting in ("Public access block: all four flags on", "BucketOwnerEnforced", "media-bucket-policy.json"):
        assert setting in changes
    assert "SSE-KMS with arn:aws:kms:eu-west-1:111111111111:key/" in changes
    assert media.kept == tuple(
        f"module.web_media.{t}.adopted[0]"
        for t in (
            "aws_s3_bucket_public_access_block",
            "aws_s3_bucket_ownership_controls",
            "aws_s3_bucket_policy",
            "aws_s3_bucket_server_side_encryption_configuration",
        )
    )
    assert all(f"'{address}'" in media.on_destroy for address in media.kept)
    text = render_explanation(list(explanations.values()), "text")
    assert "  adopted   bucket shop-media-existing-example, which cfgen does not create:" in text
    assert "  destroy   Kept: `terraform destroy` stops" in text


def test_a_manifest_from_before_adoption_was_explained_still_reads() -> None:
    (e,) = explain(load_spec(EXAMPLES / "s3-oac-basic" / "spec.yaml"))
    older = e.as_dict()
    older.pop("adopted")
    assert OriginExplanation.from_dict(older) == e


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_explain_dir_reads_the_committed_render(case: Path) -> None:
    from_spec = _service.explain_spec(case / "spec.yaml", None)
    assert _service.explain_spec(None, case / "generated") == from_spec


@pytest.mark.parametrize(
    "edit",
    [
        lambda m: m.pop("explain"),
        lambda m: m.update(explain={"origins": []}),
        lambda m: m["explain"][0].update(pattern="s3/none"),
        lambda m: m["explain"][0]["paths"][0].update(status="open"),
        lambda m: m["explain"][0].update(costs=[{"item": "x", "usd": "1"}]),
        lambda m: m["explain"][0].pop("todo"),
    ],
    ids=["missing", "not-a-list", "unknown-pattern", "unknown-status", "cost-not-a-number", "field-missing"],
)
def test_a_tampered_manifest_is_one_line_not_a_traceback(tmp_path: Path, edit: object) -> None:
    tree = tmp_path / "infra"
    _service.render_spec(EXAMPLES / "s3-oac-basic" / "spec.yaml", tree)
    manifest = json.loads((tree / write.MANIFEST).read_text())
    edit(manifest)  # type: ignore[operator]
    (tree / write.MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(UsageError, match="render"):
        _service.explain_spec(None, tree)
    result = cfgen("explain", "--dir", str(tree))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1


def test_explain_cli_formats_and_usage() -> None:
    spec = str(EXAMPLES / "s3-oac-basic" / "spec.yaml")
    text = cfgen("explain", spec)
    assert text.returncode == 0 and "through its own distribution" in text.stdout
    as_json = cfgen("explain", spec, "--format", "json")
    assert json.loads(as_json.stdout)["origins"][0]["pattern"] == "s3/oac"
    assert cfgen("explain", spec, "--format", "mermaid").stdout.startswith("```mermaid\nflowchart LR\n")
    assert cfgen("explain").returncode == 2
    assert cfgen("explain", spec, "--dir", str(EXAMPLES / "s3-oac-basic" / "generated")).returncode == 2
    bad = cfgen("explain", str(EXAMPLES / "missing.yaml"))
    assert bad.returncode == 2 and ": error: " in bad.stderr


def test_every_pattern_declares_every_proof_it_names_once_per_path() -> None:
    for key, pattern in PATTERNS.items():
        model = pattern.threats
        assert model.paths[0].key == "distribution" and model.paths[0].status == "allowed", key
        assert model.paths[-1].key == "admins", key
        for p in model.paths:
            assert len(p.proofs) == len(set(p.proofs)), f"{key}: {p.key} repeats a proof"
            assert all(re.fullmatch(r"CFG_[A-Z0-9_]+", proof) for proof in p.proofs), p.proofs


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"status": "closed"}, "names no proof"),
        ({"status": "residual"}, "says nothing"),
        ({"status": "closed", "proofs": ("CFG_X",), "when": "sometimes"}, "unknown condition"),
    ],
)
def test_a_declaration_that_proves_nothing_is_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AccessPath(key="internet", name="x", **kwargs)  # type: ignore[arg-type]


def test_a_model_without_exactly_one_allowed_path_is_refused() -> None:
    with pytest.raises(ValueError, match="exactly one allowed"):
        ThreatModel(hops=("a",), paths=(path("internet", "residual", note="n"),))
    with pytest.raises(ValueError, match="exactly one allowed"):
        ThreatModel(hops=("a",), paths=(path("distribution", "allowed"), path("internet", "allowed")))


def test_details_cannot_annotate_a_path_the_declaration_lacks() -> None:
    model = ThreatModel(hops=("a",), paths=(path("distribution", "allowed"),))
    with pytest.raises(ValueError, match="does not have"):
        paths_for(model, OriginDetails(notes={"internet": "x"}))
