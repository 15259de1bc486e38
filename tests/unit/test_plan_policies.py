"""How the proofs read a policy document that merges others, from a plan's configuration."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cfgen.harness.plan import PlanView, Statement, policy_statements

KEPT = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "Owners", "Effect": "Deny", "Principal": "*", "NotAction": "s3:GetObject", "Resource": "*"},
        {"Sid": "Same", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"},
    ],
}
STATEMENT = {
    "sid": {"constant_value": "Same"},
    "effect": {"constant_value": "Deny"},
    "actions": {"constant_value": ["s3:*"]},
    "resources": {"constant_value": ["*"]},
    "principals": [{"type": {"constant_value": "AWS"}, "identifiers": {"constant_value": ["*"]}}],
}


def plan_with(document: dict[str, Any], kept: Any) -> dict[str, Any]:
    """A plan of module ``m`` whose bucket policy is one document, with ``kept`` passed as var.kept."""
    expressions = {"kept": {"constant_value": kept}} if kept is not None else {}
    return {
        "resource_changes": [
            {
                "address": "module.m.aws_s3_bucket_policy.this",
                "module_address": "module.m",
                "type": "aws_s3_bucket_policy",
                "name": "this",
                "change": {"actions": ["create"], "after": {}, "after_unknown": {"policy": True}},
            }
        ],
        "configuration": {
            "root_module": {
                "module_calls": {
                    "m": {
                        "expressions": expressions,
                        "module": {
                            "variables": {"kept": {"default": None}},
                            "resources": [
                                {
                                    "address": "aws_s3_bucket_policy.this",
                                    "expressions": {"policy": {"references": ["data.aws_iam_policy_document.p.json"]}},
                                },
                                {"address": "data.aws_iam_policy_document.p", "expressions": document},
                            ],
                        },
                    }
                }
            }
        },
    }


def statements(plan: dict[str, Any]) -> list[Statement] | None:
    view = PlanView(plan)
    policy = view.one(("m",), "aws_s3_bucket_policy")
    assert policy is not None
    return policy_statements(view, policy)


SOURCES = {"references": ["var.kept", "var.kept"]}  # `var.kept == null ? [] : [var.kept]`


def test_source_documents_given_as_constants_come_first_and_lose_to_a_statement_of_the_same_sid() -> None:
    read = statements(plan_with({"source_policy_documents": SOURCES, "statement": [STATEMENT]}, json.dumps(KEPT)))
    assert read is not None
    assert [(s.sid, s.effect, s.not_actions) for s in read] == [("Owners", "Deny", True), ("Same", "Deny", False)]


def test_no_source_document_reads_the_document_alone() -> None:
    read = statements(plan_with({"source_policy_documents": SOURCES, "statement": [STATEMENT]}, None))
    assert read is not None and [s.sid for s in read] == ["Same"]


@pytest.mark.parametrize(
    ("document", "kept"),
    [
        ({"override_policy_documents": SOURCES, "statement": [STATEMENT]}, json.dumps(KEPT)),
        ({"source_policy_documents": {"references": ["aws_s3_bucket.b.arn"]}, "statement": [STATEMENT]}, None),
        ({"source_policy_documents": SOURCES, "statement": [STATEMENT]}, "not json"),
        ({"source_policy_documents": SOURCES, "statement": [STATEMENT]}, json.dumps({"Statement": ["x"]})),
    ],
    ids=["override", "known-after-apply", "not-json", "statement-not-an-object"],
)
def test_a_merge_cfgen_cannot_follow_is_unreadable(document: dict[str, Any], kept: Any) -> None:
    assert statements(plan_with(document, kept)) is None
