"""Any HTTPS server behind a secret header (``type: custom``, ``protection: secret_header``).

Wiring: an ``origin-secret`` module call reads the secret; the
``custom-origin`` module gives the distribution a custom origin that is
``https-only`` with ``TLSv1.2`` and sends ``X-Origin-Verify: <current>``. The
server is not in the plan: the render carries its side of the check for
nginx, Apache httpd 2.4 and Caddy 2 (``cfgen.snippets``, tested on real
servers), which lets in only the current or the previous secret.

So the proofs cover what CloudFront does (HTTPS only, the header sent,
sensitive and never written in the code), and every path the server itself
closes stays residual until the snippet is installed and probed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .._hcl import Attr, Ref, template
from ..harness.plan import PlanView
from ..harness.results import Finding
from ..snippets import TlsFiles, server_snippets
from ..spec.public_origins import CustomOrigin
from . import _network, _origin_verify
from ._base import OriginBinding, OriginView, Pattern, module_name
from ._probes import DISTRIBUTION, probe
from ._secret import MODULE as SECRET_MODULE
from ._threats import OriginDetails, ThreatModel, admins, path

if TYPE_CHECKING:
    from ..spec import Distribution, Spec
    from ..spec.models import Origin

HEADER = _origin_verify.HEADER
SNIPPETS = "origin-snippets"
_SAFE = re.compile(r"[A-Za-z0-9]{32,128}")


def view(spec: Spec, dist: Distribution, origin: Origin) -> OriginView:
    """The secret's module call, the ``custom-origin`` call, and the server configuration files."""
    assert isinstance(origin, CustomOrigin)
    module = module_name(dist.name, origin.id)
    secret = _origin_verify.secret_of(module, origin.secret, f"{dist.name}/{origin.id}")
    inputs = [Attr("domain_name", origin.domain_name)]
    if origin.origin_path:
        inputs.append(Attr("origin_path", origin.origin_path))
    if origin.https_port != 443:
        inputs.append(Attr("https_port", origin.https_port))
    inputs.append(_origin_verify.input_of(secret))
    server = origin.server
    tls = server.tls
    files = server_snippets(
        server_name=origin.domain_name,
        upstream=server.upstream,
        port=origin.https_port,
        address=server.listen_address,
        tls=TlsFiles(tls.certificate_file, tls.key_file) if tls is not None else None,
        directory=f"{SNIPPETS}/{module}",
    )
    port = "" if origin.https_port == 443 else f":{origin.https_port}"
    endpoints = {"origin_domain": template(f"https://{origin.domain_name}{port}{origin.origin_path}")}
    return OriginView(
        module=module,
        inputs=inputs,
        distribution_origin=Ref(f"module.{module}.cloudfront_origin"),
        secrets=[secret],
        files=dict(files),
        endpoints=endpoints,
    )


# -- proofs ------------------------------------------------------------------


def prove(plan: PlanView, binding: OriginBinding) -> list[Finding]:
    """Findings that CloudFront reaches ``binding``'s server over HTTPS only, sending the secret as a secret."""
    return [_https(plan, binding), _secret(plan, binding)]


def _https(plan: PlanView, binding: OriginBinding) -> Finding:
    title = "CloudFront reaches the server over HTTPS only, with TLSv1.2"
    check = "CFG_CUSTOM_HTTPS"
    distribution, origins, missing = _network.distribution_origin(plan, binding)
    address = distribution.address if distribution is not None else f"module.{binding.distribution_module}"
    problems = [missing] if missing else []
    if not missing and not origins:
        problems.append(f"origin '{binding.origin}' is unknown at plan time: its protocol cannot be checked")
    for origin in origins:
        problems += _network.https_only_problems(origin)
    return _network.finding(binding, check, title, address, "; ".join(problems))


def _secret(plan: PlanView, binding: OriginBinding) -> Finding:
    title = f"CloudFront sends the {HEADER} secret: sensitive, from the origin-secret module, not written in the code"
    check = "CFG_CUSTOM_SECRET"
    literals = plan.configured_strings()
    distribution, origins, missing = _network.distribution_origin(plan, binding)
    address = distribution.address if distribution is not None else f"module.{binding.distribution_module}"
    problems = _origin_verify.sent_problems(plan, binding, [], literals)
    if not missing and not origins:
        problems.append(f"origin '{binding.origin}' is unknown at plan time: its {HEADER} cannot be checked")
    for origin in origins:
        for header in origin.get("custom_header") or []:
            if str(header.get("name", "")).lower() != HEADER.lower():
                continue
            value = header.get("value")
            # Never echo the value: it is the secret.
            if value is not None and (not isinstance(value, str) or not _SAFE.fullmatch(value)):
                problems.append(
                    f"the {HEADER} value is not 32-128 letters and digits, which the server configuration "
                    "cfgen renders requires"
                )
    if not missing:
        problems += _from_secret_module(plan, binding)
    return _network.finding(binding, check, title, address, "; ".join(dict.fromkeys(problems)))


