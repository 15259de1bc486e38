"""The requests of ``cfgen verify``: one GET or HEAD, a timeout, and what came back (or why nothing did).

The standard library only (``http.client``, ``ssl``, ``socket``). A request
never follows a redirect, so it reaches no host but the one its URL names;
``--connect-to`` (curl's option, same syntax) sends a name's connections to
another address while TLS (SNI, certificate) and ``Host`` keep the name, which
is how the tests point real AWS names at servers on loopback. Certificates are
checked against the system's trust store (``SSL_CERT_FILE`` is honoured) or
the one ``--ca-bundle`` names.
"""

from __future__ import annotations

import http.client
import re
import socket
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from ..errors import UsageError

__all__ = ["BODY_LIMIT", "Answer", "Client", "ConnectTo", "Failure"]

# Enough of a body to recognise a refusal (S3's XML, API Gateway's JSON); never more is read.
BODY_LIMIT = 64 * 1024

# Why no HTTP answer came: the name does not resolve, the address cannot be reached, nothing listens,
# no answer in time, the peer closed without answering, the TLS handshake failed, the certificate is
# not trusted, or the bytes that came back are not HTTP.
Failure = Literal["resolve", "unreachable", "refused", "timeout", "closed", "tls", "certificate", "protocol"]


@dataclass(frozen=True)
class Answer:
    """What one request got: an HTTP status with its headers and the start of its body, or a failure."""

    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)  # names in lower case
    body: bytes = b""
    failure: Failure | None = None
    detail: str = ""


_CONNECT_TO = re.compile(r"([^:\[\]]*):(\d*):(\[[0-9A-Fa-f:.]+\]|[^:\[\]]*):(\d*)")


@dataclass(frozen=True)
class ConnectTo:
    """``HOST:PORT:ADDR:PORT``: connections to HOST:PORT go to ADDR:PORT (an empty field: any, or the same)."""

    host: str
    port: str
    address: str
    address_port: str

    @classmethod
    def parse(cls, text: str) -> ConnectTo:
        """Read curl's syntax; raises UsageError naming the expected form."""
        match = _CONNECT_TO.fullmatch(text)
        ports_ok = match is not None and all(not p or 0 < int(p) < 65536 for p in (match[2], match[4]))
        if match is None or not ports_ok:
            raise UsageError(
                f"--connect-to {text!r}: expected HOST:PORT:ADDR:PORT, such as "
                "d111111abcdef8.cloudfront.net:443:127.0.0.1:8443 (an empty HOST or PORT matches any)"
            )
        return cls(match[1].lower(), match[2], match[3].strip("[]"), match[4])

    def route(self, host: str, port: int) -> tuple[str, int] | None:
        """Where a connection to ``host:port`` goes instead, or None when this mapping does not apply."""
        if (self.host and self.host != host.lower()) or (self.port and int(self.port) != port):
            return None
        return (self.address or host, int(self.address_port) if self.address_port else port)


class _HTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: tuple[str, int], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection(self._address, self.timeout)


class _HTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: tuple[str, int], timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address
        self._tls = context

    def connect(self) -> None:
        # TLS names the host of the URL (SNI, the certificate's check), whatever address --connect-to chose.
        sock = socket.create_connection(self._address, self.timeout)
        try:
            self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


class Client:
    """Sends one request at a time per call; safe to call from several threads."""

    def __init__(self, *, ca_bundle: Path | None = None, connect_to: Sequence[ConnectTo] = ()) -> None:
        try:
            self._context = ssl.create_default_context(cafile=str(ca_bundle) if ca_bundle is not None else None)
        except (OSError, ssl.SSLError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise UsageError(f"--ca-bundle {ca_bundle}: cannot load it ({reason}); give a PEM file of CAs") from None
        self._connect_to = tuple(connect_to)

    def request(self, method: str, url: str, headers: Mapping[str, str], timeout: float) -> Answer:
        """``method`` (GET or HEAD) on ``url``, read within ``timeout`` seconds per step; never raises for I/O."""
        if method not in ("GET", "HEAD"):
            raise ValueError(f"verify sends GET and HEAD only, not {method}")
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = next((r for r in (m.route(host, port) for m in self._connect_to) if r is not None), (host, port))
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection: http.client.HTTPConnection = (
            _HTTPS(host, port, address, timeout, self._context)
            if parts.scheme == "https"
            else _HTTP(host, port, address, timeout)
        )
        try:
            connection.request(method, target, headers=dict(headers))
            response = connection.getresponse()
            body = response.read(BODY_LIMIT) if method == "GET" else b""
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, body)
        except socket.gaierror as exc:
            return Answer(failure="resolve", detail=exc.strerror or str(exc))
        except ConnectionRefusedError:
            return Answer(failure="refused")
        except TimeoutError:
            return Answer(failure="timeout")
        except ssl.SSLCertVerificationError as exc:
            return Answer(failure="certificate", detail=exc.verify_message or str(exc))
        except ssl.SSLError as exc:
            return Answer(failure="tls", detail=exc.reason or str(exc))
        except (http.client.RemoteDisconnected, ConnectionResetError, ConnectionAbortedError, BrokenPipeError):
            return Answer(failure="closed")
        except http.client.HTTPException as exc:
            return Answer(failure="protocol", detail=f"{type(exc).__name__}: {exc}"[:200])
        except OSError as exc:  # no route to the address, network down: nothing reaches it from here
            return Answer(failure="unreachable", detail=exc.strerror or str(exc))
        finally:
            connection.close()
