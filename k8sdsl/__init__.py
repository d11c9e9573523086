"""k8sdsl: typed, validated Kubernetes manifests in Python, on cdk8s.

Values are pydantic models, resources are constructs, and ``App.synth()`` runs every rule
and the official strict schema before it writes anything. The most used names are here;
each topic package (``k8sdsl.volumes``, ``.storage``, ``.workloads``, ``.network``,
``.security``) exports the rest.
"""

from k8sdsl import _cdk8s_bridge

# cdk8s may be imported after k8sdsl by user code: point jsii at Node 24 first (cheap).
_cdk8s_bridge.ensure_jsii_node()

from k8sdsl._namespace_and_configmap import ConfigMap, Namespace  # noqa: E402
from k8sdsl.core import (  # noqa: E402
    Cluster,
    ClusterNetwork,
    ConfigFile,
    ExistingObject,
    K8sDslError,
    K8sVersion,
    LabelSelector,
    NodePool,
    Quantity,
    Report,
    Severity,
)
from k8sdsl.network import (  # noqa: E402
    AllowAllEgressPolicy,
    AllowAllIngressPolicy,
    AllowDnsEgressPolicy,
    ClusterDnsProbe,
    DefaultDenyPolicy,
    DnsConfig,
    DnsPolicy,
    EgressRule,
    Ingress,
    IngressBackend,
    IngressClass,
    IngressHostRule,
    IngressPath,
    IngressRule,
    IngressTls,
    NetworkPolicy,
    NetworkPolicyPort,
    Peer,
    service_fqdn,
)
from k8sdsl.security import Control, Exemption, PodAdmissionPolicy  # noqa: E402
from k8sdsl.storage import (  # noqa: E402
    NfsVolume,
    PersistentVolume,
    PersistentVolumeClaim,
    ReclaimPolicy,
    StorageClass,
    VolumeBindingMode,
)
from k8sdsl.synth import App, Chart  # noqa: E402
from k8sdsl.volumes import AccessMode, Mount, ProjectedVolume, Volume  # noqa: E402
from k8sdsl.workloads import (  # noqa: E402
    Affinity,
    Container,
    ContainerPort,
    DaemonSet,
    Deployment,
    Job,
    Pod,
    PodTemplate,
    Probe,
    SecurePod,
    SecurePodTemplate,
    Service,
    Toleration,
    TopologySpreadConstraint,
)

__all__ = [
    "AccessMode",
    "Affinity",
    "AllowAllEgressPolicy",
    "AllowAllIngressPolicy",
    "AllowDnsEgressPolicy",
    "App",
    "Chart",
    "Cluster",
    "ClusterDnsProbe",
    "ClusterNetwork",
    "ConfigFile",
    "ConfigMap",
    "Container",
    "ContainerPort",
    "Control",
    "DaemonSet",
    "DefaultDenyPolicy",
    "Deployment",
    "DnsConfig",
    "DnsPolicy",
    "EgressRule",
    "Exemption",
    "ExistingObject",
    "Ingress",
    "IngressBackend",
    "IngressClass",
    "IngressHostRule",
    "IngressPath",
    "IngressRule",
    "IngressTls",
    "Job",
    "K8sDslError",
    "K8sVersion",
    "LabelSelector",
    "Mount",
    "Namespace",
    "NetworkPolicy",
    "NetworkPolicyPort",
    "NfsVolume",
    "NodePool",
    "Peer",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Pod",
    "PodAdmissionPolicy",
    "PodTemplate",
    "Probe",
    "ProjectedVolume",
    "Quantity",
    "ReclaimPolicy",
    "Report",
    "SecurePod",
    "SecurePodTemplate",
    "Service",
    "Severity",
    "StorageClass",
    "Toleration",
    "TopologySpreadConstraint",
    "Volume",
    "VolumeBindingMode",
    "service_fqdn",
]
