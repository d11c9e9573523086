"""Metadata the API server refuses is found in YAML as in Python, with the same code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from k8sdsl import App, Chart, ConfigMap, K8sDslError, Namespace, Service
from k8sdsl.cli import main

NOTES = Path(__file__).parent / "fixtures" / "notes"


def check_yaml(capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str) -> list[Any]:
    path = tmp_path / "objects.yaml"
    path.write_text(text)
    main(["check", "--format", "json", str(path)])
    return [f for f in json.loads(capsys.readouterr().out)["findings"] if f["severity"] == "error"]


def configmap(meta: str) -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata: {meta}\ndata: {{a: b}}\n"


CASES = [
    ("{name: Bad_Name}", "metadata/dns-subdomain", "metadata.name", "use 'bad-name'"),
    ("{name: ok, namespace: Apps}", "metadata/dns-label", "metadata.namespace", "use 'apps'"),
    (
        "{name: ok, labels: {'bad key!': x}}",
        "metadata/label-key",
        "metadata.labels['bad key!']",
        "",
    ),
    (
        "{name: ok, labels: {app: 'no spaces'}}",
        "metadata/label-value",
        "metadata.labels['app']",
        "",
    ),
    (
        "{name: ok, annotations: {'a b': x}}",
        "metadata/label-key",
        "metadata.annotations['a b']",
        "",
    ),
]


@pytest.mark.parametrize(("meta", "code", "path", "hint"), CASES)
def test_yaml_metadata(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, meta: str, code: str, path: str, hint: str
) -> None:
    (found,) = check_yaml(capsys, tmp_path, configmap(meta))
    assert (found["code"], found["path"]) == (code, path)
    if hint:
        assert found["hint"] == hint


@pytest.mark.parametrize(("meta", "code", "path", "hint"), CASES)
def test_python_gives_the_same_code_and_path(meta: str, code: str, path: str, hint: str) -> None:
    import yaml

    data = yaml.safe_load(meta)
    chart = Chart(App(), "c")
    with pytest.raises(K8sDslError) as err:
        ConfigMap(
            chart,
            "x",
            name=data["name"],
            namespace=data.get("namespace"),
            labels=data.get("labels"),
            annotations=data.get("annotations"),
            data={"a": "b"},
        )
    (found,) = err.value.findings
    assert (found.code, found.path) == (code, path)
    if hint:
        assert found.hint == hint


def test_services_and_namespaces_are_dns_labels(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = (
        "apiVersion: v1\nkind: Service\nmetadata: {name: web.front}\nspec: {ports: [{port: 80}]}\n"
        "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: team.a}\n"
        "---\n" + configmap("{name: settings.v1}")  # a ConfigMap may have dots
    )
    found = check_yaml(capsys, tmp_path, text)
    assert [(f["obj"]["kind"], f["code"]) for f in found] == [
        ("Service", "metadata/dns-label"),
        ("Namespace", "metadata/dns-label"),
    ]
    with pytest.raises(K8sDslError) as err:
        Service(Chart(App(), "c"), "s", name="web.front", selector={"a": "b"}, ports=[80])
    assert err.value.findings[0].code == "metadata/dns-label"
    with pytest.raises(K8sDslError):
        Namespace(Chart(App(), "c"), "team.a")


def test_a_namespace_on_a_cluster_scoped_kind(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv, namespace: apps}\n"
    text += "spec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /d}}\n"
    codes = {f["code"] for f in check_yaml(capsys, tmp_path, text)}
    assert "metadata/cluster-scoped" in codes


def test_the_notes_pod_name_is_found_in_yaml(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: Security-context.pod}\n"
        "spec: {containers: [{name: c, image: busybox:1.36.1}]}\n"
    )
    (found,) = [f for f in check_yaml(capsys, tmp_path, text) if f["code"].startswith("metadata/")]
    assert found["code"] == "metadata/dns-subdomain"
    assert found["hint"] == "use 'security-context.pod'"


def test_configmap_keys_and_size_in_yaml(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n"
    (found,) = check_yaml(capsys, tmp_path, text + "data: {log level: info}\n")
    assert (found["code"], found["path"]) == ("configmap/key", "data['log level']")
    with pytest.raises(K8sDslError) as err:
        ConfigMap(Chart(App(), "c"), "settings", data={"log level": "info"})
    assert [(f.code, f.path) for f in err.value.findings] == [
        ("configmap/key", "data['log level']")
    ]
    big = "x" * (10 * 1024 * 1024)
    (found,) = check_yaml(capsys, tmp_path, text + f"data: {{big: {big}}}\n")
    assert found["code"] == "configmap/too-large"
    assert "10,485,760 bytes" in found["message"]


def test_secret_keys_in_yaml(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {'db password': x}\n"
    (found,) = check_yaml(capsys, tmp_path, text)
    assert (found["code"], found["path"]) == ("secret/key", "stringData['db password']")


def test_a_text_that_passed_one_check_is_still_held_to_the_others(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Texts that passed are remembered per check: 'Web' is a good label value but not a
    name, and '1web' is a good ConfigMap name but not a Service's (DNS-1035), whatever was
    checked before them, and however often the file is checked."""
    text = (
        configmap("{name: 1web, labels: {app: Web}}")
        + "---\n"
        + configmap("{name: Web}")
        + "---\napiVersion: v1\nkind: Service\nmetadata: {name: 1web}\n"
        + "spec: {ports: [{port: 80}]}\n"
    )
    for _ in range(2):
        found = {
            (f["code"], f["obj"]["kind"], f["path"]) for f in check_yaml(capsys, tmp_path, text)
        }
        assert ("metadata/dns-subdomain", "ConfigMap", "metadata.name") in found
        assert ("metadata/dns-1035-label", "Service", "metadata.name") in found
        assert not any(kind == "ConfigMap" and "labels" in path for _, kind, path in found)
