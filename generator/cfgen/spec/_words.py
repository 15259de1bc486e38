"""What each pattern of the schema means, in the words an error message uses.

A regular expression is the schema's (and the editor's) way to say what a
field takes, and no way to tell a person. Every ``pattern`` of the models is
made with :func:`pattern`, which records what it expects with an example;
``_explain`` then says "'mars' is not an AWS region such as eu-west-1" instead
of echoing the regex. A test checks that every pattern of the JSON Schema has
its words here.
"""

from __future__ import annotations

__all__ = ["PATTERN_WORDS", "pattern"]

PATTERN_WORDS: dict[str, str] = {}


def pattern(regex: str, expected: str) -> str:
    """Register what ``regex`` expects (``"an AWS region such as eu-west-1"``) and return ``regex``."""
    known = PATTERN_WORDS.setdefault(regex, expected)
    if known != expected:
        raise ValueError(f"pattern {regex!r} is described twice: {known!r} and {expected!r}")
    return regex


NAME = pattern(
    r"^[a-z][a-z0-9-]*[a-z0-9]$|^[a-z]$",
    "a name of lowercase letters, digits and hyphens that starts with a letter and does not end with a "
    "hyphen, such as web-assets",
)
HOSTNAME = pattern(
    r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
    "a lowercase DNS name such as www.example.com (or *.example.com)",
)
ORIGIN_PATH = pattern(
    r"^(/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)*$",
    "a URL path such as /site: it starts with / and does not end with /, and holds letters, digits and "
    "-._~!$&'()*+,;=:@% only (URL-encode anything else)",
)
SUBNET_ID = pattern(r"^subnet-[0-9a-f]{8,17}$", "a subnet id such as subnet-0a1b2c3d4e5f60711")
VERIFY_PATH = pattern(
    r"^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]{0,1023}$",
    "a URL path such as /index.html: it starts with / and holds letters, digits and -._~!$&'()*+,;=:@%/ only "
    "(no query string; URL-encode anything else)",
)
