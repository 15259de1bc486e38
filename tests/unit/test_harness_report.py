from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import asdict

import pytest

from cfgen.errors import UsageError
from cfgen.harness.report import FORMATS, Counts, render_report, summary
from cfgen.harness.results import Finding

FINDINGS = [
    Finding(
        source="proof",
        check_id="S3_OAC_ONLY",
        title="bucket policy allows only this distribution",
        passed=False,
        address='aws_s3_bucket_policy.this["assets"]',
        origin="web/assets",
        message="statement 2 allows Principal * <without & condition>",
        file="main.tf",
    ),
    Finding(
        source="proof",
        check_id="S3_PAB",
        title="public access block is complete",
        passed=True,
        address="aws_s3_bucket_public_access_block.this",
        origin="web/assets",
    ),
    Finding(
        source="checkov",
        check_id="CKV_AWS_18",
        title="Ensure the S3 bucket has access logging enabled",
        passed=True,
        address="aws_s3_bucket.logs",
        message="this is the log bucket",
        file="main.tf",
        skipped=True,
    ),
    Finding(
        source="checkov",
        check_id="CKV_AWS_21",
        title="Ensure all data stored in the S3 bucket have versioning enabled",
        passed=True,
        address="aws_s3_bucket.logs",
        file="main.tf",
    ),
]


def test_summary_counts_passed_failed_and_skipped_apart() -> None:
    assert summary(FINDINGS) == Counts(passed=2, failed=1, skipped=1)
    assert summary([]) == Counts(0, 0, 0)
    assert [f.result for f in FINDINGS] == ["failed", "passed", "skipped", "passed"]


def test_a_skipped_finding_cannot_have_failed() -> None:
    with pytest.raises(ValueError, match="skipped"):
        Finding("checkov", "CKV_AWS_18", "t", False, "a.b", skipped=True)


def test_table_lists_failures_first_with_origin_address_and_message() -> None:
    text = render_report(FINDINGS, "table", width=200)
    lines = text.splitlines()
    failed = next(i for i, line in enumerate(lines) if "FAILED" in line)
    passed = next(i for i, line in enumerate(lines) if "PASSED" in line)
    assert failed < passed
    row = lines[failed]
    assert "web/assets" in row
    # brackets of a for_each key must survive (rich markup would eat them)
    assert 'aws_s3_bucket_policy.this["assets"]' in row
    assert "statement 2 allows Principal *" in lines[failed + 1]
    # checkov's passes and skips are counted, not listed: the table is for reviewers
    assert "this is the log bucket" not in text
    assert "checkov: 1 more passed, 1 skipped" in text
    assert lines[-1] == "2 passed, 1 failed, 1 skipped"


def test_table_of_nothing_still_has_a_summary() -> None:
    assert render_report([], "table").splitlines()[-1] == "0 passed, 0 failed, 0 skipped"


def test_json_round_trips_and_is_stable() -> None:
    text = render_report(FINDINGS, "json")
    assert text == render_report(list(reversed(FINDINGS)), "json")
    document = json.loads(text)
    assert document["summary"] == {"passed": 2, "failed": 1, "skipped": 1}
    assert [item["result"] for item in document["findings"]].count("skipped") == 1
    back = [
        Finding(**{**{k: v for k, v in item.items() if k != "result"}, "paths": tuple(item["paths"])})
        for item in document["findings"]
    ]
    assert sorted(back, key=lambda f: json.dumps(asdict(f), sort_keys=True)) == sorted(
        FINDINGS, key=lambda f: json.dumps(asdict(f), sort_keys=True)
    )
    # sorted keys: the text does not depend on dataclass field order
    assert list(document["findings"][0]) == sorted(document["findings"][0])


def test_junit_has_a_suite_per_source_and_a_failure_element() -> None:
    root = ET.fromstring(render_report(FINDINGS, "junit"))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("4", "1", "1")
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert set(suites) == {"proof", "checkov"}
    assert suites["proof"].get("failures") == "1"
    assert len(suites["checkov"].findall("testcase")) == 2
    failures = root.findall(".//failure")
    assert len(failures) == 1
    assert failures[0].get("type") == "S3_OAC_ONLY"
    assert "<without & condition>" in (failures[0].get("message") or "")
    assert "web/assets" in (failures[0].text or "")
    skipped = root.findall(".//skipped")
    assert [s.get("message") for s in skipped] == ["this is the log bucket"]


def test_junit_survives_control_characters() -> None:
    dirty = Finding("proof", "X", "t", False, "a.b", message="bad \x1b[31mred\x00")
    ET.fromstring(render_report([dirty], "junit"))


def test_sarif_has_the_required_structure() -> None:
    document = json.loads(render_report(FINDINGS, "sarif"))
    assert document["version"] == "2.1.0"
    assert "$schema" in document
    run = document["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "cfgen"
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert sorted(rule_ids) == sorted({f.check_id for f in FINDINGS})
    assert all(rule["shortDescription"]["text"] for rule in driver["rules"])
    assert run["properties"]["summary"] == {"passed": 2, "failed": 1, "skipped": 1}
    results = run["results"]
    assert len(results) == 2
    (result,) = [r for r in results if "suppressions" not in r]
    assert result["ruleId"] == "S3_OAC_ONLY"
    assert rule_ids[result["ruleIndex"]] == "S3_OAC_ONLY"
    assert result["level"] == "error"
    assert result["message"]["text"]
    (location,) = result["locations"]
    assert location["logicalLocations"][0]["fullyQualifiedName"] == ('aws_s3_bucket_policy.this["assets"]')
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "main.tf"


def test_sarif_shows_a_skipped_check_as_suppressed_in_the_source() -> None:
    document = json.loads(render_report(FINDINGS, "sarif"))
    (skipped,) = [r for r in document["runs"][0]["results"] if "suppressions" in r]
    assert skipped["ruleId"] == "CKV_AWS_18"
    assert skipped["level"] == "note"
    assert skipped["suppressions"] == [{"kind": "inSource", "justification": "this is the log bucket"}]


def test_sarif_with_passes_only_has_empty_results() -> None:
    document = json.loads(render_report([f for f in FINDINGS if f.result == "passed"], "sarif"))
    assert document["runs"][0]["results"] == []
    assert document["runs"][0]["properties"]["summary"] == {"passed": 2, "failed": 0, "skipped": 0}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_an_empty_list(fmt: str) -> None:
    assert render_report([], fmt)


def test_unknown_format_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="table, json, junit, sarif"):
        render_report(FINDINGS, "html")