def _from_secret_module(plan: PlanView, binding: OriginBinding) -> list[str]:
    """Why the origin's secrets would not come from an origin-secret module call of the root."""
    call = (plan.module_config(()) or {}).get("module_calls", {}).get(binding.module)
    if call is None:
        return [f"no module.{binding.module} gives the origin: its header would not come from a secret"]
    refs = call.get("expressions", {}).get("origin_secrets", {}).get("references", [])
    sources = {
        ref.split(".")[1]
        for ref in refs
        if ref.startswith("module.") and ref.count(".") >= 2 and ref.split(".")[2] == "values"
    }
    if not any(str(plan.module_source((s,)) or "").rstrip("/").endswith(f"/{SECRET_MODULE}") for s in sources):
        return [f"module.{binding.module}.origin_secrets is not the `values` of an origin-secret module call"]
    return []


# -- threat model --------------------------------------------------------------

_SERVER_CHECK = (
    f"The check is your server's: the {HEADER} configuration cfgen renders for nginx, Apache or Caddy "
    f"({SNIPPETS}/, tested on real servers) answers 403 without the current or the previous secret. It is not in "
    "the plan, so the path stays open until that configuration is installed; check with a request without the "
    "header, which must get 403."
)

THREATS = ThreatModel(
    hops=("viewer", "CloudFront distribution", f"HTTPS (TLSv1.2), {HEADER}: <secret>", "your HTTPS server"),
    paths=(
        path(
            "distribution",
            "allowed",
            note=f"CloudFront sends the current secret as {HEADER}, over HTTPS only; the server's configuration "
            "lets it in.",
        ),
        path(
            "internet",
            "residual",
            ("CFG_CUSTOM_SECRET",),
            f"The server is on the internet. {_SERVER_CHECK} A firewall that admits only CloudFront's origin-facing "
            "prefix list narrows it, never closes it (every distribution, anyone's, comes from those addresses).",
        ),
        path(
            "other_distribution",
            "residual",
            ("CFG_CUSTOM_SECRET", "CFG_CUSTOM_HTTPS"),
            f"Anyone can point a distribution of their own at the server; only the secret tells this one apart "
            f"(CloudFront overwrites an {HEADER} a viewer sends). {_SERVER_CHECK}",
        ),
        path(
            "secret_holders",
            "residual",
            ("CFG_CUSTOM_HTTPS",),
            "The check is a shared secret, not CloudFront's identity: whoever learns it (from state, plan files, "
            "the distribution's configuration or the server) reaches the server directly, around the "
            "distribution's WAF, geo restriction, signed URLs and logs. It crosses the internet inside TLS only "
            "(https-only, TLSv1.2). Narrowed by rotation (two values accepted) and by guarding state and the "
            "server's secret files.",
        ),
        admins(("the distribution", "the server's configuration and secret files")),
    ),
)


def details(spec: Spec, dist: Distribution, origin: Origin) -> OriginDetails:
    assert isinstance(origin, CustomOrigin)
    module = module_name(dist.name, origin.id)
    return OriginDetails(
        hops=(
            "viewer",
            f"CloudFront distribution {dist.name}",
            f"HTTPS (TLSv1.2), {HEADER}: <secret>",
            f"your server {origin.domain_name}",
        ),
        secrets=(
            _origin_verify.use_of(
                origin.secret,
                where=f"the server's secret file or environment ({SNIPPETS}/{module}/ says which)",
            ),
        ),
        todo=(
            f"Install {SNIPPETS}/{module}/nginx.conf, apache2.conf or Caddyfile on {origin.domain_name} and give "
            "it the current (and, while rotating, the previous) secret from your deploy (README: Servers you run).",
            f"Check that {origin.domain_name} answers 403 to a request without {HEADER}, and to one with a wrong "
            "value.",
            f"Rotate the {HEADER} secret on a schedule: the server accepts the new one first (README: Servers you "
            "run).",
        ),
    )


PROBES = (DISTRIBUTION, probe("internet", "origin_domain"), probe("internet", "origin_domain", wrong_header=HEADER))


PATTERN = Pattern(
    origin_type="custom",
    protection="secret_header",
    summary=f"Any HTTPS server; CloudFront sends {HEADER} over HTTPS only, the server's rendered configuration "
    "requires it.",
    template="custom/origin.tf.j2",
    modules=("custom-origin",),
    view=view,
    prove=prove,
    threats=THREATS,
    probes=PROBES,
    details=details,
)
