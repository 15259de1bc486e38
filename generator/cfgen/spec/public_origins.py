"""Origins that face the internet by design, closed by what only this distribution's requests carry.

``custom`` (any HTTPS server, in AWS or not) with ``protection:
secret_header``. Kept apart from ``models.py`` like the VPC origins;
``models.Origin`` joins them in one tagged union.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from ._secrets import Secret, VariableSecret
from ._words import NAME, ORIGIN_PATH, pattern

__all__ = ["CustomOrigin", "OriginServer", "ServerTls"]

# A DNS name CloudFront connects to: no wildcard (an origin is one host), no IP address (CloudFront refuses one).
HOST = pattern(
    r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
    "a lowercase DNS name such as origin.example.com (no wildcard, no IP address)",
)
_Id = Annotated[str, StringConstraints(pattern=NAME, max_length=24)]
_Host = Annotated[str, StringConstraints(pattern=HOST, max_length=253)]
_ServerPath = Annotated[
    str,
    StringConstraints(
        pattern=pattern(
            r"^(/[A-Za-z0-9._+-]+)+$",
            "an absolute path on the server of letters, digits and . _ + - such as /etc/ssl/origin.pem",
        ),
        max_length=1024,
    ),
]

HEADER_SECRET_DESCRIPTION = (
    "Where the X-Origin-Verify secret lives: `{source: variable}` (default), "
    "`{source: secrets_manager, secret_id: NAME}` or `{source: ssm, parameter: /NAME}`. CloudFront sends it and "
    "the origin lets in only requests that carry it; 32-128 letters and digits (`openssl rand -hex 32`)."
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServerTls(_Model):
    """The server's certificate chain and private key, as PEM files on the server."""

    certificate_file: _ServerPath
    key_file: _ServerPath


class OriginServer(_Model):
    """What the rendered nginx, Apache and Caddy configuration needs to know of your server."""

    upstream: str = Field(
        "http://127.0.0.1:8080",
        pattern=pattern(
            r"^http://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$",
            "an application address such as http://127.0.0.1:8080 (http://HOST or http://HOST:PORT, no path)",
        ),
        description="Where the server passes the requests it lets in: your application.",
    )
    listen_address: str | None = Field(
        None, description="The IP address the server listens on for CloudFront; every address when omitted."
    )
    tls: ServerTls | None = Field(
        None,
        description="The certificate files; without them nginx and Apache use certbot's paths for domain_name and "
        "Caddy gets a certificate itself.",
    )

    @field_validator("listen_address")
    @classmethod
    def _ip(cls, address: str | None) -> str | None:
        if address is not None:
            try:
                ipaddress.ip_address(address)
            except ValueError:
                raise ValueError(f"'{address}' is not an IP address; give one, or leave it out for all") from None
        return address

    @field_validator("upstream")
    @classmethod
    def _port(cls, upstream: str) -> str:
        address = upstream.removeprefix("http://")
        port = address.rpartition("]")[2] if address.startswith("[") else address
        number = port.partition(":")[2]
        if number and not 0 < int(number) < 65536:
            raise ValueError(f"port {number} of '{upstream}' is not a TCP port (1-65535)")
        return upstream


class CustomOrigin(_Model):
    """Any HTTPS server, in AWS or not, that lets in only requests carrying this distribution's secret header."""

    id: _Id
    type: Literal["custom"]
    protection: Literal["secret_header"] = Field(
        "secret_header",
        description="secret_header: CloudFront sends `X-Origin-Verify: <secret>` over HTTPS (TLSv1.2) only; the "
        "server checks it with the nginx, Apache or Caddy configuration cfgen renders (403 otherwise).",
    )
    domain_name: _Host = Field(
        description="The server's DNS name: CloudFront connects to it (TLS SNI and Host), and its certificate, from "
        "a public CA, must cover it."
    )
    https_port: int = Field(443, ge=1, le=65535)
    origin_path: str = Field("", pattern=ORIGIN_PATH, max_length=255, description="Path prefix, e.g. /app.")
    secret: Secret = Field(
        default_factory=lambda: VariableSecret(source="variable"), description=HEADER_SECRET_DESCRIPTION
    )
    server: OriginServer = Field(
        default_factory=lambda: OriginServer.model_validate({}),
        description="For the server configuration cfgen renders under origin-snippets/.",
    )
