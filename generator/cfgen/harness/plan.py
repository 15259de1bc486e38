"""A read-only view of ``terraform show -json`` output for the proofs.

Two sources answer "what will this attribute be": the planned values, when
known at plan time, and otherwise the configuration, whose expressions name
what they refer to. :meth:`PlanView.resolve` follows such references through
variables, module calls and outputs down to a resource attribute, which is
how a proof can tell that a bucket policy's ``AWS:SourceArn`` is the ARN of
*this* distribution even though that ARN is only known after apply.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Const", "PlanView", "Resource", "Statement", "Sym", "Value", "document_statements", "policy_statements"]


@dataclass(frozen=True)
class Const:
    """A value known at plan time."""

    value: Any

    def __str__(self) -> str:
        return json.dumps(self.value) if not isinstance(self.value, str) else self.value


@dataclass(frozen=True)
class Sym:
    """An attribute of a resource, known only after apply: ``address.attribute``."""

    address: str
    attribute: str

    def __str__(self) -> str:
        return f"{self.address}.{self.attribute}"


@dataclass(frozen=True)
class Opaque:
    """A value the configuration computes in a way cfgen cannot follow (a function, a local)."""

    description: str

    def __str__(self) -> str:
        return f"<{self.description}>"


Value = Const | Sym | Opaque


@dataclass(frozen=True)
class Resource:
    """One resource instance of the plan (managed or data)."""

    address: str  # full instance address, e.g. module.web_assets.aws_s3_bucket.this[0]
    config_address: str  # without instance keys: module.web_assets.aws_s3_bucket.this
    module: tuple[str, ...]
    mode: str
    type: str
    name: str
    values: dict[str, Any]
    unknown: dict[str, Any]
    sensitive: Any = field(default_factory=dict)  # after_sensitive: True, or a tree of them like values

    def known(self, attribute: str) -> bool:
        return attribute in self.values and not self.unknown.get(attribute)

    def is_sensitive(self, *path: str | int) -> bool:
        """Whether the value at ``path`` is marked sensitive in the plan (itself or a whole parent).

        Terraform marks what derives from a sensitive variable or data source
        attribute; a literal written in the configuration never is.
        """
        node = self.sensitive
        for step in path:
            if node is True:
                return True
            if isinstance(node, dict) and isinstance(step, str):
                node = node.get(step, False)
            elif isinstance(node, list) and isinstance(step, int) and step < len(node):
                node = node[step]
            else:
                return False
        return node is True


@dataclass
class Statement:
    """An IAM policy statement, with each value known or symbolic."""

    sid: str
    effect: str
    actions: list[Value] = field(default_factory=list)
    principals: list[tuple[str, list[Value]]] = field(default_factory=list)
    conditions: list[tuple[str, str, list[Value]]] = field(default_factory=list)
    not_principals: bool = False
    # NotAction: the statement covers every action but those listed (which are then not in ``actions``).
    not_actions: bool = False
    # Empty under NotResource (or no Resource): what the statement applies to is then not a list of ARNs.
    resources: list[Value] = field(default_factory=list)

    def condition_values(self, test: str, variable: str) -> list[Value] | None:
        """Values of the condition ``test`` on ``variable`` (case-insensitive key), or None."""
        for t, v, values in self.conditions:
            if t == test and v.lower() == variable.lower():
                return values
        return None

    def principal_text(self) -> str:
        return ", ".join(f"{t}:{'|'.join(map(str, ids))}" for t, ids in self.principals) or "none"


_INDEX = re.compile(r"\[[^\]]*\]")


class PlanView:
    """Navigate planned values and configuration of one plan."""

    def __init__(self, plan: dict[str, Any]) -> None:
        self.raw = plan
        self._resources: dict[str, Resource] = {}
        for change in plan.get("resource_changes", []):
            if "delete" in change.get("change", {}).get("actions", []) and not change["change"].get("after"):
                continue
            change_ = change["change"]
            self._add(change, change_.get("after") or {}, change_.get("after_unknown"), change_.get("after_sensitive"))
        for module in _walk_modules(plan.get("prior_state", {}).get("values", {}).get("root_module", {})):
            for res in module.get("resources", []):
                if res["address"] not in self._resources:
                    self._add(res, res.get("values") or {}, {}, res.get("sensitive_values"))

    def _add(self, item: dict[str, Any], values: dict[str, Any], unknown: Any, sensitive: Any) -> None:
        address = item["address"]
        # Prior state (data sources read while planning) gives no module_address: the address holds it.
        module = tuple(re.findall(r"module\.([^.\[]+)", item.get("module_address", address)))
        self._resources[address] = Resource(
            address=address,
            config_address=_INDEX.sub("", address),
            module=module,
            mode=item.get("mode", "managed"),
            type=item["type"],
            name=item["name"],
            values=values,
            unknown=unknown or {},
            sensitive=sensitive or {},
        )

    # -- planned values -----------------------------------------------------

    def resources(self, *, module: tuple[str, ...] | None = None, type: str | None = None) -> list[Resource]:
        """Resource instances, filtered by module path and type, in address order."""
        return sorted(
            (
                r
                for r in self._resources.values()
                if (module is None or r.module == module) and (type is None or r.type == type)
            ),
            key=lambda r: r.address,
        )

    def one(self, module: tuple[str, ...], type: str, name: str | None = None) -> Resource | None:
        found = [r for r in self.resources(module=module, type=type) if name in (None, r.name)]
        return found[0] if len(found) == 1 else None

    # -- configuration ------------------------------------------------------

    def configured_strings(self) -> set[str]:
        """Every string written as a literal in the configuration (constants and variable defaults).

        A secret among them was written into the code, whatever marks it carries.
        """
        found: set[str] = set()

        def walk(node: Any, literal: bool) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    walk(value, literal or key in ("constant_value", "default"))
            elif isinstance(node, list):
                for item in node:
                    walk(item, literal)
            elif literal and isinstance(node, str):
                found.add(node)

        walk(self.raw.get("configuration", {}), False)
        return found

    def module_config(self, module: tuple[str, ...]) -> dict[str, Any] | None:
        node: dict[str, Any] | None = self.raw.get("configuration", {}).get("root_module", {})
        for name in module:
            call = (node or {}).get("module_calls", {}).get(name)
            if call is None:
                return None
            node = call.get("module", {})
        return node

    def resource_config(self, module: tuple[str, ...], address: str) -> dict[str, Any] | None:
        """Configuration of ``address`` (``aws_x.y`` or ``data.aws_x.y``) in ``module``."""
        for res in (self.module_config(module) or {}).get("resources", []):
            if res.get("address") == address:
                return dict(res)
        return None

    def module_source(self, module: tuple[str, ...]) -> str | None:
        if not module:
            return None
        parent = self.module_config(module[:-1]) or {}
        call = parent.get("module_calls", {}).get(module[-1])
        return None if call is None else str(call.get("source", ""))

    def values_of(self, module: tuple[str, ...], expression: Any) -> list[Value]:
        """What a configuration expression evaluates to, as far as cfgen can tell."""
        if not isinstance(expression, dict):
            return [Opaque("no expression")]
        if "constant_value" in expression:
            value = expression["constant_value"]
            return [Const(v) for v in value] if isinstance(value, list) else [Const(value)]
        refs = _most_specific(expression.get("references", []))
        if not refs:
            return [Opaque("an expression without references")]
        out: list[Value] = []
        for ref in refs:
            out.extend(self.resolve(module, ref))
        return out

    def resolve(self, module: tuple[str, ...], ref: str, depth: int = 0) -> list[Value]:
        """Follow ``ref`` (as written in ``module``) to constants or resource attributes."""
        if depth > 20:
            return [Opaque(f"{ref} (too deep)")]
        parts = _INDEX.sub("", ref).split(".")
        if parts[0] == "var" and len(parts) >= 2:
            return self._resolve_variable(module, parts[1], depth)
        if parts[0] == "module" and len(parts) >= 3:
            output = (self.module_config((*module, parts[1])) or {}).get("outputs", {}).get(parts[2])
            if output is None:
                return [Opaque(ref)]
            expr = output.get("expression", {})
            if "references" in expr:
                return [
                    v
                    for r in _most_specific(expr["references"])
                    for v in self.resolve((*module, parts[1]), r, depth + 1)
                ]
            return self.values_of((*module, parts[1]), expr)
        if parts[0] in {"local", "path", "terraform", "each", "count", "self"}:
            return [Opaque(ref)]
        prefix = "".join(f"module.{m}." for m in module)
        if parts[0] == "data" and len(parts) >= 4:
            return [Sym(f"{prefix}data.{parts[1]}.{parts[2]}", ".".join(parts[3:]))]
        if len(parts) >= 3:
            return [Sym(f"{prefix}{parts[0]}.{parts[1]}", ".".join(parts[2:]))]
        return [Opaque(ref)]

    def _resolve_variable(self, module: tuple[str, ...], name: str, depth: int) -> list[Value]:
        if not module:
            variable = self.raw.get("variables", {}).get(name)
            return [Const(variable["value"])] if variable and "value" in variable else [Opaque(f"var.{name}")]
        parent = self.module_config(module[:-1]) or {}
        call = parent.get("module_calls", {}).get(module[-1], {})
        expression = call.get("expressions", {}).get(name)
        if expression is None:
            default = (self.module_config(module) or {}).get("variables", {}).get(name, {})
            if "default" not in default:
                return [Opaque(f"var.{name}")]
            value = default["default"]
            # A list default is its items, as a list written in the call is (values_of).
            return [Const(v) for v in value] if isinstance(value, list) else [Const(value)]
        if "references" in expression:
            return [
                v for r in _most_specific(expression["references"]) for v in self.resolve(module[:-1], r, depth + 1)
            ]
        return self.values_of(module[:-1], expression)


def policy_statements(view: PlanView, resource: Resource, attribute: str = "policy") -> list[Statement] | None:
    """Statements of the IAM policy in ``resource.attribute``.

    From the planned JSON when known; else from the configuration of the
    ``aws_iam_policy_document`` it references. None when neither can be read.
    """
    if resource.known(attribute) and isinstance(resource.values.get(attribute), str):
        try:
            return _from_json(json.loads(resource.values[attribute]))
        except (ValueError, TypeError, AttributeError):
            return None
    prefix = "".join(f"module.{m}." for m in resource.module)
    config = view.resource_config(resource.module, resource.config_address.removeprefix(prefix))
    if config is None:
        return None
    refs = _most_specific(config.get("expressions", {}).get(attribute, {}).get("references", []))
    documents = {_INDEX.sub("", r).split(".")[2] for r in refs if r.startswith("data.aws_iam_policy_document.")}
    # Several documents are read only when variables choose one of them (a
    # module with one document per mode, each with `count`): the one with an
    # instance in the plan is the policy.
    if not documents or any(not r.startswith(("data.aws_iam_policy_document.", "var.")) for r in refs):
        return None
    if len(documents) > 1:
        planned = {d.name for d in view.resources(module=resource.module, type="aws_iam_policy_document")}
        documents &= planned
    if len(documents) != 1:
        return None
    (name,) = documents
    document = view.one(resource.module, "aws_iam_policy_document", name)
    if document is not None:
        return document_statements(view, document)
    doc_config = view.resource_config(resource.module, f"data.aws_iam_policy_document.{name}")
    if doc_config is None:
        return None
    return _from_config(view, resource.module, doc_config.get("expressions", {}))


def document_statements(view: PlanView, document: Resource) -> list[Statement] | None:
    """Statements of one ``aws_iam_policy_document``: its JSON when known, else its configuration."""
    if document.known("json"):
        return _from_json(json.loads(document.values["json"]))
    prefix = "".join(f"module.{m}." for m in document.module)
    config = view.resource_config(document.module, document.config_address.removeprefix(prefix))
    if config is None:
        return None
    return _from_config(view, document.module, config.get("expressions", {}))


def _from_config(view: PlanView, module: tuple[str, ...], expressions: dict[str, Any]) -> list[Statement] | None:
    if "override_policy_documents" in expressions:
        return None  # overrides replace statements by Sid in ways cfgen does not follow
    sources: list[Statement] = []
    if "source_policy_documents" in expressions:
        kept = _source_documents(view.values_of(module, expressions["source_policy_documents"]))
        if kept is None:
            return None  # merged documents cannot be read statement by statement
        sources = kept
    statements: list[Statement] = []
    for block in expressions.get("statement", []):
        effect = block.get("effect", {}).get("constant_value", "Allow")
        statement = Statement(
            sid=str(block.get("sid", {}).get("constant_value", "")),
            effect=effect,
            actions=view.values_of(module, block.get("actions")),
            resources=view.values_of(module, block["resources"]) if "resources" in block else [],
        )
        for principal in block.get("principals", []):
            kind = principal.get("type", {}).get("constant_value", "?")
            statement.principals.append((kind, view.values_of(module, principal.get("identifiers"))))
        statement.not_principals = bool(block.get("not_principals"))
        statement.not_actions = bool(block.get("not_actions"))
        for condition in block.get("condition", []):
            statement.conditions.append(
                (
                    condition.get("test", {}).get("constant_value", "?"),
                    condition.get("variable", {}).get("constant_value", "?"),
                    view.values_of(module, condition.get("values")),
                )
            )
        statements.append(statement)
    # As the provider merges: the source documents' statements first, and a statement of the document
    # itself replaces a source statement with the same Sid.
    own = {s.sid for s in statements if s.sid}
    return [s for s in sources if not s.sid or s.sid not in own] + statements


def _source_documents(values: list[Value]) -> list[Statement] | None:
    """The statements of ``source_policy_documents`` given as JSON text in the configuration, or None.

    A module that keeps the statements of a policy it replaces (an adopted
    bucket's) receives them as a constant string from its caller; a value
    known only at apply, or that is not a policy document, cannot be read.
    """
    out: list[Statement] = []
    for value in values:
        if isinstance(value, Const) and value.value is None:
            continue  # the module's "no document" default
        if not isinstance(value, Const) or not isinstance(value.value, str):
            return None
        try:
            document = json.loads(value.value)
        except ValueError:
            return None
        if not isinstance(document, dict):
            return None
        try:
            out += _from_json(document)
        except (AttributeError, TypeError):  # a statement that is not an object
            return None
    return out


def _from_json(document: dict[str, Any]) -> list[Statement]:
    raw = document.get("Statement", [])
    out: list[Statement] = []
    for item in raw if isinstance(raw, list) else [raw]:
        statement = Statement(
            sid=str(item.get("Sid", "")),
            effect=str(item.get("Effect", "")),
            actions=[Const(a) for a in _listed(item.get("Action"))],
            resources=[Const(r) for r in _listed(item.get("Resource"))],
            not_principals="NotPrincipal" in item,
            not_actions="NotAction" in item,
        )
        principal = item.get("Principal")
        if principal == "*":
            statement.principals.append(("*", [Const("*")]))
        elif isinstance(principal, dict):
            for kind, ids in sorted(principal.items()):
                statement.principals.append((kind, [Const(i) for i in _listed(ids)]))
        for test, keys in sorted((item.get("Condition") or {}).items()):
            for variable, values in sorted(keys.items()):
                statement.conditions.append((test, variable, [Const(v) for v in _listed(values)]))
        out.append(statement)
    return out


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _most_specific(refs: list[str]) -> list[str]:
    """Terraform lists ``module.a.b`` and ``module.a`` for one reference: keep the longest, once.

    A reference written twice in one expression (``var.x == null ? [] : [var.x]``) is listed twice.
    """
    return [
        r
        for r in dict.fromkeys(refs)
        if not any((o != r and o.startswith(r + ".")) or o.startswith(r + "[") for o in refs)
    ]


def _walk_modules(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield module
    for child in module.get("child_modules", []):
        yield from _walk_modules(child)
