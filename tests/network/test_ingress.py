"""Ingress and IngressClass: the values, the golden YAML, schema validity for 1.28 and 1.37,
and every ``network/ingress-*`` rule on YAML through ``k8sdsl check`` and on constructs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from k8sdsl import App, Chart, Cluster, ExistingObject, K8sDslError
from k8sdsl.cli import main
from k8sdsl.network import (
    Ingress,
    IngressBackend,
    IngressClass,
    IngressHostRule,
    IngressPath,
    IngressTls,
    PathType,
)
from k8sdsl.network._ingress import host_matches, ingress_host_problem
from k8sdsl.workloads import ContainerPort, Deployment, SecurePodTemplate, Service, ServicePort

from ..conftest import assert_schema_valid, check_objects

IMAGE = "registry.example.com/shop/web:1.0"


def web_and_service(chart: Chart, name: str = "web") -> Service:
    web = Deployment(
        chart,
        name,
        template=SecurePodTemplate(image=IMAGE, ports=[ContainerPort.tcp(8080, name="http")]),
    )
    return Service(
        chart,
        f"{name}-svc",
        selector=web.selector,
        ports=[
            ServicePort.tcp(80, target_port="http", name="http"),
            ServicePort.tcp(9090, target_port="http", name="metrics"),
        ],
    )


def shop(app: App) -> tuple[Chart, Service, Ingress, IngressClass]:
    chart = Chart(app, "shop", namespace="shop")
    svc = web_and_service(chart)
    nginx = IngressClass(chart, "nginx", controller="k8s.io/ingress-nginx", default=True)
    backend = IngressBackend.service(svc, port="http")
    ingress = Ingress(
        chart,
        "shop",
        ingress_class_name=nginx,
        rules=[
            IngressHostRule(
                host="shop.example.com",
                paths=[
                    IngressPath.prefix("/api", IngressBackend.service(svc, port=9090)),
                    IngressPath.exact("/healthz", backend),
                    IngressPath(backend=backend),
                ],
            ),
            IngressHostRule.to("*.shop.example.com", backend),
        ],
        tls=[IngressTls(hosts=["shop.example.com", "*.shop.example.com"], secret_name="shop-tls")],
        annotations={"cert-manager.io/cluster-issuer": "letsencrypt"},
    )
    return chart, svc, ingress, nginx


# -- values and constructs ---------------------------------------------------------------------


def test_ingress_golden_and_schema_valid(app: App, yaml_snapshot: Any) -> None:
    _, _, ingress, nginx = shop(app)
    assert [nginx.to_k8s(), ingress.to_k8s()] == yaml_snapshot
    assert_schema_valid([nginx, ingress], ["1.28", "1.37"])
    spec = ingress.to_k8s()["spec"]
    assert spec["ingressClassName"] == "nginx"
    assert spec["rules"][0]["http"]["paths"][0] == {
        "path": "/api",
        "pathType": "Prefix",
        "backend": {"service": {"name": "web-svc", "port": {"number": 9090}}},
    }
    assert spec["rules"][0]["http"]["paths"][2]["path"] == "/"  # the default, written out
    assert nginx.to_k8s()["metadata"] == {
        "name": "nginx",
        "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"},
    }  # cluster-scoped: no namespace


def test_the_app_synthesizes_clean(app: App) -> None:
    shop(app)
    report = app.check()
    assert not [f for f in report.findings if f.code.startswith("network/ingress")], report


def test_default_backend_only(chart: Chart) -> None:
    svc = web_and_service(chart)
    ingress = Ingress(chart, "fallback", default_backend=IngressBackend.service(svc, port=80))
    assert ingress.to_k8s()["spec"] == {
        "defaultBackend": {"service": {"name": "web-svc", "port": {"number": 80}}}
    }
    assert_schema_valid([ingress], ["1.28", "1.37"])


def test_backend_from_a_service_resolves_its_port(chart: Chart) -> None:
    svc = web_and_service(chart)
    with pytest.raises(K8sDslError) as info:
        IngressBackend.service(svc, port="htp")
    (finding,) = info.value.findings
    assert finding.code == "network/ingress-port"
    assert "did you mean 'http'?" in finding.hint
    with pytest.raises(K8sDslError) as info:
        IngressBackend.service(svc, port=8080)
    assert info.value.codes == ["network/ingress-port"]
    assert "has: 80, 9090" in info.value.findings[0].message
    with pytest.raises(K8sDslError) as info:
        IngressBackend.service(svc)  # two ports: which one?
    assert info.value.codes == ["network/ingress-port"]
    single = Service(chart, "single", selector={"app": "web"}, ports=[80])
    assert IngressBackend.service(single).service_ref == ("single", 80)
    assert IngressBackend.service_name("web", port="http").service_ref == ("web", "http")


@pytest.mark.parametrize(
    ("build", "code"),
    [
        (lambda: IngressHostRule.to("Shop.Example.com", _backend()), "value/ingress-host"),
        (lambda: IngressHostRule.to("10.0.0.1", _backend()), "value/ingress-host"),
        (lambda: IngressHostRule.to("shop.*.com", _backend()), "value/ingress-host"),
        (lambda: IngressTls(hosts=["shop.example.com:443"], secret_name="t"), "value/ingress-host"),
        (lambda: IngressPath(path="api", backend=_backend()), "value/ingress-path"),
        (lambda: IngressPath.exact("", _backend()), "value/ingress-path"),
        (lambda: IngressHostRule(host="a.example.com", paths=[]), "value/ingress-paths"),
        (lambda: IngressTls(hosts=[], secret_name="t"), "value/ingress-tls-hosts"),
        (lambda: IngressBackend.service_name("web", port=0), "value/greater-than-equal"),
    ],
)
def test_value_errors(build: Any, code: str) -> None:
    with pytest.raises(K8sDslError) as info:
        build()
    assert code in info.value.codes
    assert all(f.hint for f in info.value.findings)


def _backend() -> IngressBackend:
    return IngressBackend.service_name("web", port=80)


def test_implementation_specific_paths_are_the_controllers() -> None:
    path = IngressPath(path="~ ^/x", path_type=PathType.IMPLEMENTATION_SPECIFIC, backend=_backend())
    assert path.to_k8s()["pathType"] == "ImplementationSpecific"


def test_ingress_needs_rules_or_a_default_backend(chart: Chart) -> None:
    with pytest.raises(K8sDslError) as info:
        Ingress(chart, "empty")
    assert info.value.codes == ["network/ingress-empty"]
    with pytest.raises(K8sDslError) as info:
        Ingress(chart, "bad-class", default_backend=_backend(), ingress_class_name="Nginx")
    assert info.value.codes == ["network/ingress-class"]
    with pytest.raises(K8sDslError) as info:
        IngressClass(chart, "x", controller="nginx")
    assert info.value.codes == ["network/ingress-class"]


def test_host_checker_and_wildcards() -> None:
    assert ingress_host_problem("shop.example.com") is None
    assert ingress_host_problem("*.example.com") is None
    assert ingress_host_problem("*") is not None
    assert ingress_host_problem("a_b.example.com") == (
        "host 'a_b.example.com' is not a DNS-1123 subdomain (lowercase letters, digits, '-' and "
        "'.', each label starting and ending with a letter or digit)",
        "use 'a-b.example.com'",
    )
    assert host_matches("*.example.com", "a.example.com")
    assert not host_matches("*.example.com", "a.b.example.com")
    assert not host_matches("*.example.com", "example.com")


# -- rules on constructs -------------------------------------------------------------------


def test_rules_on_constructs(app: App) -> None:
    chart = Chart(app, "shop", namespace="shop")
    web_and_service(chart)
    Ingress(
        chart,
        "broken",
        ingress_class_name="traefik",
        rules=[
            IngressHostRule.to(
                "shop.example.com", IngressBackend.service_name("web-svc", port="htp")
            ),
            IngressHostRule.to("api.example.com", IngressBackend.service_name("api", port=80)),
        ],
        tls=[IngressTls(hosts=["shop.example.com", "shopp.example.com"], secret_name="shop-tls")],
    )
    IngressClass(chart, "nginx", controller="k8s.io/ingress-nginx")
    report = app.check()
    by_code: dict[str, list[Any]] = {}
    for f in report.findings:
        by_code.setdefault(f.code, []).append(f)
    (backend,) = by_code["network/ingress-backend"]
    assert backend.severity == "error"  # the app is complete at synth
    assert backend.path == "spec.rules[1].http.paths[0].backend.service.name"
    (port,) = by_code["network/ingress-port"]
    assert port.hint == "did you mean 'http'?"
    assert port.path == "spec.rules[0].http.paths[0].backend.service.port.name"
    tls = sorted(f.path for f in by_code["network/ingress-tls-host"])
    assert tls == ["spec.rules[1].host", "spec.tls[0].hosts[1]"]
    (secret,) = by_code["network/ingress-tls-secret"]
    assert secret.severity == "error"
    (klass,) = by_code["network/ingress-class"]
    assert klass.severity == "error" and "did you mean" not in klass.hint
    assert "nginx" in klass.message
    with pytest.raises(K8sDslError):
        app.synth()


def test_declared_cluster_satisfies_the_references(tmp_path: Path) -> None:
    cluster = Cluster(
        objects=[
            ExistingObject(kind="Service", name="api", namespace="shop"),
            ExistingObject(kind="Secret", name="shop-tls", namespace="shop"),
        ],
        ingress_classes=["traefik"],
        default_ingress_class="traefik",
    )
    app = App(outdir=tmp_path / "dist", cluster=cluster)
    chart = Chart(app, "shop", namespace="shop")
    Ingress(
        chart,
        "ok",
        ingress_class_name="traefik",
        rules=[IngressHostRule.to("api.example.com", IngressBackend.service_name("api", port=80))],
        tls=[IngressTls(hosts=["api.example.com"], secret_name="shop-tls")],
    )
    Ingress(
        chart,
        "default-class",
        rules=[IngressHostRule.to("api.example.com", IngressBackend.service_name("api", port=80))],
    )
    codes = [c for c in app.check().codes() if c.startswith("network/ingress")]
    assert codes == []


# -- rules on YAML through k8sdsl check ----------------------------------------------------

SERVICE = """\
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{name: http, port: 80, targetPort: 8080}]
---
"""


def ingress_yaml(
    *,
    service: str = "web",
    port: str = "{name: http}",
    host: str = "shop.example.com",
    path: str = "/",
    path_type: str = "Prefix",
    tls: str = "[{hosts: [shop.example.com], secretName: shop-tls}]",
    klass: str = "",
    annotations: str = "{}",
) -> str:
    return f"""\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {{name: shop, namespace: shop, annotations: {annotations}}}
