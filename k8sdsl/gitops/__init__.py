"""GitOps objects that point a controller at an environment's folder of the output: Argo CD
``Application`` and ``ApplicationSet`` (``argoproj.io/v1alpha1``), Flux ``GitRepository``
(``source.toolkit.fluxcd.io/v1``) and ``Kustomization`` (``kustomize.toolkit.fluxcd.io/v1``),
validated against their CRD schemas pinned in ``k8sdsl/crd_schemas``."""

from k8sdsl.gitops._argocd import (
    ArgoCdApplication,
    ArgoCdApplicationSet,
    ArgoCdDestination,
    ArgoCdSource,
    ArgoCdSyncPolicy,
)
from k8sdsl.gitops._flux import FluxGitRepository, FluxKustomization

__all__ = [
    "ArgoCdApplication",
    "ArgoCdApplicationSet",
    "ArgoCdDestination",
    "ArgoCdSource",
    "ArgoCdSyncPolicy",
    "FluxGitRepository",
    "FluxKustomization",
]
