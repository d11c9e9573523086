"""Cluster DNS values: names of services and pods, dnsPolicy and dnsConfig."""

from __future__ import annotations

import pytest

from k8sdsl.core import ValueInputError
from k8sdsl.network import (
    DEFAULT_CLUSTER_DOMAIN,
    DnsConfig,
    DnsConfigOption,
    DnsPolicy,
    cluster_search_domains,
    pod_fqdn,
    service_fqdn,
    srv_name,
)
from tests.conftest import assert_schema_valid


def test_service_fqdn_defaults_to_cluster_local() -> None:
    assert DEFAULT_CLUSTER_DOMAIN == "cluster.local"
    assert service_fqdn("dns-target", namespace="default") == "dns-target.default.svc.cluster.local"


def test_service_fqdn_with_a_custom_cluster_domain() -> None:
    assert (
        service_fqdn("kubernetes", namespace="default", cluster_domain="k8s.example.com.")
        == "kubernetes.default.svc.k8s.example.com"
    )


@pytest.mark.parametrize(
    ("kwargs", "path", "hint"),
    [
        ({"service": "Web_App", "namespace": "a"}, "service", "use 'web-app'"),
        ({"service": "web", "namespace": "My.NS"}, "namespace", "use 'my-ns'"),
        (
            {"service": "web", "namespace": "a", "cluster_domain": "Bad_Domain"},
            "cluster_domain",
            "use 'bad-domain'",
        ),
    ],
)
def test_service_fqdn_names_the_bad_part(kwargs: dict[str, str], path: str, hint: str) -> None:
    service = kwargs.pop("service")
    with pytest.raises(ValueInputError) as exc:
        service_fqdn(service, **kwargs)
    finding = exc.value.findings[0]
    assert (finding.path, finding.hint) == (path, hint)
    assert finding.obj.kind == "service_fqdn"


def test_pod_fqdn_and_srv_names() -> None:
    assert (
        pod_fqdn("web-0", subdomain="web", namespace="shop") == "web-0.web.shop.svc.cluster.local"
    )
    assert (
        srv_name("http", service="web", namespace="shop") == "_http._tcp.web.shop.svc.cluster.local"
    )
    assert srv_name("dns", protocol="UDP", service="kube-dns", namespace="kube-system") == (
        "_dns._udp.kube-dns.kube-system.svc.cluster.local"
    )
    with pytest.raises(ValueInputError) as exc:
        srv_name("http", protocol="icmp", service="web", namespace="shop")
    assert exc.value.findings[0].path == "protocol"
    with pytest.raises(ValueInputError):
        pod_fqdn("Web_0", subdomain="web", namespace="shop")


def test_cluster_search_domains_explain_short_names() -> None:
    assert cluster_search_domains("shop") == (
        "shop.svc.cluster.local",
        "svc.cluster.local",
        "cluster.local",
    )


def test_dns_policy_values_are_kubernetes_strings() -> None:
    assert [p.value for p in DnsPolicy] == [
        "ClusterFirst",
        "ClusterFirstWithHostNet",
        "Default",
        "None",
    ]


def test_dns_config_renders_camel_case() -> None:
    config = DnsConfig(
        nameservers=["10.96.0.10", "2001:db8::53"],
        searches=["shop.svc.cluster.local", "example.com."],
        options=[DnsConfigOption.ndots(2), DnsConfigOption.edns0()],
    )
    assert config.to_k8s() == {
        "nameservers": ["10.96.0.10", "2001:db8::53"],
        "searches": ["shop.svc.cluster.local", "example.com."],
        "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}],
    }
    assert config.ndots() == 2
    assert DnsConfig().to_k8s() == {} and DnsConfig().ndots() is None


def test_with_ndots_helper() -> None:
    config = DnsConfig.with_ndots(1, options=[DnsConfigOption.timeout(2)], searches=["a.b"])
    assert config.to_k8s() == {
        "searches": ["a.b"],
        "options": [{"name": "ndots", "value": "1"}, {"name": "timeout", "value": "2"}],
    }


def test_option_factories() -> None:
    assert [
        o.to_k8s()
        for o in (
            DnsConfigOption.ndots(0),
            DnsConfigOption.timeout(30),
            DnsConfigOption.attempts(5),
            DnsConfigOption.single_request_reopen(),
        )
    ] == [
        {"name": "ndots", "value": "0"},
        {"name": "timeout", "value": "30"},
        {"name": "attempts", "value": "5"},
        {"name": "single-request-reopen"},
    ]


@pytest.mark.parametrize(
    "make",
    [
        lambda: DnsConfigOption.ndots(16),
        lambda: DnsConfigOption.ndots(-1),
        lambda: DnsConfigOption.timeout(0),
        lambda: DnsConfigOption.attempts(6),
    ],
)
def test_option_ranges(make: object) -> None:
    with pytest.raises(ValueInputError) as exc:
        make()  # type: ignore[operator]
    assert exc.value.codes == ["value/dns-option"]


@pytest.mark.parametrize(
    ("kwargs", "code", "path"),
    [
        ({"nameservers": ["dns.google"]}, "value/nameserver", "nameservers[0]"),
        (
            {"nameservers": ["1.1.1.1", "1.0.0.1", "8.8.8.8", "8.8.4.4"]},
            "value/too-long",
            "nameservers",
        ),
        ({"searches": ["Shop_Svc"]}, "value/search-domain", "searches[0]"),
        ({"searches": [f"d{i}.example" for i in range(33)]}, "value/too-long", "searches"),
        ({"searches": ["a" * 60 + f".x{i}" for i in range(32)]}, "value/search-too-long", ""),
        (
            {"options": [DnsConfigOption.ndots(1), DnsConfigOption.ndots(2)]},
            "value/duplicate-option",
            "",
        ),
        ({"options": [{"name": ""}]}, "value/string-too-short", "options[0].name"),
        ({"nameserver": ["1.1.1.1"]}, "value/extra-forbidden", "nameserver"),
    ],
)
def test_dns_config_limits(kwargs: dict[str, object], code: str, path: str) -> None:
    with pytest.raises(ValueInputError) as exc:
        DnsConfig(**kwargs)  # type: ignore[arg-type]
    finding = exc.value.findings[0]
    assert (finding.code, finding.path) == (code, path)


def test_misspelt_field_suggests() -> None:
    with pytest.raises(ValueInputError) as exc:
        DnsConfig(nameserver=["1.1.1.1"])  # type: ignore[call-arg]
    assert exc.value.findings[0].hint == "did you mean 'nameservers'?"


def test_dns_settings_in_a_pod_pass_the_schema() -> None:
    from k8sdsl.workloads import PodTemplate
    from k8sdsl.workloads._container import Container

    template = PodTemplate(
        containers=[Container(name="app", image="registry.example/app:1")],
        dns_policy=DnsPolicy.NONE,
        dns_config=DnsConfig.with_ndots(
            2, nameservers=["10.96.0.10"], searches=["svc.cluster.local"]
        ),
    )
    spec = template.spec()
    assert spec["dnsPolicy"] == "None"
    assert spec["dnsConfig"]["options"] == [{"name": "ndots", "value": "2"}]
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}
    assert_schema_valid([pod])
