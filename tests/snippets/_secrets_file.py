"""The secrets files as each snippet documents them: what an operator's deploy writes.

The tests take the two lines from the snippet's own comment (placeholders
filled in), so the servers get their secrets exactly the documented way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The placeholders of the documented secret lines in each snippet's header.
CURRENT_PLACEHOLDER = "CURRENT_SECRET"
PREVIOUS_PLACEHOLDER = "PREVIOUS_SECRET"


def documented_secret_lines(snippet: str) -> tuple[str, str]:
    """The two lines of the secrets file as the snippet's comment shows them (current, previous)."""
    lines = [line.removeprefix("#").strip() for line in snippet.splitlines() if line.startswith("#     ")]
    current = [line for line in lines if CURRENT_PLACEHOLDER in line]
    previous = [line for line in lines if PREVIOUS_PLACEHOLDER in line]
    assert len(current) == 1 and len(previous) == 1, f"the snippet must document one line per secret: {lines}"
    return current[0], previous[0]


@dataclass(frozen=True)
class SecretValues:
    """What the deploy writes: the current secret and the previous one (None: line left out)."""

    current: str
    previous: str | None

    def file_text(self, snippet: str) -> str:
        current_line, previous_line = documented_secret_lines(snippet)
        lines = [current_line.replace(CURRENT_PLACEHOLDER, self.current)]
        if self.previous is not None:
            lines.append(previous_line.replace(PREVIOUS_PLACEHOLDER, self.previous))
        return "\n".join(lines) + "\n"


_ENV_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$")


def systemd_environment_file(text: str) -> dict[str, str]:
    """The variables systemd's EnvironmentFile= sets from ``text`` (the unquoted KEY=VALUE form)."""
    env: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        match = _ENV_LINE.match(line)
        assert match, f"not a KEY=VALUE line of an environment file: {line!r}"
        assert not match[2].startswith(("'", '"')), "quoted values are not what the snippet documents"
        env[match[1]] = match[2]
    return env
