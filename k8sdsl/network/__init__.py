"""Network policies and their patterns, reachability, and cluster DNS."""

from k8sdsl.network._dns import (
    CLUSTER_DNS_LABELS,
    CLUSTER_DNS_NAMESPACE,
    CLUSTER_DNS_PORT,
    DEFAULT_CLUSTER_DOMAIN,
    ClusterDomain,
    DnsConfig,
    DnsConfigOption,
    DnsPolicy,
    Nameserver,
    SearchDomain,
    cluster_search_domains,
    pod_fqdn,
    service_fqdn,
    srv_name,
)

__all__ = [
    "CLUSTER_DNS_LABELS",
    "CLUSTER_DNS_NAMESPACE",
    "CLUSTER_DNS_PORT",
    "DEFAULT_CLUSTER_DOMAIN",
    "ClusterDomain",
    "DnsConfig",
    "DnsConfigOption",
    "DnsPolicy",
    "Nameserver",
    "SearchDomain",
    "cluster_search_domains",
    "pod_fqdn",
    "service_fqdn",
    "srv_name",
]
