"""Argo CD ``Application`` and ``ApplicationSet`` (``argoproj.io/v1alpha1``): one Application
per environment folder, or one ApplicationSet whose list generator makes them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from pydantic import Field

from k8sdsl.core._construct import Construct, Resource
from k8sdsl.core._environment import Environment
from k8sdsl.core._model import K8sModel
from k8sdsl.core._types import DnsLabel, NonEmptyStr
from k8sdsl.gitops._common import environment_path

#: the namespace Argo CD watches for Applications unless told otherwise
ARGOCD_NAMESPACE = "argocd"
#: the cluster Argo CD runs in
IN_CLUSTER = "https://kubernetes.default.svc"


class ArgoCdSource(K8sModel):
    """Where an Application's manifests are: a Git repository, a revision and a folder."""

    repo_url: NonEmptyStr = Field(serialization_alias="repoURL")
    path: NonEmptyStr
    target_revision: NonEmptyStr = "HEAD"


class ArgoCdDestination(K8sModel):
    """The cluster and the namespace an Application applies to."""

    server: NonEmptyStr = IN_CLUSTER
    namespace: DnsLabel | None = None


class ArgoCdAutomated(K8sModel):
    prune: bool = True
    self_heal: bool = True


class ArgoCdSyncPolicy(K8sModel):
    """Automated sync (prune, self-heal) and sync options (``CreateNamespace=true``)."""

    automated: ArgoCdAutomated | None = Field(default_factory=ArgoCdAutomated)
    sync_options: list[NonEmptyStr] | None = None


class _Spec(K8sModel):
    project: NonEmptyStr = "default"
    source: ArgoCdSource
    destination: ArgoCdDestination
    sync_policy: ArgoCdSyncPolicy | None = None


class ArgoCdApplication(Resource):
    """An Argo CD ``Application``: keep ``destination`` in sync with ``path`` of ``repo_url``.

    Prefer :meth:`for_environment`, which points at an environment's folder of the output
    and its namespace. Applications live in ``argocd`` unless ``namespace`` says otherwise.
    The rules ``gitops/path-missing`` and ``gitops/namespace-mismatch`` check the path and
    the namespace against the output.
    """

    api_version: ClassVar[str] = "argoproj.io/v1alpha1"
    kind: ClassVar[str] = "Application"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        repo_url: str,
        path: str,
        destination_namespace: str | None = None,
        target_revision: str = "HEAD",
        project: str = "default",
        destination_server: str = IN_CLUSTER,
        sync_policy: ArgoCdSyncPolicy | None = None,
        name: str | None = None,
        namespace: str | None = ARGOCD_NAMESPACE,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            scope, id, name=name, namespace=namespace, labels=labels, annotations=annotations
        )
        with self._values():
            self.spec = _Spec(
                project=project,
                source=ArgoCdSource(repo_url=repo_url, path=path, target_revision=target_revision),
                destination=ArgoCdDestination(
                    server=destination_server, namespace=destination_namespace
                ),
                sync_policy=sync_policy if sync_policy is not None else ArgoCdSyncPolicy(),
            )

    @classmethod
    def for_environment(
        cls,
        scope: Construct,
        environment: Environment[Any],
        *,
        repo_url: str,
        app_name: str,
        target_revision: str = "HEAD",
        project: str = "default",
        sync_policy: ArgoCdSyncPolicy | None = None,
        namespace: str | None = ARGOCD_NAMESPACE,
    ) -> ArgoCdApplication:
        """The Application of one environment: ``<app_name>-<environment>``, its path the
        environment's folder (``dist/prod``, from the app's ``repo_path``), its destination
        namespace the environment's."""
        name = f"{app_name}-{environment.name}"
        return cls(
            scope,
            name,
            repo_url=repo_url,
            path=environment_path(scope, environment),
            destination_namespace=environment.namespace,
            target_revision=target_revision,
            project=project,
            sync_policy=sync_policy,
            namespace=namespace,
            labels={"k8sdsl.io/environment": environment.name},
        )

    def _body(self) -> dict[str, Any]:
        return {"spec": self.spec.to_k8s()}


class ArgoCdApplicationSet(Resource):
    """An Argo CD ``ApplicationSet`` with a list generator: one Application per environment,
    named ``<app_name>-<env>``, each synced from its environment's folder into its namespace.
    """

    api_version: ClassVar[str] = "argoproj.io/v1alpha1"
    kind: ClassVar[str] = "ApplicationSet"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        environments: Sequence[Environment[Any]],
        repo_url: str,
        app_name: str,
        target_revision: str = "HEAD",
        project: str = "default",
        destination_server: str = IN_CLUSTER,
        name: str | None = None,
        namespace: str | None = ARGOCD_NAMESPACE,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            scope, id, name=name, namespace=namespace, labels=labels, annotations=annotations
        )
        with self._values():
            # validated like an Application's spec, with the template's placeholders
            self.template = _Spec(
                project=project,
                source=ArgoCdSource(
                    repo_url=repo_url, path="{{path}}", target_revision=target_revision
                ),
                destination=ArgoCdDestination(server=destination_server),
                sync_policy=ArgoCdSyncPolicy(),
            )
        self.app_name = app_name
        self.elements = [
            {
                "env": env.name,
                "path": environment_path(scope, env),
                "namespace": env.namespace or "default",
            }
            for env in environments
        ]

    def _body(self) -> dict[str, Any]:
        spec = self.template.to_k8s()
        spec["destination"]["namespace"] = "{{namespace}}"
        return {
            "spec": {
                "generators": [{"list": {"elements": self.elements}}],
                "template": {
                    "metadata": {
                        "name": f"{self.app_name}-{{{{env}}}}",
                        "labels": {"k8sdsl.io/environment": "{{env}}"},
                    },
                    "spec": spec,
                },
            }
        }


__all__ = [
    "ArgoCdApplication",
    "ArgoCdApplicationSet",
    "ArgoCdDestination",
    "ArgoCdSource",
    "ArgoCdSyncPolicy",
]
