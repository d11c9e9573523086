"""A web app on SecurePod defaults: a Deployment behind a Service, and the cluster-side
policy that holds every pod in the namespace to the same rules synth checked.

The notes' "securing images" advice, applied: the image is pinned by digest (what runs is
what was scanned), it is pulled on every start (``imagePullPolicy: Always``, a SecurePod
default, so a patched re-push is picked up) and updates roll out with ``maxSurge: 25%`` and
``maxUnavailable: 0`` (the notes: "use rolling updates" for security updates).
"""

from __future__ import annotations

from k8sdsl import App, Chart, LabelSelector
from k8sdsl.network import IngressRule, NetworkPolicy, NetworkPolicyPort, Peer
from k8sdsl.security import PodAdmissionPolicy
from k8sdsl.volumes import Volume
from k8sdsl.workloads import ContainerPort, Deployment, Probe, SecurePodTemplate

#: the app's image, pinned by digest (registry.example.com stands for the private registry)
IMAGE = (
    "registry.example.com/web/frontend:1.4.2"
    "@sha256:5d0da3dc976460b72c77d94c8a1ad043720b0416bfc16c52c45d4847e53fadb6"
)
NAMESPACE = "apps"


def build(app: App) -> None:
    chart = Chart(
        app, "web-app", namespace=NAMESPACE, labels={"app.kubernetes.io/part-of": "web-app"}
    )
    web = Deployment(
        chart,
        "web",
        replicas=2,
        template=SecurePodTemplate(
            image=IMAGE,
            container_name="frontend",
            ports=[ContainerPort.tcp(8080, name="http")],
            liveness_probe=Probe.http(path="/healthz", port="http"),
            readiness_probe=Probe.http(path="/ready", port="http"),
            # the root filesystem is read-only: the server's scratch space is an emptyDir
            mounts=[Volume.empty_dir("tmp").mount("/tmp")],
        ),
    )
    web.expose(port=80, port_name="http")
    NetworkPolicy(
        chart,
        "web-ingress",
        pod_selector=web.selector,
        ingress=[IngressRule(from_=[Peer.namespace()], ports=[NetworkPolicyPort.tcp("http")])],
    )
    PodAdmissionPolicy(
        chart,
        "pod-security",
        namespace_selector=LabelSelector.of({"kubernetes.io/metadata.name": NAMESPACE}),
    )
