"""The platform's base: the namespace every app lives in, and its shared settings."""

from k8sdsl import App, Chart, ConfigMap, Namespace


def build(app: App) -> None:
    chart = Chart(app, "platform-base", labels={"app.kubernetes.io/part-of": "k8sdsl-demo"})
    Namespace(
        chart,
        "apps",
        labels={
            "pod-security.kubernetes.io/enforce": "restricted",
            # pinned to the target: a cluster upgrade does not tighten the standard unannounced
            "pod-security.kubernetes.io/enforce-version": f"v{app.k8s_version}",
        },
    )
    ConfigMap(
        chart,
        "cluster-settings",
        namespace="apps",
        data={"cluster-domain": app.cluster_domain, "dns-service": "kube-dns.kube-system"},
    )
