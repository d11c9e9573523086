"""Names, quantities, selectors, the base model, errors and findings: what every layer uses."""

from k8sdsl.core._cluster import Cluster, ClusterNetwork, ExistingObject, NodePool
from k8sdsl.core._config_file import ConfigDocument, ConfigFile, TextFile
from k8sdsl.core._construct import Construct, Resource
from k8sdsl.core._environment import (
    ENVIRONMENT_LABEL,
    PRODUCTION_LABEL,
    Environment,
    EnvironmentValues,
    OutputLayout,
)
from k8sdsl.core._findings import Finding, K8sDslError, ObjectRef, Report, Severity, ValueInputError
from k8sdsl.core._images import Image, ImageReference, ImageReferenceError, PullPolicy
from k8sdsl.core._manifest import Manifest
from k8sdsl.core._model import K8sModel, to_camel
from k8sdsl.core._quantity import Quantity, QuantityError
from k8sdsl.core._secret_source import SecretRef, SecretSource
from k8sdsl.core._selectors import LabelSelector, LabelSelectorRequirement, SelectorOperator
from k8sdsl.core._types import (
    AbsolutePath,
    Cidr,
    ConfigKey,
    DnsLabel,
    DnsSubdomain,
    Duration,
    FileMode,
    LabelKey,
    LabelValue,
    NonEmptyStr,
    Port,
    PortName,
    Protocol,
    RelativePath,
)
from k8sdsl.core._versions import DEFAULT_VERSION, SUPPORTED_VERSIONS, K8sVersion

__all__ = [
    "AbsolutePath",
    "Cidr",
    "Cluster",
    "ClusterNetwork",
    "ConfigDocument",
    "ConfigFile",
    "ConfigKey",
    "Construct",
    "DEFAULT_VERSION",
    "DnsLabel",
    "DnsSubdomain",
    "Duration",
    "ENVIRONMENT_LABEL",
    "Environment",
    "EnvironmentValues",
    "ExistingObject",
    "FileMode",
    "Finding",
    "Image",
    "ImageReference",
    "ImageReferenceError",
    "K8sDslError",
    "K8sModel",
    "K8sVersion",
    "LabelKey",
    "LabelSelector",
    "LabelSelectorRequirement",
    "LabelValue",
    "Manifest",
    "NodePool",
    "NonEmptyStr",
    "ObjectRef",
    "OutputLayout",
    "PRODUCTION_LABEL",
    "Port",
    "PortName",
    "Protocol",
    "PullPolicy",
    "Quantity",
    "QuantityError",
    "RelativePath",
    "Report",
    "Resource",
    "SUPPORTED_VERSIONS",
    "SecretRef",
    "SecretSource",
    "SelectorOperator",
    "Severity",
    "TextFile",
    "ValueInputError",
    "to_camel",
]
