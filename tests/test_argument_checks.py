"""The reproducers of issue 11: every public constructor and factory checks its arguments
into findings (code, path, hint), in any user's code, not only under ``python -m apps``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from k8sdsl import App, Chart, ConfigMap, K8sDslError, PersistentVolumeClaim
from k8sdsl.network import DefaultDenyPolicy, PolicyType
from k8sdsl.storage import PersistentVolume
from k8sdsl.workloads import (
    ContainerPort,
    Deployment,
    SecurePod,
    SecurePodTemplate,
    Service,
    ServicePort,
)

IMAGE = "registry.example.com/team/app:1.0"


@pytest.fixture
def chart(app: App) -> Chart:
    return Chart(app, "c", namespace="ns")


def findings(call: Any) -> list[tuple[str, str, str]]:
    with pytest.raises(K8sDslError) as info:
        call()
    return [(f.code, f.path, f.hint) for f in info.value.findings]


def codes_and_paths(call: Any) -> list[tuple[str, str]]:
    return [(c, p) for c, p, _ in findings(call)]


def test_a_label_value_of_none(chart: Chart) -> None:
    assert codes_and_paths(lambda: ConfigMap(chart, "x", labels={"app": None})) == [  # type: ignore[dict-item]
        ("construct/argument-type", "labels")
    ]


def test_data_as_a_list(chart: Chart) -> None:
    assert codes_and_paths(lambda: ConfigMap(chart, "x", data=["a"])) == [  # type: ignore[arg-type]
        ("construct/argument-type", "data")
    ]


def test_a_string_as_the_scope() -> None:
    [(code, path, hint)] = findings(lambda: ConfigMap("chart", "x"))  # type: ignore[arg-type]
    assert (code, path) == ("construct/scope", "scope")
    assert "chart" in hint


def test_a_resource_directly_under_the_app(app: App) -> None:
    [(code, path, hint)] = findings(lambda: ConfigMap(app, "x"))
    assert (code, path) == ("construct/outside-chart", "scope")
    assert "Chart(app" in hint
    assert app.node.children == []  # nothing half-made is left in the tree


def test_storage_class_as_a_number(chart: Chart) -> None:
    assert codes_and_paths(
        lambda: PersistentVolumeClaim(
            chart,
            "p",
            storage="1Gi",
            access_modes=["ReadWriteOnce"],
            storage_class=5,  # type: ignore[list-item, arg-type]
        )
    ) == [("construct/argument-type", "storage_class")]


def test_service_ports_none(chart: Chart) -> None:
    assert codes_and_paths(lambda: Service(chart, "s", selector={}, ports=None)) == [  # type: ignore[arg-type]
        ("construct/argument-type", "ports")
    ]


@pytest.mark.parametrize("factory", [ContainerPort.tcp, ServicePort.tcp])
def test_a_bool_is_not_a_port(factory: Any) -> None:
    [(code, path, hint)] = findings(lambda: factory(True))
    assert (code, path) == ("construct/argument-type", "port")
    assert "bool" in hint


def test_replicas_true(chart: Chart) -> None:
    assert codes_and_paths(
        lambda: Deployment(chart, "d", template=SecurePodTemplate(image=IMAGE), replicas=True)
    ) == [("construct/argument-type", "replicas")]


def test_outdir_that_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("keep me")
    assert codes_and_paths(lambda: App(outdir=target)) == [("synth/outdir-not-a-folder", "outdir")]
    assert target.read_text() == "keep me"


def test_allowed_registries_as_one_string() -> None:
    [(code, path, hint)] = findings(lambda: App(allowed_registries="registry.example.com"))
    assert (code, path) == ("construct/argument-type", "allowed_registries")
    assert hint == "wrap a single value in a list: allowed_registries=['registry.example.com']"


@pytest.mark.parametrize(
    "registry",
    ["http://bad reg/", "https://registry.example.com", "Registry.Example.com", "reg.io/"],
)
def test_a_malformed_registry(registry: str) -> None:
    [(code, path, hint)] = findings(lambda: App(allowed_registries=[registry]))
    assert (code, path) == ("value/registry", "allowed_registries[0]")
    assert hint


@pytest.mark.parametrize(
    "registry", ["registry.example.com", "localhost:5000", "docker.io/library", "ghcr.io/a/b"]
)
def test_good_registries(registry: str) -> None:
    assert App(allowed_registries=[registry]).allowed_registries == (registry,)


def test_a_cluster_domain_with_an_empty_part() -> None:
    assert findings(lambda: App(cluster_domain="Cluster..Local")) == [
        ("value/dns-subdomain", "cluster_domain", "use 'cluster.local'")
    ]


def test_k8s_version_as_a_float() -> None:
    [(code, path, hint)] = findings(lambda: App(k8s_version=1.30))  # type: ignore[arg-type]
    assert (code, path) == ("construct/argument-type", "k8s_version")
    assert "1.3" in hint


def test_securepod_names_the_typo(chart: Chart) -> None:
    assert findings(lambda: SecurePod(chart, "p", imagee=IMAGE)) == [
        ("construct/unknown-argument", "imagee", "did you mean 'image'?")
    ]


def test_securepod_suggests_a_shorthand_argument(chart: Chart) -> None:
    assert findings(lambda: SecurePod(chart, "p", image=IMAGE, comand=["x"])) == [
        ("construct/unknown-argument", "comand", "did you mean 'command'?")
    ]


def test_an_unknown_argument_is_still_a_type_error(chart: Chart) -> None:
    with pytest.raises(TypeError):
        ConfigMap(chart, "x", dta={})  # type: ignore[call-arg]


def test_deployment_templat_outside_the_apps_package(chart: Chart) -> None:
    assert ("construct/unknown-argument", "templat", "did you mean 'template'?") in findings(
        lambda: Deployment(chart, "d", templat=SecurePodTemplate(image=IMAGE))  # type: ignore[call-arg]
    )


def test_the_finding_names_the_calling_line(chart: Chart) -> None:
    with pytest.raises(K8sDslError) as info:
        ConfigMap(chart, "x", dta={})  # type: ignore[call-arg]
    assert info.value.findings[0].obj.source.startswith(__file__ + ":")
    assert info.value.findings[0].obj.name == "c/x"


@pytest.mark.parametrize("spelling", ["Ingress", "ingress", "INGRESS"])
def test_default_deny_takes_the_kubernetes_spelling(chart: Chart, spelling: str) -> None:
    policy = DefaultDenyPolicy(chart, f"deny-{spelling.lower()}{len(spelling)}", direction=spelling)
    assert policy.to_k8s()["spec"]["policyTypes"] == [PolicyType.INGRESS.value]


def test_default_deny_with_an_unknown_direction(chart: Chart) -> None:
    [(code, path, hint)] = findings(lambda: DefaultDenyPolicy(chart, "d", direction="up"))
    assert (code, path) == ("value/enum", "direction")
    assert "Ingress" in hint


def test_a_namespace_for_a_cluster_scoped_factory(chart: Chart) -> None:
    assert codes_and_paths(
        lambda: PersistentVolume.nfs(
            chart,
            "pv",
            server="a",
            path="/x",
            capacity="1Gi",
            namespace="apps",  # type: ignore[call-arg]
        )
    ) == [("metadata/cluster-scoped", "metadata.namespace")]


def test_mypy_sees_a_misspelt_pod_argument(tmp_path: Path) -> None:
    from mypy import api

    source = tmp_path / "typo.py"
    source.write_text(
        "from k8sdsl import App, Chart\n"
        "from k8sdsl.workloads import Pod, SecurePod, SecurePodTemplate\n"
        "chart = Chart(App(), 'c')\n"
        "SecurePod(chart, 'p', image='a/b:1', comand=['x'])\n"
        "SecurePodTemplate(imagee='a/b:1')\n"
        "Pod(chart, 'r', containerz=[])\n"
        "SecurePod(chart, 'ok', image='a/b:1', command=['x'], ports=[8080])\n"
    )
    out, _, status = api.run(["--strict", "--no-error-summary", str(source)])
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert status == 1
    assert [line.split(":")[1] for line in errors] == ["4", "5", "6"]
    assert 'did you mean "command"?' in errors[0]


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"annotations": {"a": None}}, "annotations"),
        ({"replicas": 1.5}, "replicas"),
        ({"min_ready_seconds": float("nan")}, "min_ready_seconds"),
        ({"name": b"web"}, "name"),
    ],
)
def test_wrong_successes_of_the_type_fuzz(chart: Chart, kwargs: dict[str, Any], path: str) -> None:
    template = SecurePodTemplate(image=IMAGE)
    assert codes_and_paths(lambda: Deployment(chart, "d", template=template, **kwargs)) == [
        ("construct/argument-type", path)
    ]


def test_a_bool_setting_takes_only_a_bool(chart: Chart) -> None:
    from k8sdsl.network import DatabaseAccessPolicy

    assert codes_and_paths(lambda: DatabaseAccessPolicy(chart, "db", allow_dns="no")) == [  # type: ignore[arg-type]
        ("construct/argument-type", "allow_dns")
    ]


@pytest.mark.parametrize(
    ("registry", "hint"),
    [
        ("https://Registry.example.com/", "use 'registry.example.com'"),
        (
            "http://bad reg/",
            "for example 'registry.example.com' or 'registry.example.com:5000/team'",
        ),
    ],
)
def test_the_registry_hint(registry: str, hint: str) -> None:
    assert findings(lambda: App(allowed_registries=[registry])) == [
        ("value/registry", "allowed_registries[0]", hint)
    ]


# -- ordinary methods are checked like constructors --------------------------------------------


def test_methods_check_their_arguments(chart: Chart) -> None:
    from k8sdsl.security import ServiceAccount
    from k8sdsl.volumes import Volume

    cache = Volume.empty_dir("cache")
    assert codes_and_paths(lambda: cache.mount(5)) == [  # type: ignore[arg-type]
        ("construct/argument-type", "mount_path")
    ]
    assert findings(lambda: cache.mount("/cache", read_onyl=True)) == [  # type: ignore[call-arg]
        ("construct/unknown-argument", "read_onyl", "did you mean 'read_only'?")
    ]
    web = Deployment(chart, "web", template=SecurePodTemplate(image=IMAGE))
    assert codes_and_paths(lambda: web.expose(port=True)) == [("construct/argument-type", "port")]
    account = ServiceAccount(chart, "api")
    assert codes_and_paths(lambda: account.grant(read="configmaps")) == [  # type: ignore[arg-type]
        ("construct/argument-type", "read")
    ]


def test_a_misspelt_argument_is_not_also_reported_missing() -> None:
    from k8sdsl.volumes import Volume

    # 'mount_pat' names mount_path, which is then missing: one finding, not two
    assert findings(lambda: Volume.empty_dir("c").mount(mount_pat="/c")) == [  # type: ignore[call-arg]
        ("construct/unknown-argument", "mount_pat", "did you mean 'mount_path'?")
    ]


def test_probe_port_error_names_the_container_and_port() -> None:
    from pydantic import ValidationError

    from k8sdsl.workloads import Container, HttpGetAction, Probe

    with pytest.raises((ValidationError, K8sDslError)) as caught:
        SecurePodTemplate(
            containers=[
                Container(
                    name="web",
                    image=IMAGE,
                    readiness_probe=Probe(http_get=HttpGetAction(path="/", port="http")),
                )
            ]
        )
    text = str(caught.value)
    assert "container 'web': readiness_probe uses port 'http'" in text
    assert "{name" not in text


def test_custom_error_templates_use_plain_fields() -> None:
    """pydantic fills ``{field}`` only: ``{field!r}`` or ``{field:spec}`` would reach the user
    as written, braces and all."""
    import ast
    import re

    bad = []
    for path in sorted((Path(__file__).parent.parent / "k8sdsl").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            template = node.args[1]
            if (
                name == "PydanticCustomError"
                and isinstance(template, ast.Constant)
                and isinstance(template.value, str)
                and re.search(r"\{[^}]*[!:][^}]*\}", template.value)
            ):
                bad.append(f"{path}:{node.lineno}: {template.value}")
    assert bad == []
