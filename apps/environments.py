"""One app definition, three environments: the "hello" web app in dev, staging and prod.

Each environment has typed values (:class:`HelloValues`: replicas, host, resources, image
tag), its own namespace, and its own folder of the output in the kustomize layout
(``dist/dev/``: a file per object under ``hello/`` and a ``kustomization.yaml`` listing
them). Prod is production (its name says so), so every object there carries
``k8sdsl.io/production: "true"`` and the ``environments/*`` rules hold it to two replicas or
more, a PodDisruptionBudget and a fixed image tag. One Argo CD Application per environment
(``dist/environments-argocd.k8s.yaml``) syncs each folder into its namespace.
"""

from __future__ import annotations

from k8sdsl import App, ArgoCdApplication, Chart, Environment, EnvironmentValues, Namespace
from k8sdsl.core import OutputLayout
from k8sdsl.network import Ingress, IngressBackend, IngressHostRule, IngressPath
from k8sdsl.volumes import Volume
from k8sdsl.workloads import (
    ContainerPort,
    Deployment,
    PodDisruptionBudget,
    Probe,
    ResourceRequirements,
    SecurePodTemplate,
)

REPO_URL = "https://git.example.com/platform/gitops.git"
IMAGE = "registry.example.com/hello/web"
_DIGEST = "@sha256:5d0da3dc976460b72c77d94c8a1ad043720b0416bfc16c52c45d4847e53fadb6"


class HelloValues(EnvironmentValues):
    """What differs between the environments of the hello app."""

    replicas: int = 1
    host: str
    image_tag: str
    cpu: str = "100m"
    memory: str = "128Mi"
    #: a production budget: how many pods a drain may take at once
    max_unavailable: int | None = None


def _env(name: str, values: HelloValues) -> Environment[HelloValues]:
    return Environment[HelloValues](
        name=name, namespace=f"hello-{name}", layout=OutputLayout.KUSTOMIZE, values=values
    )


ENVIRONMENTS = [
    _env("dev", HelloValues(host="hello.dev.example.com", image_tag="1.5.0-rc.2")),
    _env(
        "staging",
        HelloValues(replicas=2, host="hello.staging.example.com", image_tag="1.4.2"),
    ),
    _env(
        "prod",
        HelloValues(
            replicas=3,
            host="hello.example.com",
            image_tag="1.4.2",
            cpu="500m",
            memory="512Mi",
            max_unavailable=1,
        ),
    ),
]


def hello(app: App, env: Environment[HelloValues]) -> None:
    """The hello app in one environment: its namespace, Deployment, Service and Ingress,
    and in production a PodDisruptionBudget."""
    values = env.values
    chart = Chart(app, f"hello-{env.name}", environment=env)
    Namespace(
        chart,
        f"hello-{env.name}",
        labels={"pod-security.kubernetes.io/enforce": "restricted"},
    )
    web = Deployment(
        chart,
        "web",
        replicas=values.replicas,
        template=SecurePodTemplate(
            image=f"{IMAGE}:{values.image_tag}{_DIGEST}",
            container_name="web",
            ports=[ContainerPort.tcp(8080, name="http")],
            resources=ResourceRequirements.of(
                cpu=values.cpu, memory=values.memory, memory_limit=values.memory
            ),
            liveness_probe=Probe.http(path="/healthz", port="http"),
            readiness_probe=Probe.http(path="/ready", port="http"),
            mounts=[Volume.empty_dir("tmp").mount("/tmp")],
        ),
    )
    service = web.expose(port=80, port_name="http")
    if values.max_unavailable is not None:
        PodDisruptionBudget.for_workload(web, max_unavailable=values.max_unavailable)
    backend = IngressBackend.service(service, port="http")
    Ingress(
        chart,
        "web-ingress",
        name="web",
        ingress_class_name="nginx",
        rules=[IngressHostRule(host=values.host, paths=[IngressPath(backend=backend)])],
    )


def build(app: App) -> None:
    argocd = Chart(app, "environments-argocd", namespace="argocd")
    for env in ENVIRONMENTS:
        hello(app, env)
        ArgoCdApplication.for_environment(argocd, env, repo_url=REPO_URL, app_name="hello")
