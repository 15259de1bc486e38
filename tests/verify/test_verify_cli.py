"""`cfgen verify` end to end, offline: real AWS names from a hand-written outputs file, origins on loopback.

Each origin kind has a stand-in: one that refuses like S3 (403 AccessDenied
XML), one like API Gateway (403 ForbiddenException), one that answers 200 to
everyone (a bypass verify must report), one that never answers (a private
origin). `--connect-to` points the names at them and `--ca-bundle` trusts the
test CA, so the command runs as it would against a deployment.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES
from tests.snippets._harness import Pki
from tests.verify._servers import API_GATEWAY, CLOUDFRONT_403, OPEN, S3, Reply, Silent, closed_port
from tests.verify.conftest import OUTPUTS, Serve, Verify


def example(name: str) -> list[str]:
    """Arguments that verify the committed render of example ``name`` with its hand-written outputs."""
    return ["--dir", str(EXAMPLES / name / "generated"), "--outputs", str(OUTPUTS / f"{name}.json")]


BASIC = example("s3-oac-basic")
DIST = "d111111abcdef8.cloudfront.net:443"
VHOST = "demo-site-assets-example.s3.eu-west-1.amazonaws.com:443"
PATH_STYLE = "s3.eu-west-1.amazonaws.com:443"


def rows(result: subprocess.CompletedProcess[str]) -> list[tuple[str, str, str]]:
    """(verdict, endpoint, got) of each probe, from the JSON report."""
    document = json.loads(result.stdout)
    return [(p["verdict"], p["endpoint"], p["got"]) for p in document["probes"]]


def test_an_s3_origin_reached_only_through_its_distribution_holds(serve: Serve, cfgen_verify: Verify) -> None:
    cloudfront, bucket = serve(OPEN), serve(S3)
    result = cfgen_verify(*BASIC, routes={DIST: cloudfront.port, VHOST: bucket.port, PATH_STYLE: bucket.port})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 holds, 0 fails, 0 unknown, 0 skipped" in result.stdout
    # One GET each, to the names of the outputs (Host and SNI), for the object the distribution serves at /.
    assert [(r.method, r.header("host"), r.path) for r in cloudfront.received] == [
        ("GET", "d111111abcdef8.cloudfront.net", "/")
    ]
    assert sorted((r.method, r.header("host"), r.path) for r in bucket.received) == [
        ("GET", "demo-site-assets-example.s3.eu-west-1.amazonaws.com", "/index.html"),
        ("GET", "s3.eu-west-1.amazonaws.com", "/demo-site-assets-example/index.html"),
    ]
    assert {r.header("user-agent") for r in [*cloudfront.received, *bucket.received]} == {"cfgen-verify"}


def test_a_bucket_that_answers_everyone_is_reported(serve: Serve, cfgen_verify: Verify) -> None:
    cloudfront, bucket = serve(OPEN), serve(OPEN)
    result = cfgen_verify(
        *BASIC, "--format", "json", routes={DIST: cloudfront.port, VHOST: bucket.port, PATH_STYLE: bucket.port}
    )
    assert result.returncode == 1
    assert rows(result) == [
        ("holds", "distribution", "200"),
        ("fails", "s3_rest", "200"),
        ("fails", "s3_rest_path", "200"),
    ]
    assert json.loads(result.stdout)["probes"][1]["path_name"] == "directly from the internet"


@pytest.mark.parametrize(
    ("reply", "got"),
    [
        (S3, "403 AccessDenied (S3)"),
        (API_GATEWAY, "403 ForbiddenException (API Gateway)"),
        (CLOUDFRONT_403, "403 from CloudFront itself"),
    ],
    ids=["s3", "api-gateway", "cloudfront"],
)
def test_the_distribution_refused_fails(serve: Serve, cfgen_verify: Verify, reply: Reply, got: str) -> None:
    cloudfront, bucket = serve(reply), serve(S3)
    result = cfgen_verify(
        *BASIC, "--format", "json", routes={DIST: cloudfront.port, VHOST: bucket.port, PATH_STYLE: bucket.port}
    )
    assert result.returncode == 1
    assert rows(result)[0] == ("fails", "distribution", got)
    assert len(cloudfront.received) == 1  # a refusal is an answer: not tried again


def test_the_private_api_chain_holds(serve: Serve, silent: Silent, cfgen_verify: Verify) -> None:
    cloudfront, api = serve(OPEN), serve(API_GATEWAY)
    result = cfgen_verify(
        *example("private-api-vpc-origin"),
        "--format",
        "json",
        "--timeout",
        "0.5",
        routes={
            "d333333abcdef8.cloudfront.net:443": cloudfront.port,
            "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com:443": api.port,
            "api-origin.example.com:443": silent.port,
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert rows(result) == [
        ("holds", "distribution", "200"),
        ("holds", "execute_api", "403 ForbiddenException (API Gateway)"),
        ("holds", "origin_domain", "no answer in time"),
    ]
    # The stage is the origin's path: CloudFront asks the API for /prod/ when a viewer asks for /.
    assert [r.path for r in api.received] == ["/prod/"]
    assert silent.accepted == 1  # a hold is not tried again


def test_a_private_origin_that_answers_from_outside_is_reported(serve: Serve, cfgen_verify: Verify) -> None:
    cloudfront, leak = serve(OPEN), serve(OPEN)
    result = cfgen_verify(
        *example("alb-vpc-origin"),
        "--format",
        "json",
        routes={
            "d444444abcdef8.cloudfront.net:443": cloudfront.port,
            "app-origin.example.com:443": leak.port,
            "internal-shop-app-web-1234567890.eu-west-1.elb.amazonaws.com:443": closed_port(),
        },
    )
    assert result.returncode == 1
    assert rows(result) == [
        ("holds", "distribution", "200"),
        ("fails", "origin_domain", "200"),
        ("holds", "load_balancer", "connection refused"),
    ]


def test_the_website_endpoint_refuses_no_referer_and_a_wrong_one(serve: Serve, cfgen_verify: Verify) -> None:
    cloudfront, website, rest = serve(OPEN), serve(S3, tls=False), serve(S3)
    args = [*example("s3-website"), "--format", "json"]
    routes = {
        "d222222abcdef8.cloudfront.net:443": cloudfront.port,
        "docs-site-website-example.s3-website-eu-west-1.amazonaws.com:80": website.port,
        "docs-site-website-example.s3.eu-west-1.amazonaws.com:443": rest.port,
        PATH_STYLE: rest.port,
    }
    first, second = cfgen_verify(*args, routes=routes), cfgen_verify(*args, routes=routes)
    assert (first.returncode, second.returncode) == (0, 0), first.stdout + first.stderr
    assert [what for what in (p["what"] for p in json.loads(first.stdout)["probes"])] == [
        "the distribution's domain name",
        "S3 website endpoint",
        "S3 website endpoint, with a wrong Referer",
        "S3 REST endpoint, virtual-hosted style",
        "S3 REST endpoint, path style",
    ]
    referers = sorted((r.header("referer") or "" for r in website.received), key=len)
    assert referers[:2] == ["", ""] and all(r.startswith("cfgenverifywrong") for r in referers[2:])
    assert len(set(referers[2:])) == 2, "each run sends a wrong secret of its own"
    # Only that probe sends a secret, and only a wrong one.
    assert not any(r.header("referer") for r in [*cloudfront.received, *rest.received])


def test_dry_run_lists_every_url_and_sends_nothing(serve: Serve, silent: Silent, cfgen_verify: Verify) -> None:
    cloudfront, bucket = serve(OPEN), serve(OPEN)
    result = cfgen_verify(*BASIC, "--dry-run", "--format", "json", routes={DIST: cloudfront.port, VHOST: bucket.port})
    assert result.returncode == 0
    assert [(p["url"], p["got"]) for p in json.loads(result.stdout)["probes"]] == [
        ("https://d111111abcdef8.cloudfront.net/", "not sent (--dry-run)"),
        ("https://demo-site-assets-example.s3.eu-west-1.amazonaws.com/index.html", "not sent (--dry-run)"),
        ("https://s3.eu-west-1.amazonaws.com/demo-site-assets-example/index.html", "not sent (--dry-run)"),
    ]
    assert cloudfront.received == [] and bucket.received == []


def test_a_certificate_nobody_trusts_cannot_be_judged(
    serve: Serve, cfgen_verify: Verify, pki: Pki, other_pki: Pki
) -> None:
    """An attacker ignores certificates: a direct endpoint verify cannot trust is no proof of a refusal."""
    cloudfront, bucket = serve(OPEN), serve(S3, certificates=other_pki)
    routes = {DIST: cloudfront.port, VHOST: bucket.port, PATH_STYLE: bucket.port}
    # The test CA comes from SSL_CERT_FILE this time, as on a runner whose trust store holds a company CA.
    result = cfgen_verify(*BASIC, "--format", "json", routes=routes, ca=False, env={"SSL_CERT_FILE": str(pki.ca)})
    assert result.returncode == 2
    verdicts = rows(result)
    assert verdicts[0] == ("holds", "distribution", "200")
    assert [(v, e) for v, e, _ in verdicts[1:]] == [("unknown", "s3_rest"), ("unknown", "s3_rest_path")]
    assert all(got.startswith("certificate not trusted") for _, _, got in verdicts[1:])


def test_reports_as_junit_and_to_a_file(serve: Serve, cfgen_verify: Verify, tmp_path: Path) -> None:
    cloudfront, bucket = serve(OPEN), serve(OPEN)
    report = tmp_path / "verify.xml"
    result = cfgen_verify(
        *BASIC,
        "--format",
        "junit",
        "--report",
        str(report),
        routes={DIST: cloudfront.port, VHOST: bucket.port, PATH_STYLE: bucket.port},
    )
    assert result.returncode == 1
    assert report.read_text(encoding="utf-8") == result.stdout
    suite = ET.fromstring(result.stdout).find("testsuite")
    assert suite is not None and (suite.get("name"), suite.get("tests"), suite.get("failures")) == ("verify", "3", "2")
    failures = [case.find("failure") for case in suite.iter("testcase")]
    assert [f.get("message") if f is not None else None for f in failures][1:] == [
        "expected refused (401/403); got 200"
    ] * 2


def test_a_table_names_each_probe(serve: Serve, cfgen_verify: Verify) -> None:
    cloudfront, bucket = serve(OPEN), serve(OPEN)
    result = cfgen_verify(*BASIC, routes={DIST: cloudfront.port, VHOST: bucket.port, PATH_STYLE: bucket.port})
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "Verdict" in lines[1] and "Expected" in lines[1] and "Got" in lines[1]
    assert [line.split("│")[1].strip() for line in lines if line.startswith("│ ") and line.split("│")[1].strip()] == [
        "HOLDS",
        "FAILS",
        "FAILS",
    ]
    assert lines[-1] == "1 holds, 2 fails, 0 unknown, 0 skipped"


def _tree_without_manifest(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    shutil.copytree(EXAMPLES / "s3-oac-basic" / "generated", tree)
    (tree / ".cfgen-manifest.json").unlink()
    return tree


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dir", "{tmp}/missing", "--outputs", "{outputs}"], "is not a folder"),
        (["--dir", "{bare}", "--outputs", "{outputs}"], "has no .cfgen-manifest.json"),
        (["--dir", "{tree}", "--outputs", "{tmp}/none.json"], "no such file"),
        (["--dir", "{tree}", "--outputs", "{tmp}"], "is a folder"),
        (["--dir", "{tree}", "--outputs", "{garbage}"], "not JSON"),
        (["--dir", "{tree}", "--outputs", "{other}"], "the render disagree (no endpoints for site/assets"),
        (["--dir", "{tree}", "--outputs", "{outputs}", "--connect-to", "nowhere"], "expected HOST:PORT:ADDR:PORT"),
        (["--dir", "{tree}", "--outputs", "{outputs}", "--ca-bundle", "{tmp}/none.pem"], "--ca-bundle"),
        (["--dir", "{tree}", "--outputs", "{outputs}", "--timeout", "0"], "--timeout takes"),
        (["--dir", "{tree}", "--outputs", "{outputs}", "--report", "{tmp}/no/r.xml"], "does not exist"),
    ],
)
def test_what_cannot_run_exits_2_in_one_line(
    cfgen_verify: Verify, tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "garbage.json").write_text("{not json", encoding="utf-8")
    values = {
        "tmp": str(tmp_path),
        "tree": str(EXAMPLES / "s3-oac-basic" / "generated"),
        "bare": str(_tree_without_manifest(tmp_path)),
        "outputs": str(OUTPUTS / "s3-oac-basic.json"),
        "other": str(OUTPUTS / "s3-website.json"),
        "garbage": str(tmp_path / "garbage.json"),
    }
    result = cfgen_verify(*(a.format(**values) for a in args), ca=False)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and message in line, line
    assert result.stdout == ""


@pytest.mark.plan
def test_the_outputs_come_from_the_binary_in_the_tree(cfgen_verify: Verify, tmp_path: Path) -> None:
    """Without --outputs, verify runs `output -json` in the tree, as after an apply (a local state here)."""
    tree = tmp_path / "infra"
    shutil.copytree(EXAMPLES / "s3-oac-basic" / "generated", tree)
    outputs = json.loads((OUTPUTS / "s3-oac-basic.json").read_text(encoding="utf-8"))
    state = {
        "version": 4,
        "terraform_version": "1.11.0",
        "serial": 1,
        "lineage": "5b8e1a6e-8a46-4a3a-9c61-2a3b4c5d6e7f",
        "outputs": {name: {"value": o["value"], "type": o["type"]} for name, o in outputs.items()},
        "resources": [],
        "check_results": None,
    }
    (tree / "terraform.tfstate").write_text(json.dumps(state), encoding="utf-8")
    result = cfgen_verify("--dir", str(tree), "--dry-run", "--format", "json", ca=False)
    assert result.returncode == 0, result.stderr
    assert [p["url"] for p in json.loads(result.stdout)["probes"]] == [
        "https://d111111abcdef8.cloudfront.net/",
        "https://demo-site-assets-example.s3.eu-west-1.amazonaws.com/index.html",
        "https://s3.eu-west-1.amazonaws.com/demo-site-assets-example/index.html",
    ]
    # An empty state: nothing applied yet.
    state["outputs"] = {}
    (tree / "terraform.tfstate").write_text(json.dumps(state), encoding="utf-8")
    empty = cfgen_verify("--dir", str(tree), "--dry-run", ca=False)
    assert empty.returncode == 2 and "holds no outputs: apply the tree first" in empty.stderr
    missing = cfgen_verify("--dir", str(tree), "--binary", "no-such-terraform", ca=False, env=dict(os.environ))
    assert missing.returncode == 2 and "no-such-terraform" in missing.stderr
