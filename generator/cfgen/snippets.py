"""Origin-side server configuration for a custom origin that CloudFront reaches with a secret header.

For one origin, :func:`server_snippets` renders one file per server (nginx,
Apache httpd 2.4, Caddy 2) that the origin's operator pastes: accept a request
only when the header carries the current or the previous secret, answer 403
otherwise, remove the header before the application sees it, and keep it out
of every log. Each file says at its top how to rotate the secret.

The secrets never pass through cfgen: each snippet reads them from a file or
from the server's environment, which the operator's deploy provides (the
snippet names which and in what format). Pure: returns ``{relative path:
text}`` and writes nothing; the same arguments give the same bytes.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

import jinja2

from . import _resources
from .errors import RenderError

__all__ = ["SnippetSecrets", "TlsFiles", "server_snippets"]

# What each server renders, by file name under the origin's folder.
_TEMPLATES = {
    "nginx.conf": "snippets/nginx.conf.j2",
    "apache2.conf": "snippets/apache2.conf.j2",
    "Caddyfile": "snippets/Caddyfile.j2",
}

# An HTTP field name of letters, digits and inner dashes. No underscore:
# nginx drops such a header by default (underscores_in_headers off).
_HEADER = re.compile(r"^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$")
_HEADER_MAX = 256  # CloudFront's limit on a custom header's name
_HOST_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_SERVER_NAME = re.compile(rf"^(?=.{{1,253}}$){_HOST_LABEL}(?:\.{_HOST_LABEL})+$")
_UPSTREAM = re.compile(r"^http://(?P<host>[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::(?P<port>[0-9]{1,5}))?$")
_NAME = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")
# Absolute paths of plain characters only: each is pasted unquoted into
# three configuration languages.
_PATH = re.compile(r"^(?:/[A-Za-z0-9._+-]+)+$")


@dataclass(frozen=True)
class SnippetSecrets:
    """Where each server finds the current and the previous secret (names and paths, never values).

    ``current`` and ``previous`` name the secrets: Apache ``Define`` names and
    Caddy environment variables as given, nginx variables in lower case
    (``$origin_verify_current``). Give each origin its own names and files
    when one server fronts several.
    """

    current: str = "ORIGIN_VERIFY_CURRENT"
    previous: str = "ORIGIN_VERIFY_PREVIOUS"
    nginx_file: str = "/etc/nginx/origin-verify.conf"
    apache_file: str = "/etc/apache2/origin-verify.conf"
    caddy_env_file: str = "/etc/caddy/origin-verify.env"


@dataclass(frozen=True)
class TlsFiles:
    """The origin's certificate chain and private key (PEM paths on the server)."""

    certificate: str
    key: str


def server_snippets(
    *,
    server_name: str,
    upstream: str,
    header: str = "X-Origin-Verify",
    secrets: SnippetSecrets | None = None,
    port: int = 443,
    address: str | None = None,
    tls: TlsFiles | None = None,
    directory: str = "origin-snippets",
) -> dict[str, str]:
    """The nginx, Apache and Caddy configuration of one origin, by relative path under ``directory``.

    ``server_name`` is the origin's DNS name (the origin domain CloudFront
    connects to, with SNI and ``Host`` set to it); ``upstream`` is where
    accepted requests go (``http://host:port``, no path); ``header`` is the
    header CloudFront sends the secret in; ``secrets`` says where each server
    reads the values; ``port`` and ``address`` are where the server listens
    for CloudFront (all addresses when ``address`` is None); ``tls`` names the
    certificate files (without it nginx and Apache use certbot's paths for
    ``server_name`` and Caddy gets a certificate itself). Raises
    :class:`RenderError` for an argument that would not make a working,
    safe configuration.
    """
    secrets = secrets or SnippetSecrets()
    context = _context(
        server_name=server_name,
        upstream=upstream,
        header=header,
        secrets=secrets,
        port=port,
        address=address,
        tls=tls,
    )
    folder = _folder(directory)
    env = _environment()
    files: dict[str, str] = {}
    for name, template in _TEMPLATES.items():
        try:
            files[f"{folder}/{name}"] = env.get_template(template).render(context)
        except jinja2.TemplateError as exc:
            raise RenderError(f"template {template} failed: {exc}") from exc
    return files


def _context(
    *,
    server_name: str,
    upstream: str,
    header: str,
    secrets: SnippetSecrets,
    port: int,
    address: str | None,
    tls: TlsFiles | None,
) -> dict[str, Any]:
    if not _SERVER_NAME.match(server_name):
        raise RenderError(
            f"server name {server_name!r} must be a lower-case DNS name with a dot (the origin's domain name)"
        )
    if not _HEADER.match(header) or len(header) > _HEADER_MAX:
        raise RenderError(
            f"header {header!r} must be letters, digits and inner dashes (no underscore: nginx drops such "
            f"headers), at most {_HEADER_MAX} characters, e.g. X-Origin-Verify"
        )
    upstream_match = _UPSTREAM.match(upstream)
    upstream_port = upstream_match and upstream_match["port"]
    if not upstream_match or (upstream_port and not 0 < int(upstream_port) < 65536):
        raise RenderError(
            f"upstream {upstream!r} must be http://HOST or http://HOST:PORT without a path "
            "(the application on this server or its network)"
        )
    for name in (secrets.current, secrets.previous):
        if not _NAME.match(name):
            raise RenderError(f"secret name {name!r} must be upper-case letters, digits and _, starting with a letter")
    if secrets.current == secrets.previous:
        raise RenderError(f"the current and previous secret need two names, got {secrets.current!r} twice")
    paths = [secrets.nginx_file, secrets.apache_file, secrets.caddy_env_file]
    if tls is not None:
        paths += [tls.certificate, tls.key]
    for path in paths:
        if not _PATH.match(path) or "/../" in f"{path}/" or "/./" in f"{path}/":
            raise RenderError(
                f"path {path!r} must be absolute, of letters, digits and . _ + - only, without . or .. parts"
            )
    if isinstance(port, bool) or not 0 < port < 65536:
        raise RenderError(f"port {port!r} must be a TCP port (1-65535)")
    listen_host = None
    if address is not None:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            raise RenderError(f"address {address!r} must be an IP address to listen on (or none for all)") from None
        listen_host = f"[{ip.compressed}]" if ip.version == 6 else ip.compressed
    certificate = tls or TlsFiles(
        certificate=f"/etc/letsencrypt/live/{server_name}/fullchain.pem",
        key=f"/etc/letsencrypt/live/{server_name}/privkey.pem",
    )
    return {
        "server_name": server_name,
        "upstream": upstream,
        "header": header,
        "header_canonical": "-".join(part[:1].upper() + part[1:].lower() for part in header.split("-")),
        "nginx_header_variable": "$http_" + header.lower().replace("-", "_"),
        "current": secrets.current,
        "previous": secrets.previous,
        "nginx_current": "$" + secrets.current.lower(),
        "nginx_previous": "$" + secrets.previous.lower(),
        "secrets": secrets,
        "port": port,
        "address": None if address is None else ipaddress.ip_address(address).compressed,
        "listen_host": listen_host,
        "tls": certificate,
        "caddy_tls": tls,
    }


def _folder(directory: str) -> str:
    parts = directory.split("/")
    if any(not re.fullmatch(r"[A-Za-z0-9._-]+", p) or p in {".", ".."} for p in parts):
        raise RenderError(f"snippet folder {directory!r} must be a relative path of plain names")
    return "/".join(parts)


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(_resources.templates_dir()),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # server configuration, not HTML; every value is checked above
    )
