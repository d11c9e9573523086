"""DNS-01 providers of cert-manager's pinned Issuer schema (v1.21.1): each typed provider
renders the exact ``dns01`` body, passes the strict CRD schema and the rules; what the
schema allows but cert-manager's webhook refuses is ``tls/acme-dns01``, on constructs and on
YAML through ``k8sdsl check``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from k8sdsl import App, Chart, K8sDslError
from k8sdsl._crd_schema import crd_schema, validate_crd
from k8sdsl.cli import main
from k8sdsl.core._findings import ValueInputError
from k8sdsl.security import (
    DNS01_PROVIDERS,
    AcmeDns,
    AcmeIssuer,
    AcmeSolver,
    AkamaiDns,
    AzureDns,
    AzureManagedIdentity,
    CloudDns,
    ClusterIssuer,
    DigitalOceanDns,
    Dns01Provider,
    Issuer,
    Rfc2136Dns,
    SecretKeyRef,
    WebhookDns,
    dns01_problems,
)


def ref(name: str, key: str) -> SecretKeyRef:
    return SecretKeyRef(name=name, key=key)


PROVIDERS: list[tuple[Dns01Provider, dict[str, Any]]] = [
    (
        AcmeDns(host="https://acme-dns.example.com", account=ref("acme-dns", "acmedns.json")),
        {
            "acmeDNS": {
                "host": "https://acme-dns.example.com",
                "accountSecretRef": {"name": "acme-dns", "key": "acmedns.json"},
            }
        },
    ),
    (
        AkamaiDns(
            service_consumer_domain="akab-xyz.luna.akamaiapis.net",
            client_token=ref("akamai", "client-token"),
            client_secret=ref("akamai", "client-secret"),
            access_token=ref("akamai", "access-token"),
        ),
        {
            "akamai": {
                "serviceConsumerDomain": "akab-xyz.luna.akamaiapis.net",
                "clientTokenSecretRef": {"name": "akamai", "key": "client-token"},
                "clientSecretSecretRef": {"name": "akamai", "key": "client-secret"},
                "accessTokenSecretRef": {"name": "akamai", "key": "access-token"},
            }
        },
    ),
    (
        AzureDns(
            subscription_id="sub-1",
            resource_group_name="dns",
            hosted_zone_name="example.com",
            environment="AzurePublicCloud",
            managed_identity=AzureManagedIdentity(client_id="mi-1"),
        ),
        {
            "azureDNS": {
                "subscriptionID": "sub-1",
                "resourceGroupName": "dns",
                "hostedZoneName": "example.com",
                "environment": "AzurePublicCloud",
                "managedIdentity": {"clientID": "mi-1"},
            }
        },
    ),
    (
        AzureDns(
            subscription_id="sub-1",
            resource_group_name="dns",
            client_id="app-1",
            tenant_id="tenant-1",
            client_secret=ref("azure-dns", "client-secret"),
            zone_type="AzurePrivateZone",
        ),
        {
            "azureDNS": {
                "subscriptionID": "sub-1",
                "resourceGroupName": "dns",
                "zoneType": "AzurePrivateZone",
                "clientID": "app-1",
                "tenantID": "tenant-1",
                "clientSecretSecretRef": {"name": "azure-dns", "key": "client-secret"},
            }
        },
    ),
    (
        CloudDns(project="shop-prod", service_account=ref("clouddns", "key.json")),
        {
            "cloudDNS": {
                "project": "shop-prod",
                "serviceAccountSecretRef": {"name": "clouddns", "key": "key.json"},
            }
        },
    ),
    (CloudDns(project="shop-prod"), {"cloudDNS": {"project": "shop-prod"}}),
    (
        DigitalOceanDns(token=ref("digitalocean", "access-token")),
        {"digitalocean": {"tokenSecretRef": {"name": "digitalocean", "key": "access-token"}}},
    ),
    (
        Rfc2136Dns(
            nameserver="[2001:db8::53]:53",
            tsig_key_name="acme-update",
            tsig_algorithm="HMACSHA512",
            tsig_secret=ref("tsig", "secret"),
            protocol="TCP",
        ),
        {
            "rfc2136": {
                "nameserver": "[2001:db8::53]:53",
                "tsigKeyName": "acme-update",
                "tsigAlgorithm": "HMACSHA512",
                "tsigSecretSecretRef": {"name": "tsig", "key": "secret"},
                "protocol": "TCP",
            }
        },
    ),
    (
        WebhookDns(
            group_name="acme.example.com", solver_name="gandi", config={"apiKeySecretRef": "x"}
        ),
        {
            "webhook": {
                "groupName": "acme.example.com",
                "solverName": "gandi",
                "config": {"apiKeySecretRef": "x"},
            }
        },
    ),
]


def _issuer(solver: AcmeSolver, kind: type[Issuer] = ClusterIssuer) -> Issuer:
    chart = Chart(App(outdir="unused"), "tls", namespace="shop")
    return kind(
        chart,
        "letsencrypt-dns",
        config=AcmeIssuer(
            email="ops@example.com",
            private_key_secret_name="letsencrypt-dns-account",
            solvers=(solver,),
        ),
    )


def test_every_provider_key_of_the_pinned_schema_is_known() -> None:
    schema = crd_schema("cert-manager.io/v1", "Issuer")
    spec = schema["properties"]["spec"]["properties"]["acme"]["properties"]["solvers"]["items"]
    keys = set(spec["properties"]["dns01"]["properties"]) - {"cnameStrategy"}
    assert keys == set(DNS01_PROVIDERS)
    typed = {p.provider_key for p, _ in PROVIDERS} | {"cloudflare", "route53"}
    assert typed == keys


@pytest.mark.parametrize(
    ("provider", "body"), PROVIDERS, ids=lambda v: getattr(v, "provider_key", "")
)
def test_provider_renders_and_is_schema_valid(
    provider: Dns01Provider, body: dict[str, Any]
) -> None:
    issuer = _issuer(AcmeSolver.dns01_at(provider, dns_zones=["example.com"]))
    obj = issuer.to_k8s()
    solver = obj["spec"]["acme"]["solvers"][0]
    assert solver == {"selector": {"dnsZones": ["example.com"]}, "dns01": body}
    assert validate_crd(obj) == []
    assert dns01_problems(solver["dns01"]) == []
    report = issuer.node.scope.node.scope.check()  # type: ignore[union-attr]
    assert not report.has_errors(), report


def test_cname_strategy_and_a_namespaced_issuer() -> None:
    solver = AcmeSolver.dns01_at(DigitalOceanDns(token=ref("do", "token")), cname_strategy="Follow")
    obj = _issuer(solver, Issuer).to_k8s()
    assert obj["metadata"]["namespace"] == "shop"
    assert obj["spec"]["acme"]["solvers"][0]["dns01"]["cnameStrategy"] == "Follow"
    assert validate_crd(obj) == []


@pytest.mark.parametrize(
    ("provider", "path"),
    [
        (
            AzureDns(
                subscription_id="s",
                resource_group_name="g",
                client_id="app-1",
                managed_identity=AzureManagedIdentity(client_id="mi"),
            ),
            {
                "spec.acme.solvers[0].dns01.azureDNS.tenantID",
                "spec.acme.solvers[0].dns01.azureDNS.clientSecretSecretRef",
                "spec.acme.solvers[0].dns01.azureDNS.managedIdentity",
            },
        ),
        (
            AzureDns(
                subscription_id="s",
                resource_group_name="g",
                managed_identity=AzureManagedIdentity(client_id="mi", resource_id="/sub/x"),
            ),
            {"spec.acme.solvers[0].dns01.azureDNS.managedIdentity"},
        ),
        (
            Rfc2136Dns(nameserver="2001:db8::53"),
            {"spec.acme.solvers[0].dns01.rfc2136.nameserver"},
        ),
        (
            Rfc2136Dns(nameserver="ns.example.com", tsig_secret=ref("tsig", "secret")),
            {"spec.acme.solvers[0].dns01.rfc2136.tsigKeyName"},
        ),
    ],
)
def test_what_the_webhook_refuses_fails_the_construct(
    provider: Dns01Provider, path: set[str]
) -> None:
    with pytest.raises(K8sDslError) as err:
        _issuer(AcmeSolver.dns01_at(provider))
    findings = err.value.findings
    assert {f.code for f in findings} == {"tls/acme-dns01"}
    assert {f.path for f in findings} == path
    assert all(f.obj.kind == "ClusterIssuer" and f.hint for f in findings)


def test_typed_fields_refuse_what_the_schema_refuses() -> None:
    with pytest.raises(ValueInputError) as err:
        Rfc2136Dns(nameserver="ns.example.com", tsig_algorithm="HMACSHA384")  # type: ignore[arg-type]
    assert err.value.findings[0].path == "tsig_algorithm"
    with pytest.raises(ValueInputError):
        AzureDns(subscription_id="s", resource_group_name="g", environment="Mars")  # type: ignore[arg-type]
    with pytest.raises(ValueInputError):
        SecretKeyRef(name="tsig")  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("nameserver", "ok"),
    [
        ("10.0.0.53", True),
        ("10.0.0.53:5353", True),
        ("ns.example.com", True),
        ("ns.example.com:53", True),
        ("[2001:db8::53]", True),
        ("[2001:db8::53]:53", True),
        ("2001:db8::53", False),
        (":53", False),
        ("[2001:db8::53", False),
        ("[2001:db8::53]53", False),
    ],
)
def test_rfc2136_nameserver_forms(nameserver: str, ok: bool) -> None:
    problems = dns01_problems({"rfc2136": {"nameserver": nameserver}})
    assert (problems == []) is ok, problems


def test_cloudflare_and_route53_as_the_webhook_checks_them() -> None:
    token, key = {"name": "cf", "key": "token"}, {"name": "cf", "key": "api-key"}
    assert dns01_problems({"cloudflare": {"apiTokenSecretRef": token}}) == []
    assert [p.path for p in dns01_problems({"cloudflare": {"apiKeySecretRef": key}})] == [
        "cloudflare.email"
    ]
    both = dns01_problems({"cloudflare": {"apiKeySecretRef": key, "apiTokenSecretRef": token}})
    assert [p.message for p in both][0] == (
        "apiKeySecretRef and apiTokenSecretRef cannot both be specified"
    )
    assert [p.path for p in dns01_problems({"cloudflare": {}})] == ["cloudflare"]
    twice = {"accessKeyID": "AKIA", "accessKeyIDSecretRef": {"name": "aws", "key": "id"}}
    assert [p.path for p in dns01_problems({"route53": twice})] == ["route53.accessKeyIDSecretRef"]
    assert dns01_problems(AcmeSolver.dns01_route53(region="eu-west-1").dns01) == []


YAML_CASES = """\
apiVersion: cert-manager.io/v1
kind: Issuer
metadata: {name: dns, namespace: shop}
spec:
  acme:
    email: ops@example.com
    server: https://acme-v02.api.letsencrypt.org/directory
    privateKeySecretRef: {name: dns-account}
    solvers:
      - dns01:
          digitalocean:
            tokenSecretRef: {name: digitalocean}
      - dns01:
          cloudDNS: {project: shop}
          digitalocean:
            tokenSecretRef: {name: digitalocean, key: token}
      - dns01:
          akamai:
            serviceConsumerDomain: akab.example.net
            clientTokenSecretRef: {name: akamai, key: client-token}
            clientSecretSecretRef: {name: akamai, key: client-secret}
            accessTokenSecretRef: {name: akamai}
      - dns01:
          rfc2136: {nameserver: "10.0.0.53", tsigAlgorithm: HMACSHA384}
      - dns01: {cnameStrategy: Follow}
      - http01: {ingress: {ingressClassName: nginx}}
