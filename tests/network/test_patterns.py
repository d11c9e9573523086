"""NetworkPolicy and the notes' patterns: pinned YAML, valid for every supported version."""

from __future__ import annotations

from typing import Any

import pytest

from k8sdsl import App, Chart
from k8sdsl.core import K8sDslError, LabelSelector
from k8sdsl.network import (
    AllowAllEgressPolicy,
    AllowAllIngressPolicy,
    AllowDnsEgressPolicy,
    DatabaseAccessPolicy,
    DefaultDenyPolicy,
    EgressRule,
    IngressRule,
    NetworkPolicy,
    NetworkPolicyPort,
    Peer,
    PolicyDirection,
    PolicyType,
)
from tests.conftest import assert_schema_valid


def objects(chart: Chart) -> list[dict[str, Any]]:
    return [m.obj for m in chart.manifests()]


def test_notes_example_with_dns(chart: Chart, yaml_snapshot: Any) -> None:
    DatabaseAccessPolicy(chart, "test-network-policy")
    assert objects(chart) == yaml_snapshot
    assert_schema_valid(objects(chart))


def test_notes_example_verbatim(chart: Chart, yaml_snapshot: Any) -> None:
    """``allow_dns=False`` renders exactly the notes' policy (plus an explicit namespace)."""
    DatabaseAccessPolicy(chart, "test-network-policy", allow_dns=False)
    assert objects(chart) == yaml_snapshot
    assert_schema_valid(objects(chart))
    spec = objects(chart)[0]["spec"]
    assert spec["policyTypes"] == ["Ingress", "Egress"]
    assert spec["ingress"][0]["from"][0] == {
        "ipBlock": {"cidr": "172.17.0.0/16", "except": ["172.17.1.0/24"]}
    }
    assert spec["egress"] == [
        {"to": [{"ipBlock": {"cidr": "10.0.0.0/24"}}], "ports": [{"port": 5978, "protocol": "TCP"}]}
    ]


def test_database_access_policy_parameters(chart: Chart) -> None:
    DatabaseAccessPolicy(
        chart,
        "pg",
        db_labels={"app": "postgres"},
        port=5432,
        client_cidr=None,
        client_namespace_labels={"team": "shop"},
        client_pod_labels={"app": "api"},
        egress_cidr=None,
        allow_dns=False,
    )
    spec = objects(chart)[0]["spec"]
    assert spec["podSelector"] == {"matchLabels": {"app": "postgres"}}
    assert spec["ingress"] == [
        {
            "from": [
                {"namespaceSelector": {"matchLabels": {"team": "shop"}}},
                {"podSelector": {"matchLabels": {"app": "api"}}},
            ],
            "ports": [{"port": 5432, "protocol": "TCP"}],
        }
    ]
    # no egress rule at all: egress stays isolated (deny all), as the parameters say
    assert spec["policyTypes"] == ["Ingress", "Egress"]
    assert "egress" not in spec


def test_database_access_policy_bad_cidr_names_the_construct(chart: Chart) -> None:
    with pytest.raises(K8sDslError) as exc:
        DatabaseAccessPolicy(chart, "db", client_cidr="172.17.0.1/16")
    finding = exc.value.findings[0]
    assert finding.obj.source == "test/db"
    assert finding.hint == "use '172.17.0.0/16'"


@pytest.mark.parametrize("direction", list(PolicyDirection))
def test_default_deny(direction: PolicyDirection, chart: Chart, yaml_snapshot: Any) -> None:
    DefaultDenyPolicy(chart, "default-deny", direction=direction)
    assert objects(chart) == yaml_snapshot
    assert_schema_valid(objects(chart))
    spec = objects(chart)[0]["spec"]
    assert spec == {"podSelector": {}, "policyTypes": [t.value for t in direction.policy_types]}


def test_default_deny_defaults_to_both_directions(chart: Chart) -> None:
    policy = DefaultDenyPolicy(chart, "deny")
    assert policy.direction is PolicyDirection.BOTH
    assert objects(chart)[0]["spec"]["policyTypes"] == ["Ingress", "Egress"]


def test_default_deny_accepts_a_string_direction_and_a_selector(chart: Chart) -> None:
    DefaultDenyPolicy(chart, "deny", direction="egress", pod_selector={"tier": "batch"})
    assert objects(chart)[0]["spec"] == {
        "podSelector": {"matchLabels": {"tier": "batch"}},
        "policyTypes": ["Egress"],
    }


