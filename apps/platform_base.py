"""The platform's base: the namespace every app lives in, and its shared settings."""

from k8sdsl import App, Chart, ConfigMap, Namespace


def build(app: App) -> None:
    chart = Chart(app, "platform-base", labels={"app.kubernetes.io/part-of": "k8sdsl-demo"})
    Namespace(
        chart,
        "apps",
        labels={
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": "latest",
        },
    )
    ConfigMap(
        chart,
        "cluster-settings",
        namespace="apps",
        data={"cluster-domain": app.cluster_domain, "dns-service": "kube-dns.kube-system"},
    )