"""


def test_yaml_through_k8sdsl_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "issuer.yaml"
    path.write_text(YAML_CASES, encoding="utf-8")
    assert validate_crd(yaml.safe_load(YAML_CASES)) == []  # the schema takes all of it
    assert main(["check", "--format", "json", str(path)]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert sorted((f["code"], f["path"]) for f in findings) == [
        ("tls/acme-dns01", "spec.acme.solvers[0].dns01.digitalocean.tokenSecretRef.key"),
        ("tls/acme-dns01", "spec.acme.solvers[1].dns01.digitalocean"),
        ("tls/acme-dns01", "spec.acme.solvers[2].dns01.akamai.accessTokenSecretRef.key"),
        ("tls/acme-dns01", "spec.acme.solvers[3].dns01.rfc2136.tsigAlgorithm"),
        ("tls/acme-dns01", "spec.acme.solvers[4].dns01"),
    ]


def test_a_secret_ref_with_an_unknown_field_is_a_schema_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "issuer.yaml"
    path.write_text(
        YAML_CASES.replace("{name: digitalocean}", "{name: digitalocean, keys: token}"),
        encoding="utf-8",
    )
    main(["check", "--format", "json", str(path)])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert any(
        f["code"].startswith("schema/") and "tokenSecretRef" in f["path"] for f in findings
    ), findings