spec:
  {klass}
  rules:
    - host: "{host}"
      http:
        paths:
          - path: "{path}"
            pathType: {path_type}
            backend: {{service: {{name: {service}, port: {port}}}}}
  tls: {tls}
"""


def check(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, *flags: str
) -> tuple[int, list[dict[str, Any]]]:
    path = tmp_path / "objects.yaml"
    path.write_text(text)
    code = main(["check", "--format", "json", *flags, str(path)])
    found = json.loads(capsys.readouterr().out)["findings"]
    return code, [f for f in found if f["code"].startswith("network/ingress")]


SECRET = """\
---
apiVersion: v1
kind: Secret
metadata: {name: shop-tls, namespace: shop}
type: kubernetes.io/tls
"""


def test_clean_ingress_yaml(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, found = check(capsys, tmp_path, SERVICE + ingress_yaml() + SECRET)
    assert found == []


def test_missing_backend_yaml(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _, found = check(capsys, tmp_path, SERVICE + ingress_yaml(service="webb") + SECRET)
    (f,) = found
    assert (f["code"], f["severity"]) == ("network/ingress-backend", "warning")
    assert f["hint"] == "did you mean 'web'?"
    assert f["path"] == "spec.rules[0].http.paths[0].backend.service.name"
    code, found = check(
        capsys, tmp_path, SERVICE + ingress_yaml(service="webb") + SECRET, "--complete"
    )
    assert code == 1 and found[0]["severity"] == "error"


def test_wrong_port_yaml(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, found = check(capsys, tmp_path, SERVICE + ingress_yaml(port="{name: htp}") + SECRET)
    assert code == 1
    assert [(f["code"], f["hint"]) for f in found] == [
        ("network/ingress-port", "did you mean 'http'?")
    ]
    _, found = check(capsys, tmp_path, SERVICE + ingress_yaml(port="{number: 8080}") + SECRET)
    assert found[0]["path"] == "spec.rules[0].http.paths[0].backend.service.port.number"
    assert found[0]["hint"] == "8080 is the targetPort of its port 80; use number: 80"


@pytest.mark.parametrize("host", ["Shop.example.com", "10.1.2.3", "a.*.example.com", "x:80"])
def test_bad_host_yaml(capsys: pytest.CaptureFixture[str], tmp_path: Path, host: str) -> None:
    code, found = check(capsys, tmp_path, SERVICE + ingress_yaml(host=host, tls="[]"))
    assert code == 1
    assert [(f["code"], f["path"]) for f in found] == [
        ("network/ingress-host", "spec.rules[0].host")
    ]


def test_path_yaml(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, found = check(capsys, tmp_path, SERVICE + ingress_yaml(path="api", tls="[]"))
    assert code == 1
    assert [(f["code"], f["hint"]) for f in found] == [("network/ingress-path", "write '/api'")]
    _, found = check(
        capsys,
        tmp_path,
        SERVICE + ingress_yaml(path="api", path_type="ImplementationSpecific", tls="[]"),
    )
    assert found == []


def test_tls_host_yaml(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    tls = "[{hosts: [shop.example.org], secretName: shop-tls}]"
    code, found = check(capsys, tmp_path, SERVICE + ingress_yaml(tls=tls) + SECRET)
    assert code == 0
    assert sorted((f["code"], f["path"], f["severity"]) for f in found) == [
        ("network/ingress-tls-host", "spec.rules[0].host", "warning"),
        ("network/ingress-tls-host", "spec.tls[0].hosts[0]", "warning"),
    ]
    wildcard = "[{hosts: ['*.example.com'], secretName: shop-tls}]"
    _, found = check(capsys, tmp_path, SERVICE + ingress_yaml(tls=wildcard) + SECRET)
    assert found == []


def test_tls_secret_yaml(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _, found = check(capsys, tmp_path, SERVICE + ingress_yaml())
    assert [(f["code"], f["severity"]) for f in found] == [
        ("network/ingress-tls-secret", "warning")
    ]
    code, found = check(capsys, tmp_path, SERVICE + ingress_yaml(), "--complete")
    assert code == 1 and found[0]["severity"] == "error"
    certificate = """\
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: shop, namespace: shop}
spec: {secretName: shop-tls, dnsNames: [shop.example.com], issuerRef: {name: le}}
"""
    _, found = check(capsys, tmp_path, SERVICE + ingress_yaml() + certificate, "--complete")
    assert found == []
    shim = ingress_yaml(annotations="{cert-manager.io/cluster-issuer: letsencrypt}")
    _, found = check(capsys, tmp_path, SERVICE + shim, "--complete")
    assert found == []
    external = """\
