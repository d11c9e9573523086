"""The API server's configuration files: AuthenticationConfiguration,
AuthorizationConfiguration, AdmissionConfiguration
and PodSecurityConfiguration as typed values (hardened defaults, snapshots) and every
apiserver/* rule on YAML through ``k8sdsl check`` and on the values through synth."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from k8sdsl import App, ConfigFile, K8sDslError
from k8sdsl._config_schema import validate_config
from k8sdsl.cli import main
from k8sdsl.core import ValueInputError
from k8sdsl.security import (
    AdmissionConfiguration,
    AdmissionPlugin,
    AnonymousAuthentication,
    AuthenticationConfiguration,
    AuthorizationConfiguration,
    Authorizer,
    AuthorizerFailurePolicy,
    AuthorizerType,
    JwtAuthenticator,
    PodSecurityConfiguration,
    PodSecurityDefaults,
    PodSecurityExemptions,
    PodSecurityLevel,
)

AUTHZ = "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthorizationConfiguration\n"
NODE = {"type": "Node", "name": "node"}
RBAC = {"type": "RBAC", "name": "rbac"}


def hook(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "timeout": "3s",
        "failurePolicy": "NoOpinion",
        "subjectAccessReviewVersion": "v1",
        "connectionInfo": {"type": "KubeConfigFile", "kubeConfigFile": "/etc/k/authz.kubeconfig"},
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def webhook(name: str = "policy", **changes: Any) -> dict[str, Any]:
    return {"type": "Webhook", "name": name, "webhook": hook(**changes)}


def authz(*authorizers: dict[str, Any], api_version: str = "v1") -> str:
    return yaml.safe_dump(
        {
            "apiVersion": f"apiserver.config.k8s.io/{api_version}",
            "kind": "AuthorizationConfiguration",
            "authorizers": list(authorizers),
        },
        sort_keys=False,
    )


def check(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, *flags: str
) -> tuple[int, list[tuple[str, str, str]]]:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    code = main(["check", "--format", "json", *flags, str(path)])
    found = json.loads(capsys.readouterr().out)["findings"]
    return code, sorted((f["code"], f["path"], f["severity"]) for f in found)


# -- AuthorizationConfiguration -------------------------------------------------------------


def test_default_authorization_is_node_then_rbac(yaml_snapshot: Any) -> None:
    doc = AuthorizationConfiguration().to_k8s()
    assert doc["authorizers"] == [NODE, RBAC]
    assert validate_config(doc) == []
    assert doc == yaml_snapshot


def test_a_webhook_authorizer_golden_yaml(yaml_snapshot: Any) -> None:
    config = AuthorizationConfiguration(
        authorizers=(
            Authorizer.node(),
            Authorizer.rbac(),
            Authorizer.webhook_authorizer(
                "policy.example.com",
                kube_config_file="/etc/kubernetes/authz-webhook.kubeconfig",
                timeout="3s",
                failure_policy=AuthorizerFailurePolicy.NO_OPINION,
                match_conditions=["!request.user.startsWith('system:')"],
            ),
        )
    )
    doc = config.to_k8s()
    assert validate_config(doc) == []
    assert doc["authorizers"][2]["webhook"]["matchConditions"] == [
        {"expression": "!request.user.startsWith('system:')"}
    ]
    assert doc == yaml_snapshot


def test_a_clean_authorization_has_no_findings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert check(capsys, tmp_path, authz(NODE, RBAC)) == (0, [])


AUTHZ_CASES: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "always-allow": (
        authz(NODE, RBAC, {"type": "AlwaysAllow", "name": "everyone"}),
        [("apiserver/always-allow", "authorizers[2].type", "error")],
    ),
    "rbac-without-node": (
        authz(RBAC),
        [("apiserver/node-authorizer", "authorizers[0].type", "error")],
    ),
    "node-after-rbac": (
        authz(RBAC, NODE),
        [("apiserver/node-authorizer", "authorizers[0].type", "error")],
    ),
    "duplicate-name": (
        authz(NODE, {"type": "RBAC", "name": "node"}),
        [("apiserver/invalid-authorization", "authorizers[1].name", "error")],
    ),
    "rbac-twice": (
        authz(NODE, RBAC, {"type": "RBAC", "name": "rbac-2"}),
        [("apiserver/invalid-authorization", "authorizers[2].type", "error")],
    ),
    "webhook-without-section": (
        authz(NODE, RBAC, {"type": "Webhook", "name": "policy"}),
        [("apiserver/invalid-authorization", "authorizers[2].webhook", "error")],
    ),
    "section-on-rbac": (
        authz(NODE, {"type": "RBAC", "name": "rbac", "webhook": hook()}),
        [("apiserver/invalid-authorization", "authorizers[1].webhook", "error")],
    ),
    "timeout-over-30s": (
        authz(NODE, RBAC, webhook(timeout="1m")),
        [
            ("apiserver/invalid-authorization", "authorizers[2].webhook.timeout", "error"),
            ("apiserver/webhook-failure-policy", "authorizers[2].webhook.failurePolicy", "info"),
        ],
    ),
    "timeout-zero": (
        authz(NODE, RBAC, webhook(timeout="0s", failurePolicy="Deny")),
        [("apiserver/invalid-authorization", "authorizers[2].webhook.timeout", "error")],
    ),
    "in-cluster": (
        authz(
            NODE, RBAC, webhook(failurePolicy="Deny", connectionInfo={"type": "InClusterConfig"})
        ),
        [
            (
                "apiserver/invalid-authorization",
                "authorizers[2].webhook.connectionInfo.type",
                "error",
            )
        ],
    ),
    "no-kubeconfig": (
        authz(NODE, RBAC, webhook(failurePolicy="Deny", connectionInfo={"type": "KubeConfigFile"})),
        [
            (
                "apiserver/invalid-authorization",
                "authorizers[2].webhook.connectionInfo.kubeConfigFile",
                "error",
            )
        ],
    ),
    "no-opinion": (
        authz(NODE, RBAC, webhook()),
        [("apiserver/webhook-failure-policy", "authorizers[2].webhook.failurePolicy", "info")],
    ),
    "deny-first": (
        authz(webhook(failurePolicy="Deny"), NODE, RBAC),
        [("apiserver/webhook-failure-policy", "authorizers[0].webhook.failurePolicy", "warning")],
    ),
    "deny-first-with-conditions": (
        authz(
            webhook(
                failurePolicy="Deny",
                matchConditions=[{"expression": "!request.user.startsWith('system:')"}],
                matchConditionSubjectAccessReviewVersion="v1",
            ),
            NODE,
            RBAC,
        ),
        [],
    ),
    "deny-after-rbac": (authz(NODE, RBAC, webhook(failurePolicy="Deny")), []),
    "abac": (
        authz(NODE, RBAC, {"type": "ABAC", "name": "abac"}),
        [("apiserver/abac-authorizer", "authorizers[2].type", "warning")],
    ),
    "missing-timeout": (
        authz(NODE, RBAC, webhook(timeout=None, failurePolicy="Deny")),
        [("schema/required", "authorizers[2].webhook", "error")],
    ),
    "conditions-without-their-version": (
        authz(
            NODE,
            RBAC,
            webhook(failurePolicy="Deny", matchConditions=[{"expression": "true"}]),
        ),
        [("schema/invalid", "authorizers[2].webhook", "error")],
    ),
    "misspelt-field": (
        authz(NODE, RBAC, webhook(failurePolicy="Deny", timeOut="3s")),
        [("schema/unknown-field", "authorizers[2].webhook.timeOut", "error")],
    ),
    "unknown-type": (
        authz(NODE, {"type": "Rbac", "name": "rbac"}),
        [("schema/enum", "authorizers[1].type", "error")],
    ),
}


@pytest.mark.parametrize("case", sorted(AUTHZ_CASES))
def test_authorization_rules_on_yaml(
    case: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text, expected = AUTHZ_CASES[case]
    code, found = check(capsys, tmp_path, text)
    assert found == sorted(expected)
    assert code == (1 if any(s == "error" for _, _, s in expected) else 0)


def test_v1_is_read_from_1_32_and_v1beta1_from_1_30(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, found = check(capsys, tmp_path, authz(NODE, RBAC), "--k8s-version", "1.31")
    assert (code, found) == (1, [("schema/config-version", "apiVersion", "error")])
    assert check(
        capsys, tmp_path, authz(NODE, RBAC, api_version="v1beta1"), "--k8s-version", "1.31"
    ) == (0, [])
    code, found = check(
        capsys, tmp_path, authz(NODE, RBAC, api_version="v1beta1"), "--k8s-version", "1.29"
    )
    assert (code, found) == (1, [("schema/config-version", "apiVersion", "error")])


@pytest.mark.parametrize(
    ("authorizers", "code", "severity"),
    [
        (
            (Authorizer.node(), Authorizer(type=AuthorizerType.ALWAYS_ALLOW, name="all")),
            "apiserver/always-allow",
            "error",
        ),
        ((Authorizer.rbac(),), "apiserver/node-authorizer", "error"),
        (
            (
                Authorizer.node(),
                Authorizer.rbac(),
                Authorizer(type=AuthorizerType.ABAC, name="abac"),
            ),
            "apiserver/abac-authorizer",
            "warning",
        ),
        (
            (
                Authorizer.webhook_authorizer(
                    "policy",
                    kube_config_file="/etc/k/w.kubeconfig",
                    timeout="3s",
                    failure_policy="Deny",
                ),
                Authorizer.node(),
                Authorizer.rbac(),
            ),
            "apiserver/webhook-failure-policy",
            "warning",
        ),
        (
            (
                Authorizer.node(),
                Authorizer.rbac(),
                Authorizer.webhook_authorizer(
                    "policy",
                    kube_config_file="/etc/k/w.kubeconfig",
                    timeout="31s",
                    failure_policy="Deny",
                ),
            ),
            "apiserver/invalid-authorization",
            "error",
        ),
    ],
)
def test_authorization_rules_on_the_typed_value(
    authorizers: tuple[Authorizer, ...], code: str, severity: str, tmp_path: Path
) -> None:
    app = App(outdir=tmp_path / "dist")
    ConfigFile(
        app,
        "authz",
        path="control-plane/authorization-config.yaml",
        document=AuthorizationConfiguration(authorizers=authorizers),
    )
    found = [f for f in app.check().findings if f.code.startswith(("apiserver/", "schema/"))]
    assert [(f.code, f.severity.value, f.obj.source) for f in found] == [(code, severity, "authz")]
    if severity == "error":
        with pytest.raises(K8sDslError):
            app.synth()
        assert not (tmp_path / "dist").exists()


def test_bad_authorizer_values_are_refused() -> None:
    with pytest.raises(ValueInputError) as err:
        Authorizer(type=AuthorizerType.RBAC, name="Not_A_Name")
    assert [(f.code, f.path) for f in err.value.findings] == [("value/dns-subdomain", "name")]
    with pytest.raises(ValueInputError) as err:
        AuthorizationConfiguration(authorizers=())
    assert [f.path for f in err.value.findings] == ["authorizers"]
    with pytest.raises(K8sDslError):
        Authorizer.webhook_authorizer(
            "policy", kube_config_file="/k", timeout="3 seconds", failure_policy="Deny"
        )


# -- AdmissionConfiguration and Pod Security Admission --------------------------------------


def test_default_admission_enforces_restricted_but_in_kube_system(yaml_snapshot: Any) -> None:
    doc = AdmissionConfiguration().to_k8s()
    (plugin,) = doc["plugins"]
    assert plugin["name"] == "PodSecurity"
    psa = plugin["configuration"]
    assert psa["defaults"] == {
        "enforce": "restricted",
        "enforce-version": "latest",
        "audit": "restricted",
        "audit-version": "latest",
        "warn": "restricted",
        "warn-version": "latest",
    }
    assert psa["exemptions"] == {"namespaces": ["kube-system"]}
    assert validate_config(doc) == []
    assert doc == yaml_snapshot


def test_a_pod_security_configuration_golden_yaml(yaml_snapshot: Any) -> None:
    config = PodSecurityConfiguration(
        defaults=PodSecurityDefaults(
            enforce=PodSecurityLevel.BASELINE, enforce_version="v1.35", warn_version="v1.35"
        ),
        exemptions=PodSecurityExemptions(
            namespaces=("kube-system", "calico-system"), runtime_classes=("kata",)
        ),
    )
    assert validate_config(config.to_k8s()) == []
    assert config.to_k8s() == yaml_snapshot


PSA = """\
apiVersion: pod-security.admission.config.k8s.io/v1
kind: PodSecurityConfiguration
defaults: {defaults}
"""
ADMISSION = """\
apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
  - name: PodSecurity
    configuration:
      apiVersion: pod-security.admission.config.k8s.io/v1
      kind: PodSecurityConfiguration
      defaults: {defaults}
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (PSA.format(defaults="{enforce: restricted}"), []),
        (
            PSA.format(defaults="{enforce: privileged, audit: restricted}"),
            [("apiserver/psa-enforce-privileged", "defaults.enforce", "warning")],
        ),
        (
            PSA.format(defaults="{warn: restricted}"),
            [("apiserver/psa-enforce-privileged", "defaults.enforce", "warning")],
        ),
        (ADMISSION.format(defaults="{enforce: baseline}"), []),
        (
            ADMISSION.format(defaults="{enforce: privileged}"),
            [
                (
                    "apiserver/psa-enforce-privileged",
                    "plugins[0].configuration.defaults.enforce",
                    "warning",
                )
            ],
        ),
        (
            ADMISSION.format(defaults="{enforce: restricted, enforce-verison: latest}"),
            [
                (
                    "schema/unknown-field",
                    "plugins[0].configuration.defaults.enforce-verison",
                    "error",
                )
            ],
        ),
        (
            ADMISSION.format(defaults="{enforce: strict}"),
            [("schema/enum", "plugins[0].configuration.defaults.enforce", "error")],
        ),
    ],
)
def test_pod_security_rules_on_yaml(
    text: str,
    expected: list[tuple[str, str, str]],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    _, found = check(capsys, tmp_path, text)
    assert found == sorted(expected)


def test_pod_security_rule_on_the_typed_value(tmp_path: Path) -> None:
    app = App(outdir=tmp_path / "dist")
    weak = PodSecurityConfiguration(
        defaults=PodSecurityDefaults(enforce=PodSecurityLevel.PRIVILEGED)
    )
    ConfigFile(
        app,
        "admission",
        path="control-plane/admission-config.yaml",
        document=AdmissionConfiguration(plugins=(AdmissionPlugin.pod_security(weak),)),
    )
    found = [(f.code, f.path, f.severity.value) for f in app.check().findings]
    assert found == [
        ("apiserver/psa-enforce-privileged", "plugins[0].configuration.defaults.enforce", "warning")
    ]
    app.synth()  # a warning does not stop synth
    text = (tmp_path / "dist" / "control-plane" / "admission-config.yaml").read_text()
    assert "enforce: privileged" in text


# -- AuthenticationConfiguration ------------------------------------------------------------

AUTHN = "apiVersion: apiserver.config.k8s.io/v1beta1\nkind: AuthenticationConfiguration\n"
JWT = """\
jwt:
  - issuer: {{url: "{url}", audiences: [kubernetes]}}
    claimMappings:
      username: {username}
      groups: {groups}
{rules}"""


def test_default_authentication_limits_anonymous_to_health(yaml_snapshot: Any) -> None:
    doc = AuthenticationConfiguration().to_k8s()
    assert doc["anonymous"] == {
        "enabled": True,
        "conditions": [{"path": "/livez"}, {"path": "/readyz"}, {"path": "/healthz"}],
    }
    assert "jwt" not in doc
    assert validate_config(doc) == []
    assert doc == yaml_snapshot


def test_an_oidc_issuer_golden_yaml(yaml_snapshot: Any) -> None:
    config = AuthenticationConfiguration(
        jwt=(JwtAuthenticator.oidc("https://login.example.com", audiences=["kubernetes"]),),
        anonymous=AnonymousAuthentication(enabled=False, conditions=None),
    )
    doc = config.to_k8s()
    assert doc["jwt"][0]["claimMappings"] == {
        "username": {"claim": "sub", "prefix": "oidc:"},
        "groups": {"claim": "groups", "prefix": "oidc:"},
    }
    assert validate_config(doc) == []
    assert doc == yaml_snapshot


def jwt_yaml(
    url: str = "https://login.example.com",
    username: str = "{claim: sub, prefix: 'oidc:'}",
    groups: str = "{claim: groups, prefix: 'oidc:'}",
    rules: str = "",
) -> str:
    return AUTHN + JWT.format(url=url, username=username, groups=groups, rules=rules)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (AUTHN + "anonymous: {enabled: false}\n", []),
        (
            AUTHN + "anonymous: {enabled: true}\n",
            [("apiserver/anonymous-auth", "anonymous.enabled", "warning")],
        ),
        (
            AUTHN + "anonymous: {enabled: true, conditions: [{path: /livez}, {path: /api}]}\n",
            [("apiserver/anonymous-auth", "anonymous.conditions[1].path", "warning")],
        ),
        (AUTHN + "anonymous: {enabled: true, conditions: [{path: /readyz}]}\n", []),
        (jwt_yaml(), []),
        (
            jwt_yaml(url="http://login.example.com"),
            [("apiserver/jwt-authenticator", "jwt[0].issuer.url", "error")],
        ),
        (
            jwt_yaml(username="{claim: email}"),
            [("apiserver/jwt-authenticator", "jwt[0].claimMappings.username.prefix", "error")],
        ),
        (
            jwt_yaml(groups="{claim: groups, prefix: ''}"),
            [("apiserver/jwt-authenticator", "jwt[0].claimMappings.groups.prefix", "error")],
        ),
        (
            jwt_yaml(username="{claim: email, prefix: ''}"),
            [("apiserver/jwt-authenticator", "jwt[0].claimMappings.username.prefix", "warning")],
        ),
        (
            jwt_yaml(
                username="{claim: email, prefix: ''}",
                groups="{claim: groups, prefix: ''}",
                rules="    userValidationRules:\n"
                "      - expression: \"!user.username.startsWith('system:')\"\n",
            ),
            [],
        ),
        (
            jwt_yaml(groups="{claim: groups, prefx: ''}"),
            [
                ("schema/unknown-field", "jwt[0].claimMappings.groups.prefx", "error"),
                # read as the prefix it means, which is empty: reported at the key as written
                ("apiserver/jwt-authenticator", "jwt[0].claimMappings.groups.prefx", "error"),
            ],
        ),
    ],
)
def test_authentication_rules_on_yaml(
    text: str,
    expected: list[tuple[str, str, str]],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    _, found = check(capsys, tmp_path, text)
    assert found == sorted(expected)


def test_authentication_rules_on_the_typed_value(tmp_path: Path) -> None:
    app = App(outdir=tmp_path / "dist")
    wide_open = AuthenticationConfiguration(
        anonymous=AnonymousAuthentication(enabled=True, conditions=None),
        jwt=(JwtAuthenticator.oidc("https://login.example.com", audiences=["k8s"], prefix=""),),
    )
    ConfigFile(app, "authn", path="control-plane/authentication-config.yaml", document=wide_open)
    found = sorted((f.code, f.path, f.severity.value) for f in app.check().findings)
    assert found == [
        ("apiserver/anonymous-auth", "anonymous.enabled", "warning"),
        ("apiserver/jwt-authenticator", "jwt[0].claimMappings.groups.prefix", "error"),
        ("apiserver/jwt-authenticator", "jwt[0].claimMappings.username.prefix", "warning"),
    ]
    with pytest.raises(K8sDslError):
        app.synth()


def test_authentication_v1_is_read_from_1_34(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = AUTHN.replace("v1beta1", "v1") + "anonymous: {enabled: false}\n"
    assert check(capsys, tmp_path, text, "--k8s-version", "1.34") == (0, [])
    code, found = check(capsys, tmp_path, text, "--k8s-version", "1.33")
    assert (code, found) == (1, [("schema/config-version", "apiVersion", "error")])
