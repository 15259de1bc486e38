"""CKV_CFG_13: a Lambda permission for CloudFront names one distribution, and a URL grant requires AWS_IAM.

``principal = "cloudfront.amazonaws.com"`` alone lets every distribution,
anyone's, call the function: ``source_arn`` must name a distribution (an ARN
``arn:aws:cloudfront::ACCOUNT:distribution/ID`` or a reference to one).
``source_account`` is not enough: every distribution of that account would
pass (the built-in ``CKV_AWS_364`` accepts it). A ``lambda:InvokeFunctionUrl``
grant must also say ``function_url_auth_type = "AWS_IAM"``: with ``NONE``
the URL takes unsigned requests from anyone.

Permissions for other principals are not judged (UNKNOWN). In plan JSON a
``source_arn`` unknown until apply (the distribution is created in the same
apply) counts as a reference; a null one fails.
"""

from __future__ import annotations

import re
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

_CLOUDFRONT = "cloudfront.amazonaws.com"
_DISTRIBUTION_ARN = re.compile(r"^arn:aws[a-z-]*:cloudfront::\d{12}:distribution/[A-Z0-9]+$")


def _first(value: Any) -> Any:
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


def _from_plan(conf: dict[str, Any]) -> bool:
    """Whether checkov built ``conf`` from plan JSON (``start_line``) rather than HCL (``__start_line__``)."""
    return "start_line" in conf and "__start_line__" not in conf


class LambdaPermissionCloudFront(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Lambda permission for CloudFront is scoped to one distribution (source_arn), URL grants need AWS_IAM",
            id="CKV_CFG_13",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_lambda_permission"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["principal", "source_arn", "action", "function_url_auth_type"]
        if _first(conf.get("principal")) != _CLOUDFRONT:
            return CheckResult.UNKNOWN
        if "source_arn" not in conf and _from_plan(conf):
            pass  # unknown until apply: the ARN of a distribution created in the same apply
        else:
            source = _first(conf.get("source_arn"))
            if not isinstance(source, str) or not source:
                self.details.append("no source_arn: every CloudFront distribution, anyone's, could call the function")
            elif "*" in source or (source.startswith("arn:") and not _DISTRIBUTION_ARN.match(source)):
                self.details.append(f"source_arn {source!r} is not one distribution's ARN")
        action = _first(conf.get("action"))
        auth = _first(conf.get("function_url_auth_type"))
        if action == "lambda:InvokeFunctionUrl" and auth != "AWS_IAM":
            self.details.append(f"function_url_auth_type is {auth!r}, must be 'AWS_IAM'")
        return CheckResult.FAILED if self.details else CheckResult.PASSED


check = LambdaPermissionCloudFront()
