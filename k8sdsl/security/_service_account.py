"""A minimal ServiceAccount: the identity pods run as, and the subject of grants.

Kept small on purpose (RBAC needs a subject; workloads may grow their own needs). Its one
opinion is ``automountServiceAccountToken: false``: a pod of this account gets no API token
unless the pod asks for one, so code that never calls the API server cannot be made to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from k8sdsl.core._construct import Construct, Resource
from k8sdsl.core._findings import Finding, K8sDslError, Severity
from k8sdsl.core._secret_source import SecretSource, secret_name
from k8sdsl.security._exemptions import Exemption
from k8sdsl.security._rbac import ClusterRole, Grant, PolicyRule, Subject
from k8sdsl.security._rbac_catalog import BuiltinClusterRole


class ServiceAccount(Resource):
    """A ServiceAccount (``v1``). ``automount_service_account_token`` defaults to False.
    ``image_pull_secrets`` are Secret names, or what makes each (an ``ExternalSecret``, a
    ``SealedSecret``, a Secret declared in the cluster).

    ``sa.grant(read=["configmaps"])`` gives it a Role and RoleBinding in its namespace;
    ``sa.grant(write=["deployments.apps"], in_namespace="team-a")`` in another one.
    """

    api_version: ClassVar[str] = "v1"
    kind: ClassVar[str] = "ServiceAccount"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        automount_service_account_token: bool = False,
        image_pull_secrets: Sequence[str | SecretSource] = (),
        name: str | None = None,
        namespace: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            scope, id, name=name, namespace=namespace, labels=labels, annotations=annotations
        )
        self.automount_service_account_token = automount_service_account_token
        self.image_pull_secrets = tuple(secret_name(s) for s in image_pull_secrets)

    def as_subject(self) -> Subject:
        """This account as the subject of a binding."""
        if self.namespace is None:
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR,
                        "rbac/subject-namespace",
                        f"ServiceAccount {self.name!r} has no namespace, so no binding can name it",
                        self.ref(),
                        "metadata.namespace",
                        "give the chart a namespace, or pass namespace= to the ServiceAccount",
                    )
                ]
            )
        return Subject.service_account(self.name, namespace=self.namespace)

    def grant(
        self,
        *,
        read: Sequence[str] = (),
        write: Sequence[str] = (),
        rules: Sequence[PolicyRule] = (),
        cluster_role: ClusterRole | BuiltinClusterRole | str | None = None,
        in_namespace: str | None = None,
        cluster_wide: bool = False,
        name: str | None = None,
        exemptions: Sequence[Exemption] = (),
    ) -> Grant:
        """Grant this account access (see :class:`~k8sdsl.security.Grant`).

        The role and binding are named ``name``, else after the account: ``<account>`` in
        its own namespace, ``<account>-in-<namespace>`` in another, ``<namespace>-<account>``
        cluster-wide (ClusterRole names are global). A second grant of the same kind needs
        its own ``name``."""
        if name is None:
            if cluster_wide:
                name = f"{self.namespace}-{self.name}" if self.namespace else self.name
            elif in_namespace is None or in_namespace == self.namespace:
                name = self.name
            else:
                name = f"{self.name}-in-{in_namespace}"
        return Grant(
            self,
            name,
            subject=self.as_subject(),
            read=read,
            write=write,
            rules=rules,
            cluster_role=cluster_role,
            in_namespace=None if cluster_wide else (in_namespace or self.namespace),
            cluster_wide=cluster_wide,
            name=name,
            exemptions=exemptions,
        )

    def _body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "automountServiceAccountToken": self.automount_service_account_token
        }
        if self.image_pull_secrets:
            body["imagePullSecrets"] = [{"name": s} for s in self.image_pull_secrets]
        return body


__all__ = ["ServiceAccount"]
