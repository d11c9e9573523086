"""Admission policy rules: ValidatingAdmissionPolicy objects and their bindings that the API
server refuses, whoever wrote them (``PodAdmissionPolicy`` builds valid ones)."""

from __future__ import annotations

from collections.abc import Iterator

from k8sdsl.core._findings import Finding
from k8sdsl.rules._registry import RuleContext, rule


@rule("admission/no-validations", "a ValidatingAdmissionPolicy that validates nothing")
def no_validations(ctx: RuleContext) -> Iterator[Finding]:
    """The API server requires a policy to have at least one validation or audit annotation:
    one with neither is refused."""
    for m in ctx.of_kind("ValidatingAdmissionPolicy"):
        if m.resource is not None:
            continue  # the construct ran the same check when it was built
        spec = m.obj.get("spec")
        spec = spec if isinstance(spec, dict) else {}
        if not spec.get("validations") and not spec.get("auditAnnotations"):
            yield m.error(
                "admission/no-validations",
                "spec.validations",
                "a policy needs at least one validation (or audit annotation): the API server "
                "refuses this one",
                "add validations: [{expression: ..., message: ...}]",
            )


@rule("admission/deny-and-warn", "a binding whose validationActions are Deny and Warn")
def deny_and_warn(ctx: RuleContext) -> Iterator[Finding]:
    """``validationActions`` may not hold both Deny and Warn (a denied request gets no
    warning): the API server refuses the binding."""
    for m in ctx.of_kind("ValidatingAdmissionPolicyBinding"):
        if m.resource is not None:
            continue
        spec = m.obj.get("spec")
        actions = spec.get("validationActions") if isinstance(spec, dict) else None
        if isinstance(actions, list) and "Deny" in actions and "Warn" in actions:
            yield m.error(
                "admission/deny-and-warn",
                "spec.validationActions",
                "Deny and Warn together are refused by the API server",
                "use [Deny] (optionally with Audit), or [Warn]",
            )
