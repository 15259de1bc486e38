"""Fixed monthly list prices of what a protection adds, for ``cfgen explain``.

US East (N. Virginia) on-demand list prices in USD, 730 hours a month, before
per-request and per-LCU charges; other regions differ by a few percent. They
are estimates for choosing between patterns, not a bill: check the AWS
pricing pages (Elastic Load Balancing, AWS PrivateLink, AWS WAF) before
committing to one. Origin Access Control, bucket policies, security groups,
listener rules and CloudFront VPC origins cost nothing themselves.
"""

from __future__ import annotations

from ._threats import Cost

__all__ = ["HOURS", "alb", "interface_endpoint", "nlb", "waf_web_acl"]

HOURS = 730
_ALB_HOUR = 0.0225
_NLB_HOUR = 0.0225
_ENDPOINT_HOUR_PER_AZ = 0.01
_WAF_ACL_MONTH = 5.0
_WAF_RULE_MONTH = 1.0


def alb(what: str) -> Cost:
    """An Application Load Balancer's hours (LCUs come on top, per traffic)."""
    return Cost(f"{what} (hours, before LCUs)", round(_ALB_HOUR * HOURS, 2))


def nlb(what: str) -> Cost:
    """A Network Load Balancer's hours (NLCUs come on top, per traffic)."""
    return Cost(f"{what} (hours, before NLCUs)", round(_NLB_HOUR * HOURS, 2))


def interface_endpoint(zones: int) -> Cost:
    """An interface VPC endpoint in ``zones`` Availability Zones (data processed on top)."""
    return Cost(f"interface VPC endpoint in {zones} zone(s)", round(_ENDPOINT_HOUR_PER_AZ * HOURS * zones, 2))


def waf_web_acl(rules: int) -> Cost:
    """A WAF web ACL with ``rules`` rules (requests inspected on top, $0.60 per million)."""
    return Cost(f"WAF web ACL with {rules} rule(s)", _WAF_ACL_MONTH + _WAF_RULE_MONTH * rules)
