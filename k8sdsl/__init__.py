"""k8sdsl: typed, validated Kubernetes manifests in Python, on cdk8s.

Values are pydantic models, resources are constructs, and ``App.synth()`` runs every rule
and the official strict schema before it writes anything.
"""

from k8sdsl._cdk8s_bridge import ensure_jsii_node

# cdk8s may be imported after k8sdsl by user code: point jsii at Node 24 first (cheap).
ensure_jsii_node()

from k8sdsl._basic import ConfigMap, Namespace  # noqa: E402
from k8sdsl.core import (
    K8sDslError,
    K8sVersion,
    LabelSelector,
    Quantity,
    Report,
    Severity,
)
from k8sdsl.synth import App, Chart

__all__ = [
    "App",
    "Chart",
    "ConfigMap",
    "K8sDslError",
    "K8sVersion",
    "LabelSelector",
    "Namespace",
    "Quantity",
    "Report",
    "Severity",
]
