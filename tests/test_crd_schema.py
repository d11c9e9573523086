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
    assert (
        CRD_KINDS[("projectcalico.org/v3", "NetworkPolicy")].namespaced
        and not CRD_KINDS[("projectcalico.org/v3", "IPPool")].namespaced
    )
    assert crd_schema("crd.projectcalico.org/v1", "IPPool")["properties"]["kind"] == {
        "const": "IPPool"
    }


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


# --- crd_to_schema: a CRD's openAPIV3Schema as a strict schema ------------------------------

WIDGET_CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {
        "group": "example.com",
        "names": {"kind": "Widget", "plural": "widgets"},
        "scope": "Namespaced",
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "description": "a widget",
                        "properties": {
                            "apiVersion": {"type": "string"},
                            "kind": {"type": "string"},
                            "metadata": {"type": "object"},
                            "spec": {
                                "type": "object",
                                "required": ["size"],
                                "properties": {
                                    "size": {"type": "integer", "minimum": 1, "default": 3},
                                    "port": {"x-kubernetes-int-or-string": True},
                                    "mode": {"type": "string", "pattern": "^(?i)(fast|slow)$"},
                                    "labels": {
                                        "type": "object",
                                        "additionalProperties": {"type": "string"},
                                    },
                                    "raw": {
                                        "type": "object",
                                        "x-kubernetes-preserve-unknown-fields": True,
                                        "properties": {"known": {"type": "string"}},
                                    },
                                    "note": {"type": "string", "nullable": True},
                                },
                            },
                        },
                    }
                },
            }
        ],
    },
}


def _widget(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w"},
        "spec": spec,
    }


def _problems(schema: dict[str, Any], obj: dict[str, Any]) -> list[str]:
    import jsonschema

    from k8sdsl._crd_schema import problems_against

    return [
        f"{p.path}: {p.message}"
        for p in problems_against(jsonschema.Draft202012Validator(schema), obj)
    ]


def test_crd_to_schema_is_strict_and_keeps_the_crd_constraints() -> None:
    from k8sdsl._crd_schema import crd_to_schema

    schema = crd_to_schema(WIDGET_CRD, "v1")
    assert schema["properties"]["apiVersion"] == {"const": "example.com/v1"}
    assert schema["properties"]["kind"] == {"const": "Widget"}
    assert "description" not in schema and "default" not in str(schema)
    ok = _widget(size=2, port="http", mode="FAST", labels={"a": "b"}, raw={"any": 1}, note=None)
    assert _problems(schema, ok) == []
    assert _problems(schema, _widget(size=2, port=8080)) == []
    bad = _problems(schema, _widget(sise=2, port=1.5, mode="medium", labels={"a": 1}))
    text = "\n".join(bad)
    assert "sise" in text  # unknown field refused: the object lists its properties
    assert "'size' is a required property" in text
    assert "spec.mode" in text and "spec.labels.a" in text and "spec.port" in text
    assert _problems(schema, _widget(size=0)) != []  # minimum kept
    assert _problems(schema, {**_widget(size=1), "extra": 1}) != []


def test_crd_to_schema_refuses_what_is_not_a_crd_version() -> None:
    from k8sdsl._crd_schema import CrdError, crd_to_schema

    with pytest.raises(CrdError, match="serves: v1"):
        crd_to_schema(WIDGET_CRD, "v2")
    with pytest.raises(CrdError, match="not a CustomResourceDefinition"):
        crd_to_schema({"kind": "ConfigMap"}, "v1")


def test_crd_to_schema_command_writes_the_schema(tmp_path: Path) -> None:
    import json

    import yaml

    from k8sdsl._crd_schema import _main, crd_to_schema

    src = tmp_path / "widget.yaml"
    src.write_text(yaml.safe_dump(WIDGET_CRD), encoding="utf-8")
    out = tmp_path / "widget.json"
    assert _main([str(src), "--version", "v1", "--also", "example.org/v1", "--out", str(out)]) == 0
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written == crd_to_schema(WIDGET_CRD, "v1", api_versions=["example.org/v1"])
    assert written["properties"]["apiVersion"] == {"enum": ["example.com/v1", "example.org/v1"]}
    assert _main([str(src), "--version", "v9", "--out", str(out)]) == 2
