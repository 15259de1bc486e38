"""Servers on loopback that stand in for each kind of origin `cfgen verify` meets.

Each ``Reply`` is what one kind of origin answers to everyone; the snippet
tests' ``Upstream`` serves it (over TLS with the test CA's certificate, or
plain HTTP) and records what it received. ``Silent`` accepts connections and
never answers, as a private origin looks from outside.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass

_STOP_TIMEOUT = 10.0

S3_ACCESS_DENIED = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message>'
    b"<RequestId>5X9Z5QWGT3WCMR6A</RequestId></Error>"
)


@dataclass(frozen=True)
class Reply:
    """What an origin answers to every request."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


# The answers of the real services, as curl shows them (the parts verify reads).
S3 = Reply(403, (("Server", "AmazonS3"), ("Content-Type", "application/xml")), S3_ACCESS_DENIED)
API_GATEWAY = Reply(
    403,
    (("Content-Type", "application/json"), ("x-amzn-ErrorType", "ForbiddenException")),
    b'{"message":"Forbidden"}',
)
CLOUDFRONT_403 = Reply(
    403,
    (("Server", "CloudFront"), ("Content-Type", "text/html"), ("X-Cache", "Error from cloudfront")),
    b"<HTML><HEAD><TITLE>ERROR: The request could not be satisfied</TITLE></HEAD><BODY>403 ERROR</BODY></HTML>",
)
OPEN = Reply(200, (("Content-Type", "text/html"),), b"<html>welcome</html>")


class Silent:
    """Accepts connections and never says a word: a client waits until its timeout."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(64)
        self.port = int(self._socket.getsockname()[1])
        self.accepted = 0
        self._held: list[socket.socket] = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        self._socket.settimeout(0.1)
        while not self._stopping.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            self._held.append(connection)  # kept open, unread, unanswered

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=_STOP_TIMEOUT)
        for connection in self._held:
            connection.close()
        self._socket.close()


def closed_port() -> int:
    """A port of loopback nothing listens on (connection refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
