"""The @@NAME@@ app: one definition, two environments (dev and prod).

``make synth`` (``cdk8s synth``) runs this file. Each environment is written to its own
folder in the kustomize layout (``dist/dev/``, ``dist/prod/``: a file per object and a
``kustomization.yaml``), and ``dist/argocd.k8s.yaml`` holds one Argo CD Application per
environment. Every rule and the strict schema of the target Kubernetes version run first;
when one fails, nothing is written and dist/ stays as it was.
"""

from __future__ import annotations

import sys

from k8sdsl import App, ArgoCdApplication, Chart, Environment, EnvironmentValues, Namespace
from k8sdsl.core import K8sDslError, OutputLayout
from k8sdsl.network import (
    DefaultDenyPolicy,
    IngressRule,
    NetworkPolicy,
    NetworkPolicyPort,
    Peer,
    PolicyType,
)
from k8sdsl.synth import run_main
from k8sdsl.volumes import Volume
from k8sdsl.workloads import (
    ContainerPort,
    Deployment,
    PodDisruptionBudget,
    Probe,
    ResourceRequirements,
    SecurePodTemplate,
)

#: the Git repository Argo CD syncs from: this repository
REPO_URL = "https://git.example.com/platform/@@NAME@@.git"
#: the app's image, pinned by digest: what runs is what was scanned
IMAGE = "registry.example.com/@@NAME@@/web"
DIGEST = "sha256:5d0da3dc976460b72c77d94c8a1ad043720b0416bfc16c52c45d4847e53fadb6"


class Values(EnvironmentValues):
    """What differs between the environments."""

    image_tag: str
    replicas: int = 1
    cpu: str = "100m"
    memory: str = "128Mi"
    #: a budget for node drains (production keeps at least one pod serving)
    max_unavailable: int | None = None


ENVIRONMENTS = [
    Environment[Values](
        name="dev",
        namespace="@@NAME@@-dev",
        layout=OutputLayout.KUSTOMIZE,
        values=Values(image_tag="1.1.0-rc.1"),
    ),
    Environment[Values](
        name="prod",
        namespace="@@NAME@@-prod",
        layout=OutputLayout.KUSTOMIZE,
        values=Values(image_tag="1.0.0", replicas=3, cpu="250m", memory="256Mi", max_unavailable=1),
    ),
]


def web(app: App, env: Environment[Values]) -> None:
    """The app in one environment: its namespace, a Deployment behind a Service, the
    policies that let only the ingress controller reach it, and in prod a budget."""
    values = env.values
    chart = Chart(app, f"@@NAME@@-{env.name}", environment=env)
    Namespace(
        chart,
        env.namespace or f"@@NAME@@-{env.name}",
        labels={"pod-security.kubernetes.io/enforce": "restricted"},
    )
    deployment = Deployment(
        chart,
        "web",
        replicas=values.replicas,
        template=SecurePodTemplate(
            image=f"{IMAGE}:{values.image_tag}@{DIGEST}",
            container_name="web",
            ports=[ContainerPort.tcp(8080, name="http")],
            resources=ResourceRequirements.of(
                cpu=values.cpu, memory=values.memory, memory_limit=values.memory
            ),
            liveness_probe=Probe.http(path="/healthz", port="http"),
            readiness_probe=Probe.http(path="/ready", port="http"),
            # the root filesystem is read-only: scratch space is an emptyDir
            mounts=[Volume.empty_dir("tmp").mount("/tmp")],
        ),
    )
    deployment.expose(port=80, port_name="http")
    if values.max_unavailable is not None:
        PodDisruptionBudget.for_workload(deployment, max_unavailable=values.max_unavailable)
    DefaultDenyPolicy(chart, "default-deny", direction=PolicyType.INGRESS)
    NetworkPolicy(
        chart,
        "web-from-ingress",
        pod_selector=deployment.selector,
        ingress=[
            IngressRule(
                from_=[Peer.namespace({"kubernetes.io/metadata.name": "ingress-nginx"})],
                ports=[NetworkPolicyPort.tcp("http")],
            )
        ],
    )


def build(app: App) -> App:
    """Every environment of the app, and the Argo CD Applications that deploy them."""
    argocd = Chart(app, "argocd", namespace="argocd")
    for env in ENVIRONMENTS:
        web(app, env)
        ArgoCdApplication.for_environment(argocd, env, repo_url=REPO_URL, app_name="@@NAME@@")
    return app


def main() -> int:
    """``cdk8s synth`` runs this: 0 when dist/ was written, 1 when a finding stopped it."""
    try:
        app = build(App())
    except K8sDslError as exc:  # a construct refused its arguments
        print(exc, file=sys.stderr)
        return 1
    return run_main(app)


if __name__ == "__main__":
    sys.exit(main())