---
apiVersion: external-secrets.io/v1beta1
kind: ExternalSecret
metadata: {name: shop-tls, namespace: shop}
spec: {}
"""
    _, found = check(capsys, tmp_path, SERVICE + ingress_yaml() + external, "--complete")
    assert found == []


def test_class_yaml(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    nginx = """\
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
"""
    text = SERVICE + ingress_yaml(klass="ingressClassName: ngnix") + SECRET
    # no class known anywhere: not judged
    _, found = check(capsys, tmp_path, text)
    assert found == []
    _, found = check(capsys, tmp_path, text + nginx)
    assert [(f["code"], f["severity"], f["hint"]) for f in found] == [
        ("network/ingress-class", "warning", "did you mean 'nginx'?")
    ]
    cluster = tmp_path / "cluster.yaml"
    cluster.write_text("ingressClasses: [nginx]\n")
    code, found = check(capsys, tmp_path, text, "--cluster", str(cluster))
    assert code == 1 and found[0]["severity"] == "error"
    # no class named and none is the default: no controller takes it
    _, found = check(capsys, tmp_path, SERVICE + ingress_yaml() + SECRET + nginx)
    assert [(f["code"], f["path"]) for f in found] == [("network/ingress-class", "spec")]
    cluster.write_text("ingressClasses: [nginx]\ndefaultIngressClass: nginx\n")
    _, found = check(capsys, tmp_path, SERVICE + ingress_yaml() + SECRET, "--cluster", str(cluster))
    assert found == []
    legacy = ingress_yaml(annotations="{kubernetes.io/ingress.class: nginx}")
    _, found = check(capsys, tmp_path, SERVICE + legacy + SECRET + nginx)
    assert found == []


def test_malformed_ingress_yaml_never_crashes_a_rule(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: odd, namespace: shop, annotations: {kubernetes.io/ingress.class: [x]}}
spec:
  ingressClassName: {a: b}
  defaultBackend: {service: {name: [web], port: {name: 3}}}
  rules:
    - host: 7
      http: {paths: [x, {path: 5, pathType: Prefix, backend: {service: {name: web, port: 80}}}]}
    - http: []
  tls: [{hosts: x, secretName: [1]}, 3, {hosts: [3, shop.example.com]}]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx, annotations: []}
spec: {controller: 4}
"""
    path = tmp_path / "odd.yaml"
    path.write_text(SERVICE + text)
    main(["check", "--format", "json", str(path)])
    found = json.loads(capsys.readouterr().out)["findings"]
    codes = {f["code"] for f in found}
    assert "internal/rule-failed" not in codes
    assert "network/ingress-host" in codes  # host 7 is not a string
    assert "network/ingress-path" in codes  # path 5 is not absolute