def test_default_deny_with_dns(chart: Chart, yaml_snapshot: Any) -> None:
    DefaultDenyPolicy(chart, "default-deny").allow_dns()
    assert objects(chart) == yaml_snapshot
    assert_schema_valid(objects(chart))


def test_allow_all_ingress(chart: Chart, yaml_snapshot: Any) -> None:
    AllowAllIngressPolicy(chart, "allow-all-ingress")
    assert objects(chart) == yaml_snapshot
    assert_schema_valid(objects(chart))
    assert objects(chart)[0]["spec"] == {
        "podSelector": {},
        "policyTypes": ["Ingress"],
        "ingress": [{}],
    }


def test_allow_all_egress_states_its_policy_type(chart: Chart, yaml_snapshot: Any) -> None:
    AllowAllEgressPolicy(chart, "allow-all-egress")
    assert objects(chart) == yaml_snapshot
    assert_schema_valid(objects(chart))
    # the notes' sample leaves policyTypes out, which makes Kubernetes deny all ingress
    assert objects(chart)[0]["spec"] == {
        "podSelector": {},
        "policyTypes": ["Egress"],
        "egress": [{}],
    }


def test_allow_dns_egress(chart: Chart, yaml_snapshot: Any) -> None:
    AllowDnsEgressPolicy(chart, "allow-dns")
    assert objects(chart) == yaml_snapshot
    assert_schema_valid(objects(chart))


def test_allow_dns_egress_custom_dns_pods(chart: Chart) -> None:
    AllowDnsEgressPolicy(
        chart,
        "allow-dns",
        pod_selector={"app": "api"},
        dns_namespace="dns-system",
        dns_labels={"app": "unbound"},
    )
    spec = objects(chart)[0]["spec"]
    assert spec["podSelector"] == {"matchLabels": {"app": "api"}}
    assert spec["egress"][0]["to"] == [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "dns-system"}},
            "podSelector": {"matchLabels": {"app": "unbound"}},
        }
    ]


def test_full_network_policy(chart: Chart, yaml_snapshot: Any) -> None:
    """Every kind of peer and port in one policy."""
    NetworkPolicy(
        chart,
        "api",
        pod_selector={"app": "api"},
        ingress=[
            IngressRule(
                from_=(
                    Peer.pods({"app": "web"}),
                    Peer.pods({"app": "prometheus"}, namespace="monitoring"),
                    Peer.namespace(labels={"team": "shop"}),
                    Peer.ip_block(cidr="192.168.0.0/16", except_=["192.168.13.0/24"]),
                ),
                ports=(NetworkPolicyPort.tcp("http"), NetworkPolicyPort.tcp(9090)),
            ),
        ],
        egress=[
            EgressRule(
                to=(Peer.ip_block(cidr="10.0.0.0/8"),),
                ports=(
                    NetworkPolicyPort.tcp_range(start=32000, end=32768),
                    NetworkPolicyPort.udp(514),
                    NetworkPolicyPort.sctp(9),
                ),
            )
        ],
    ).allow_dns()
    assert objects(chart) == yaml_snapshot
    assert_schema_valid(objects(chart))


def test_policy_types_are_derived_from_the_rules(chart: Chart) -> None:
    ingress_only = NetworkPolicy(chart, "a", pod_selector={}, ingress=[IngressRule.allow_all()])
    deny_egress = NetworkPolicy(chart, "b", pod_selector={}, egress=[])
    both = NetworkPolicy(chart, "c", pod_selector={}, ingress=[], egress=[])
    assert ingress_only.policy_types == (PolicyType.INGRESS,)
    assert deny_egress.policy_types == (PolicyType.EGRESS,)
    assert both.policy_types == (PolicyType.INGRESS, PolicyType.EGRESS)
    assert objects(chart)[1]["spec"] == {"podSelector": {}, "policyTypes": ["Egress"]}


