"""The notes' "configure and use cluster DNS" test, as objects: ``ClusterDnsProbe``.

The notes expose a ``dns-target`` Deployment and ``nslookup`` it from a busybox pod. Here
that is a Job in its own namespace, which denies all traffic by default: the probe's own
NetworkPolicies let it query cluster DNS and reach the target, and nothing else. The Job
fails when cluster DNS fails, so ``kubectl get job -n dns-probe dns-probe`` is the verdict.
"""

from __future__ import annotations

from k8sdsl import App, Chart, Namespace
from k8sdsl.network import ClusterDnsProbe, DefaultDenyPolicy

NAMESPACE = "dns-probe"


def build(app: App) -> None:
    chart = Chart(
        app, "dns-probe", namespace=NAMESPACE, labels={"app.kubernetes.io/part-of": "dns-probe"}
    )
    Namespace(
        chart,
        NAMESPACE,
        labels={
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": f"v{chart.k8s_version}",
        },
    )
    DefaultDenyPolicy(chart, "default-deny")
    ClusterDnsProbe(chart, "probe")
