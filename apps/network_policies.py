"""The notes' network policies, each as a named pattern, around a small database app.

Three namespaces show every sample of "Kubernetes network policies":

* ``netpol-demo`` stops all traffic (``DefaultDenyPolicy``, both directions) but keeps
  cluster DNS, applies the notes' example to the database (``DatabaseAccessPolicy``: the
  ipBlock with its except, the ``project: myproject`` namespaces and the frontend pods on
  TCP 6379, egress to 10.0.0.0/24 on TCP 5978), and opens the frontend with the
  allow-all-ingress and allow-all-egress patterns;
* ``netpol-clients`` (labelled ``project: myproject``) has the notes' default isolation:
  its client may call the database but accepts no connection;
* ``netpol-egress`` denies outgoing traffic, except DNS.

``k8sdsl explain network dist/network-policies.k8s.yaml`` prints who may talk to whom.
"""

from __future__ import annotations

from k8sdsl import App, Chart, Namespace
from k8sdsl.network import (
    BUSYBOX_IMAGE,
    AllowAllEgressPolicy,
    AllowAllIngressPolicy,
    AllowDnsEgressPolicy,
    DatabaseAccessPolicy,
    DefaultDenyPolicy,
    PolicyDirection,
    service_fqdn,
)
from k8sdsl.volumes import StorageMedium, Volume
from k8sdsl.workloads import ContainerPort, Deployment, SecurePodTemplate

DEMO = "netpol-demo"
CLIENTS = "netpol-clients"
EGRESS = "netpol-egress"


def pss_labels(chart: Chart) -> dict[str, str]:
    """The restricted Pod Security Standard, enforced by the API server in every namespace
    here, pinned to the chart's target version (an upgrade does not change it unannounced)."""
    return {
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": f"v{chart.k8s_version}",
    }


def _server(*, port: int, port_name: str, labels: dict[str, str]) -> SecurePodTemplate:
    """A stand-in server: busybox ``httpd`` on ``port``, content in a small tmpfs."""
    www = Volume.empty_dir("www", medium=StorageMedium.MEMORY, size_limit="1Mi")
    return SecurePodTemplate(
        image=BUSYBOX_IMAGE,
        container_name="server",
        command=("sh", "-c", f"echo ok > /www/index.html && exec httpd -f -p {port} -h /www"),
        ports=(ContainerPort.tcp(port, name=port_name),),
        mounts=(www.mount("/www"),),
        labels=labels,
    )


def build(app: App) -> None:
    chart = Chart(app, "network-policies", labels={"app.kubernetes.io/part-of": "netpol-demo"})
    Namespace(chart, DEMO, labels=pss_labels(chart))
    Namespace(chart, CLIENTS, labels={**pss_labels(chart), "project": "myproject"})
    Namespace(chart, EGRESS, labels=pss_labels(chart))

    # -- netpol-demo: stop all traffic, then allow what the app needs ----------------------
    db = Deployment(
        chart,
        "db",
        namespace=DEMO,
        replicas=1,
        template=_server(port=6379, port_name="redis", labels={"role": "db"}),
    )
    db.expose(port=6379, port_name="redis")
    Deployment(
        chart,
        "frontend",
        namespace=DEMO,
        replicas=2,
        template=_server(port=8080, port_name="http", labels={"role": "frontend"}),
    )
    # the notes' "explicitly stop all traffic", keeping DNS so names still resolve
    DefaultDenyPolicy(
        chart, "default-deny", namespace=DEMO, direction=PolicyDirection.BOTH
    ).allow_dns()
    # the notes' example, exactly, plus DNS for the database
    DatabaseAccessPolicy(chart, "test-network-policy", namespace=DEMO)
    # the notes' "allow all traffic" and "allow all outgoing traffic", for the frontend only
    AllowAllIngressPolicy(
        chart, "frontend-allow-all-ingress", namespace=DEMO, pod_selector={"role": "frontend"}
    )
    AllowAllEgressPolicy(
        chart, "frontend-allow-all-egress", namespace=DEMO, pod_selector={"role": "frontend"}
    )

    # -- netpol-clients: the notes' default isolation (ingress) ----------------------------
    db_url = f"http://{service_fqdn('db', namespace=DEMO, cluster_domain=app.cluster_domain)}:6379/"
    Deployment(
        chart,
        "client",
        namespace=CLIENTS,
        replicas=1,
        template=SecurePodTemplate(
            image=BUSYBOX_IMAGE,
            container_name="client",
            command=(
                "sh",
                "-c",
                f"while true; do wget -q -T 5 -O /dev/null {db_url} || true; sleep 30; done",
            ),
        ),
    )
    DefaultDenyPolicy(
        chart, "default-deny-ingress", namespace=CLIENTS, direction=PolicyDirection.INGRESS
    )

    # -- netpol-egress: the notes' "deny outgoing traffic", DNS excepted -------------------
    Deployment(
        chart,
        "static",
        namespace=EGRESS,
        replicas=1,
        template=_server(port=8080, port_name="http", labels={"role": "static"}),
    )
    DefaultDenyPolicy(
        chart, "default-deny-egress", namespace=EGRESS, direction=PolicyDirection.EGRESS
    )
    AllowDnsEgressPolicy(chart, "allow-dns", namespace=EGRESS)
