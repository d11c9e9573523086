"""The pinned Calico CRD schemas: valid custom resources pass, a misspelt field or a value
outside the CRD's enum/pattern is a schema finding, in both Calico apiVersions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from k8sdsl._crd_schema import CRD_KINDS, crd_schema, is_crd_kind, validate_crd
from k8sdsl._schema import schemas_for
from k8sdsl.cli import main

POOL = {
    "apiVersion": "crd.projectcalico.org/v1",
    "kind": "IPPool",
    "metadata": {"name": "default-ipv4-ippool"},
    "spec": {
        "cidr": "10.244.0.0/16",
        "blockSize": 26,
        "ipipMode": "Never",
        "vxlanMode": "CrossSubnet",
        "natOutgoing": True,
        "nodeSelector": "all()",
    },
}
FELIX = {
    "apiVersion": "crd.projectcalico.org/v1",
    "kind": "FelixConfiguration",
    "metadata": {"name": "default"},
    "spec": {
        "logSeverityScreen": "Info",
        "bpfEnabled": False,
        "vxlanVNI": 4096,
        "routeSource": "CalicoIPAM",
        "windowsManageFirewallRules": "Disabled",
    },
}
POLICY = {
    "apiVersion": "projectcalico.org/v3",
    "kind": "GlobalNetworkPolicy",
    "metadata": {"name": "default-deny"},
    "spec": {
        "order": 2000,
        "selector": "projectcalico.org/namespace != 'kube-system'",
        "types": ["Ingress", "Egress"],
        "egress": [
            {
                "action": "Allow",
                "protocol": "UDP",
                "destination": {"selector": "k8s-app == 'kube-dns'", "ports": [53, "dns"]},
            }
        ],
    },
}
NAMESPACED = {
    "apiVersion": "crd.projectcalico.org/v1",
    "kind": "NetworkPolicy",
    "metadata": {"name": "allow-web", "namespace": "shop"},
    "spec": {
        "order": 100,
        "selector": "app == 'web'",
        "ingress": [
            {
                "action": "Allow",
                "protocol": "TCP",
                "source": {"nets": ["10.0.0.0/8"], "selector": "has(role)"},
                "destination": {"ports": ["8000:8080"]},
            }
        ],
    },
}


def _with(obj: dict[str, Any], **spec: Any) -> dict[str, Any]:
    return {**obj, "spec": {**obj["spec"], **spec}}


@pytest.mark.parametrize("obj", [POOL, FELIX, POLICY, NAMESPACED], ids=lambda o: o["kind"])
def test_valid_calico_resources_pass(obj: dict[str, Any]) -> None:
    assert validate_crd(obj) == []
    assert schemas_for("1.31").validate(obj) == []


@pytest.mark.parametrize("api_version", ["crd.projectcalico.org/v1", "projectcalico.org/v3"])
def test_both_api_versions_use_the_same_schema(api_version: str) -> None:
    obj = {**POOL, "apiVersion": api_version}
    assert validate_crd(obj) == []
    (problem,) = validate_crd(_with(obj, natOutgoin=True)) or []
    assert problem.code == "schema/unknown-field"
    assert problem.path == "spec.natOutgoin"
    assert problem.hint == "did you mean spec.natOutgoing?"


def test_misspelt_nested_field_is_an_unknown_field() -> None:
    rule = {"action": "Allow", "destination": {"port": [53]}}
    problems = schemas_for("1.31").validate(_with(POLICY, egress=[rule])) or []
    assert [(p.code, p.path, p.hint) for p in problems] == [
        (
            "schema/unknown-field",
            "spec.egress[0].destination.port",
            "did you mean spec.egress[0].destination.ports?",
        )
    ]


def test_value_outside_the_crd_pattern_or_enum_is_a_finding() -> None:
    problems = validate_crd(
        _with(FELIX, logSeverityScreen="Verbose", windowsManageFirewallRules="On")
    )
    assert problems is not None
    assert [p.path for p in problems] == [
        "spec.logSeverityScreen",
        "spec.windowsManageFirewallRules",
    ]
    # the pattern is case-insensitive, as Felix reads it
    assert validate_crd(_with(FELIX, logSeverityScreen="warning")) == []


def test_wrong_type_and_missing_cidr() -> None:
    problems = validate_crd({**POOL, "spec": {"blockSize": "26"}}) or []
    assert {(p.code, p.path) for p in problems} >= {("schema/required", "spec")}
    assert any(p.path == "spec.blockSize" for p in problems)


def test_other_groups_and_kinds_are_not_calico() -> None:
    assert validate_crd({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy"}) is None
    assert validate_crd({"apiVersion": "crd.projectcalico.org/v1", "kind": "BGPPeer"}) is None
    assert not is_crd_kind("projectcalico.org/v3", "Tier")
    assert CRD_KINDS["NetworkPolicy"].namespaced and not CRD_KINDS["IPPool"].namespaced
    assert crd_schema("IPPool")["properties"]["kind"] == {"const": "IPPool"}


def test_check_reports_calico_schema_findings_on_yaml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import yaml

    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump_all([POOL, FELIX, POLICY, NAMESPACED]))
    assert main(["check", str(good)]) == 0
    out = capsys.readouterr().out
    assert "schema/unknown-kind" not in out
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(_with(POOL, blocksize=26)))
    assert main(["check", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "error[schema/unknown-field] IPPool default-ipv4-ippool" in out
    assert "did you mean spec.blockSize?" in out
