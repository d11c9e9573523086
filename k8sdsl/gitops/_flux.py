"""Flux's source and its Kustomization: a ``GitRepository`` (``source.toolkit.fluxcd.io/v1``)
to fetch the repository and one ``Kustomization`` (``kustomize.toolkit.fluxcd.io/v1``) per
environment folder to apply it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from k8sdsl.core._construct import Construct, Resource
from k8sdsl.core._environment import Environment
from k8sdsl.core._model import K8sModel
from k8sdsl.core._types import DnsLabel, Duration, NonEmptyStr
from k8sdsl.gitops._common import environment_path

#: the namespace of Flux's controllers and of its objects unless told otherwise
FLUX_NAMESPACE = "flux-system"


class _GitRef(K8sModel):
    branch: NonEmptyStr | None = None
    tag: NonEmptyStr | None = None
    commit: NonEmptyStr | None = None


class _GitSpec(K8sModel):
    url: NonEmptyStr
    interval: Duration = "1m"
    ref: _GitRef | None = None


class FluxGitRepository(Resource):
    """A Flux ``GitRepository``: fetch ``url`` at ``branch`` (or ``tag``) every ``interval``."""

    api_version: ClassVar[str] = "source.toolkit.fluxcd.io/v1"
    kind: ClassVar[str] = "GitRepository"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        url: str,
        branch: str | None = "main",
        tag: str | None = None,
        interval: str = "1m",
        name: str | None = None,
        namespace: str | None = FLUX_NAMESPACE,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            scope, id, name=name, namespace=namespace, labels=labels, annotations=annotations
        )
        with self._values():
            self.spec = _GitSpec(
                url=url,
                interval=interval,
                ref=_GitRef(branch=None if tag else branch, tag=tag),
            )

    def _body(self) -> dict[str, Any]:
        return {"spec": self.spec.to_k8s()}


class _SourceRef(K8sModel):
    kind: NonEmptyStr = "GitRepository"
    name: NonEmptyStr
    namespace: DnsLabel | None = None


class _KustomizationSpec(K8sModel):
    interval: Duration = "10m"
    path: NonEmptyStr
    prune: bool = True
    source_ref: _SourceRef
    target_namespace: DnsLabel | None = None
    wait: bool | None = None
    timeout: Duration | None = None


class FluxKustomization(Resource):
    """A Flux ``Kustomization``: apply ``path`` of ``source`` (a :class:`FluxGitRepository`)
    every ``interval``, pruning what left git. Prefer :meth:`for_environment`."""

    api_version: ClassVar[str] = "kustomize.toolkit.fluxcd.io/v1"
    kind: ClassVar[str] = "Kustomization"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        source: FluxGitRepository,
        path: str,
        target_namespace: str | None = None,
        interval: str = "10m",
        prune: bool = True,
        name: str | None = None,
        namespace: str | None = FLUX_NAMESPACE,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            scope, id, name=name, namespace=namespace, labels=labels, annotations=annotations
        )
        with self._values():
            self.spec = _KustomizationSpec(
                interval=interval,
                # Flux reads the path relative to the source's root, written ./dist/prod
                path=path if path.startswith("./") else f"./{path.lstrip('/')}",
                prune=prune,
                source_ref=_SourceRef(
                    name=source.name,
                    namespace=source._namespace if source._namespace != namespace else None,
                ),
                target_namespace=target_namespace,
            )

    @classmethod
    def for_environment(
        cls,
        scope: Construct,
        environment: Environment[Any],
        *,
        source: FluxGitRepository,
        app_name: str,
        interval: str = "10m",
        namespace: str | None = FLUX_NAMESPACE,
    ) -> FluxKustomization:
        """The Kustomization of one environment: ``<app_name>-<environment>``, its path the
        environment's folder, its target namespace the environment's."""
        name = f"{app_name}-{environment.name}"
        return cls(
            scope,
            name,
            source=source,
            path=environment_path(scope, environment),
            target_namespace=environment.namespace,
            interval=interval,
            namespace=namespace,
            labels={"k8sdsl.io/environment": environment.name},
        )

    def _body(self) -> dict[str, Any]:
        return {"spec": self.spec.to_k8s()}


__all__ = ["FluxGitRepository", "FluxKustomization"]
