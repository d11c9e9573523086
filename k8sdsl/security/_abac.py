"""ABAC policy files (``abac.authorization.kubernetes.io/v1beta1`` Policy, one JSON object a
line), for clusters that still run the legacy ABAC authorizer and want its file reviewed.

New clusters use RBAC. A file written from these values goes through the same ``abac/...``
rules as anyone's: ``abac/legacy`` is always a warning, and a line that grants everything
fails synth.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from k8sdsl.core._model import K8sModel
from k8sdsl.core._types import NonEmptyStr


class AbacPolicy(K8sModel):
    """One policy line: who (``user`` or ``group``, ``"*"`` for all) may do what: resources
    (``namespace``, ``api_group``, ``resource``, each ``"*"`` for all) or a non-resource path;
    ``readonly=True`` allows get, list and watch only (ABAC knows no other verbs)."""

    api_version: ClassVar[str] = "abac.authorization.kubernetes.io/v1beta1"
    kind: ClassVar[str] = "Policy"
    k8s_type: ClassVar[str] = "Policy"

    user: NonEmptyStr | None = None
    group: NonEmptyStr | None = None
    readonly: bool | None = None
    api_group: str | None = None
    resource: NonEmptyStr | None = None
    namespace: NonEmptyStr | None = None
    non_resource_path: NonEmptyStr | None = None

    def to_k8s(self) -> dict[str, Any]:
        return {"apiVersion": self.api_version, "kind": self.kind, "spec": super().to_k8s()}


class AbacPolicyFile(K8sModel):
    """The file of ``kube-apiserver --authorization-policy-file``: the policies, one a line;
    a request is allowed by the first line that matches it."""

    k8s_type: ClassVar[str] = "AbacPolicyFile"

    policies: tuple[AbacPolicy, ...] = Field(min_length=1)

    def to_k8s(self) -> dict[str, Any]:
        """The first policy (a file has no document of its own; see :meth:`to_k8s_lines`)."""
        return self.policies[0].to_k8s()

    def to_k8s_lines(self) -> list[dict[str, Any]]:
        """Every policy, in order: one JSON object per line of the file."""
        return [p.to_k8s() for p in self.policies]
