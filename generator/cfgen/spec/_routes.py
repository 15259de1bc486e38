"""Which behavior CloudFront takes for a path, and the path ``cfgen verify`` requests for each origin.

CloudFront tries the ordered behaviors in the order of the spec and takes the
first whose path pattern matches (``*`` any run of characters, ``?`` one,
case-sensitive, a leading ``/`` optional), else the default behavior. A
behavior that targets an origin group reaches the group's primary origin.
``verify`` must request, through the distribution, a path that reaches the
origin it checks, through a behavior that needs no signature; ``validate``
refuses a ``verify_path`` that does not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from urllib.parse import quote

from .models import Behavior, Distribution, Origin, Spec

__all__ = ["VerifyTarget", "behavior_for", "problems", "target_of", "verify_target"]

Problem = tuple[tuple[str | int, ...], str]


@cache
def _regex(path_pattern: str) -> re.Pattern[str]:
    body = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in path_pattern.lstrip("/"))
    return re.compile("/" + body, re.DOTALL)


def behavior_for(dist: Distribution, path: str) -> Behavior:
    """The behavior CloudFront serves ``path`` (no query string) with."""
    for behavior in dist.behaviors:
        if behavior.path != "default" and _regex(behavior.path).fullmatch(path):
            return behavior
    return next(b for b in dist.behaviors if b.path == "default")


def target_of(dist: Distribution, behavior: Behavior) -> str:
    """The origin a behavior sends requests to: its origin, or its origin group's primary."""
    group = next((g for g in dist.origin_groups if g.id == behavior.origin), None)
    return group.primary if group is not None else behavior.origin


@dataclass(frozen=True)
class VerifyTarget:
    """What ``verify`` requests for one origin.

    ``path`` goes through the distribution (None when no unsigned behavior
    reaches the origin: ``note`` says why); ``direct_path`` is what the same
    request asks of the origin itself, relative to the origin's path (the
    default root object in place of ``/``).
    """

    path: str | None
    direct_path: str
    note: str = ""


def verify_target(dist: Distribution, origin: Origin) -> VerifyTarget:
    """The spec's ``verify_path`` of ``origin``, or its default (see the field's description)."""
    path = origin.verify_path if origin.verify_path is not None else _default_path(dist, origin)
    if path is None:
        return VerifyTarget(None, "/", _unreachable(dist, origin))
    if path == "/" and dist.default_root_object:
        # The object name may hold characters a request line cannot (a quote): sent percent-encoded.
        return VerifyTarget(path, quote("/" + dist.default_root_object, safe="/-._~!$&'()*+,;=:@"))
    return VerifyTarget(path, path)


def _default_path(dist: Distribution, origin: Origin) -> str | None:
    ordered = [b for b in dist.behaviors if b.path != "default"] + [b for b in dist.behaviors if b.path == "default"]
    for behavior in ordered:
        if target_of(dist, behavior) != origin.id or behavior.trusted_key_groups:
            continue
        # The pattern with its wildcards taken out: /media/* gives /media/, *.jpg gives /.jpg.
        path = "/" if behavior.path == "default" else "/" + behavior.path.lstrip("/").replace("*", "").replace("?", "x")
        if behavior_for(dist, path) is behavior:
            return path
    return None


def _unreachable(dist: Distribution, origin: Origin) -> str:
    reaching = [b.path for b in dist.behaviors if target_of(dist, b) == origin.id]
    unsigned = [b.path for b in dist.behaviors if target_of(dist, b) == origin.id and not b.trusted_key_groups]
    if unsigned:
        return f"an earlier behavior matches the paths of {', '.join(unsigned)} first: set verify_path"
    if reaching:
        return f"every behavior that reaches it needs a signed URL ({', '.join(reaching)})"
    groups = [g.id for g in dist.origin_groups if g.secondary == origin.id]
    if groups:
        return (
            f"it is the secondary of origin group {', '.join(groups)}: CloudFront asks it only when the primary fails"
        )
    return "no behavior reaches it"


def problems(spec: Spec) -> Iterator[Problem]:
    """A ``verify_path`` that reaches another origin, or a behavior that needs a signature."""
    for i, dist in enumerate(spec.distributions):
        if not any(b.path == "default" for b in dist.behaviors):
            continue  # a problem of its own; no path can be routed without it
        for j, origin in enumerate(dist.origins):
            if origin.verify_path is None:
                continue
            where: tuple[str | int, ...] = ("distributions", i, "origins", j, "verify_path")
            behavior = behavior_for(dist, origin.verify_path)
            name = "the default behavior" if behavior.path == "default" else f"behavior '{behavior.path}'"
            target = target_of(dist, behavior)
            if target != origin.id:
                yield (
                    where,
                    f"'{origin.verify_path}' reaches origin '{target}' ({name} is the first that matches it): "
                    f"give a path that a behavior of '{origin.id}' matches first",
                )
            elif behavior.trusted_key_groups:
                yield (
                    where,
                    f"'{origin.verify_path}' matches {name}, which needs a signed URL, so CloudFront refuses "
                    "verify's request: give a path of an unsigned behavior, or leave verify_path out",
                )