def test_a_backend_in_another_namespace_is_missing(app: App) -> None:
    other = Chart(app, "other", namespace="other")
    svc = web_and_service(other)
    chart = Chart(app, "shop", namespace="shop")
    Ingress(chart, "shop", default_backend=IngressBackend.service(svc, port="http"))
    found = [f for f in app.check().findings if f.code == "network/ingress-backend"]
    assert [(f.severity, f.path) for f in found] == [("error", "spec.defaultBackend.service.name")]
    assert "not in shop" in found[0].message


def test_the_value_and_the_rule_say_the_same(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with pytest.raises(K8sDslError) as info:
        IngressHostRule.to("shop.example.com:8443", _backend())
    _, found = check(
        capsys, tmp_path, SERVICE + ingress_yaml(host="shop.example.com:8443", tls="[]")
    )
    (finding,) = info.value.findings
    assert finding.message.startswith(found[0]["message"])
    assert (
        finding.hint
        == found[0]["hint"]
        == "write 'shop.example.com': the controller's listener decides the port"
    )


def test_tls_for_every_rule_host(chart: Chart) -> None:
    backend = _backend()
    rules = [
        IngressHostRule.to("shop.example.com", backend),
        IngressHostRule.to("api.example.com", backend),
        IngressHostRule.to("shop.example.com", backend),
        IngressHostRule.to(None, backend),
    ]
    tls = IngressTls.for_rules(rules, secret_name="shop-tls")
    assert tls.to_k8s() == {
        "hosts": ["shop.example.com", "api.example.com"],
        "secretName": "shop-tls",
    }
    ingress = Ingress(chart, "all-tls", rules=rules, tls=[tls])
    assert check_codes(ingress) == []
    with pytest.raises(K8sDslError) as info:
        IngressTls.for_rules([IngressHostRule.to(None, backend)], secret_name="t")
    assert info.value.codes == ["value/ingress-tls-hosts"]


def check_codes(ingress: Ingress) -> list[str]:
    from ..conftest import check_objects

    report = check_objects([ingress], only=["network/ingress-tls-host"])
    return [f.code for f in report.findings]


def test_host_and_path_rules_catch_an_escape_hatch_patch(app: App) -> None:
    """Values refuse a bad host or path; a cdk8s JSON patch gets past them, not past synth."""
    import cdk8s

    chart = Chart(app, "shop", namespace="shop")
    svc = web_and_service(chart)
    ingress = Ingress(
        chart,
        "shop",
        rules=[IngressHostRule.to("shop.example.com", IngressBackend.service(svc, port="http"))],
    )
    ingress.api_object.add_json_patch(cdk8s.JsonPatch.replace("/spec/rules/0/host", "10.0.0.1"))
    ingress.api_object.add_json_patch(
        cdk8s.JsonPatch.replace("/spec/rules/0/http/paths/0/path", "api")
    )
    with pytest.raises(K8sDslError) as info:
        app.synth()
    codes = {f.code: f.path for f in info.value.findings if f.code.startswith("network/")}
    assert codes == {
        "network/ingress-host": "spec.rules[0].host",
        "network/ingress-path": "spec.rules[0].http.paths[0].path",
    }


# -- resource backends --------------------------------------------------------------------------


def test_resource_backend_golden(chart: Chart, yaml_snapshot: Any) -> None:
    svc = web_and_service(chart)
    bucket = IngressBackend.resource(
        api_group="k8s.example.com", kind="StorageBucket", name="static-assets"
    )
    ingress = Ingress(
        chart,
        "assets",
        ingress_class_name="nginx",
        default_backend=IngressBackend.service(svc, port="http"),
        rules=[
            IngressHostRule(
                host="shop.example.com",
                paths=[IngressPath.prefix("/static", bucket)],
            )
        ],
    )
    assert ingress.to_k8s() == yaml_snapshot
    assert ingress.to_k8s()["spec"]["rules"][0]["http"]["paths"][0]["backend"] == {
        "resource": {
            "apiGroup": "k8s.example.com",
            "kind": "StorageBucket",
            "name": "static-assets",
        }
    }
    assert bucket.service_ref is None
    assert_schema_valid([ingress], ["1.28", "1.37"])
    report = check_objects([svc, ingress], settings={"complete": True})
    assert [f.code for f in report.findings if f.code.startswith("network/ingress")] == []


def test_a_backend_is_a_service_or_a_resource_exactly_one() -> None:
    with pytest.raises(K8sDslError) as info:
        IngressBackend()
    assert info.value.codes == ["value/ingress-backend"]
    with pytest.raises(K8sDslError) as info:
        IngressBackend(
            backend_service={"name": "web", "port": {"number": 80}},  # type: ignore[arg-type]
            backend_resource={"kind": "StorageBucket", "name": "b"},  # type: ignore[arg-type]
        )
    assert info.value.codes == ["value/ingress-backend"]


RESOURCE_BACKEND = "{resource: {apiGroup: k8s.example.com, kind: StorageBucket, name: static}}"


@pytest.mark.parametrize("version", ["1.28", "1.37"])
def test_resource_backend_yaml(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, version: str
) -> None:
    clean = SERVICE + ingress_yaml() + SECRET
    text = clean.replace(
        "backend: {service: {name: web, port: {name: http}}}", f"backend: {RESOURCE_BACKEND}"
    )
    assert text != clean
    # no Service named: the Service rules skip it, even with --complete
    code, found = check(capsys, tmp_path, text, "--complete", "--k8s-version", version)
    assert (code, found) == (0, [])
    both = text.replace(
        "backend: {resource:", "backend: {service: {name: web, port: {number: 80}}, resource:"
    )
    code, found = check(capsys, tmp_path, both, "--k8s-version", version)
    assert code == 1
    assert [(f["code"], f["path"]) for f in found] == [
        ("network/ingress-backend-source", "spec.rules[0].http.paths[0].backend")
    ]
    neither = text.replace(f"backend: {RESOURCE_BACKEND}", "backend: {}")
    code, found = check(capsys, tmp_path, neither, "--k8s-version", version)
    assert [(f["code"], f["severity"]) for f in found] == [
        ("network/ingress-backend-source", "error")
    ]