def test_given_policy_types_are_kept_in_kubernetes_order(chart: Chart) -> None:
    policy = NetworkPolicy(chart, "a", pod_selector={}, policy_types=["Egress", "Ingress"])
    assert objects(chart)[0]["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert policy.ingress is None and policy.egress is None


def test_selector_value_is_accepted(chart: Chart) -> None:
    NetworkPolicy(chart, "a", pod_selector=LabelSelector.of(app="x"), ingress=[])
    assert objects(chart)[0]["spec"]["podSelector"] == {"matchLabels": {"app": "x"}}


def test_a_policy_without_direction_is_refused(chart: Chart) -> None:
    with pytest.raises(K8sDslError) as exc:
        NetworkPolicy(chart, "a", pod_selector={})
    finding = exc.value.findings[0]
    assert (finding.code, finding.path) == ("network/no-direction", "spec.policyTypes")
    assert finding.obj.source == "test/a"


def test_rules_for_a_missing_policy_type_are_refused(chart: Chart) -> None:
    with pytest.raises(K8sDslError) as exc:
        NetworkPolicy(
            chart,
            "a",
            pod_selector={},
            egress=[EgressRule.allow_all()],
            policy_types=[PolicyType.INGRESS],
        )
    finding = exc.value.findings[0]
    assert (finding.code, finding.path) == ("network/ignored-rules", "spec.egress")


def test_unknown_policy_type_is_refused(chart: Chart) -> None:
    with pytest.raises(K8sDslError) as exc:
        NetworkPolicy(chart, "a", pod_selector={}, policy_types=["ingress"])
    assert exc.value.codes == ["network/policy-type"]
    with pytest.raises(K8sDslError) as exc:
        NetworkPolicy(chart, "b", pod_selector={}, policy_types=[])
    assert exc.value.codes == ["network/no-direction"]


def test_allow_dns_on_an_ingress_only_policy_is_refused(chart: Chart) -> None:
    policy = DefaultDenyPolicy(chart, "deny", direction=PolicyDirection.INGRESS)
    with pytest.raises(K8sDslError) as exc:
        policy.allow_dns()
    assert exc.value.codes == ["network/ignored-rules"]
    with pytest.raises(K8sDslError):
        policy.add_egress(EgressRule.allow_all())


def test_allow_dns_is_idempotent(chart: Chart) -> None:
    policy = DefaultDenyPolicy(chart, "deny").allow_dns().allow_dns()
    assert isinstance(policy, NetworkPolicy)
    assert len(objects(chart)[0]["spec"]["egress"]) == 1


def test_add_ingress_appends(chart: Chart) -> None:
    policy = NetworkPolicy(chart, "a", pod_selector={}, ingress=[])
    policy.add_ingress(IngressRule(from_=(Peer.pods({"a": "b"}),)))
    assert objects(chart)[0]["spec"]["ingress"] == [
        {"from": [{"podSelector": {"matchLabels": {"a": "b"}}}]}
    ]


def test_rules_given_as_dicts_of_fields(chart: Chart) -> None:
    NetworkPolicy(chart, "a", pod_selector={}, ingress=[{"ports": [NetworkPolicyPort.tcp(80)]}])
    assert objects(chart)[0]["spec"]["ingress"] == [{"ports": [{"port": 80, "protocol": "TCP"}]}]


def test_wrong_rule_type_names_the_construct(chart: Chart) -> None:
    with pytest.raises(K8sDslError) as exc:
        NetworkPolicy(chart, "a", pod_selector={}, ingress=[EgressRule()])  # type: ignore[list-item]
    assert exc.value.codes == ["value/rule-type"]
    assert exc.value.findings[0].obj.source == "test/a"


def test_bad_selector_label_names_the_construct(chart: Chart) -> None:
    with pytest.raises(K8sDslError) as exc:
        NetworkPolicy(chart, "a", pod_selector={"app": "bad value"}, ingress=[])
    assert exc.value.findings[0].obj.source == "test/a"
    assert exc.value.findings[0].code == "value/label-value"


def test_policies_synthesize_in_an_app(tmp_path: Any) -> None:
    app = App(outdir=tmp_path / "dist")
    chart = Chart(app, "net", namespace="shop")
    DefaultDenyPolicy(chart, "default-deny", direction=PolicyDirection.INGRESS)
    AllowAllEgressPolicy(chart, "allow-all-egress")
    app.synth()
    text = (tmp_path / "dist" / "net.k8s.yaml").read_text()
    assert "name: default-deny\n  namespace: shop" in text
