"""The CNI plugin catalog and what it means for an app's NetworkPolicies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from k8sdsl import App, Chart, Cluster
from k8sdsl.cli import main
from k8sdsl.network import (
    CNI_CATALOG,
    CniSupport,
    NetworkPolicy,
    cni_plugin,
    infer_cni_plugin,
)

FIXTURES = Path(__file__).parent / "fixtures" / "cni"

POLICY = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: default}
spec:
  podSelector: {}
  policyTypes: [Ingress]
"""


def test_the_catalog_has_the_notes_plugins_each_with_a_source() -> None:
    assert [p.title for p in CNI_CATALOG] == [
        "Flannel",
        "Calico",
        "Cilium",
        "Weave Net",
        "Canal",
        "Kube-router",
        "Antrea",
        "Multus",
        "OVN-Kubernetes",
        "kindnet",
        "Amazon VPC CNI",
        "Azure CNI",
    ]
    for info in CNI_CATALOG:
        assert info.source.startswith("https://"), info.name
        assert info.notes, info.name
    names = [n for info in CNI_CATALOG for n in (info.name, *info.aliases)]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    ("name", "policy", "encryption", "ipv6"),
    [
        ("flannel", CniSupport.NO, CniSupport.YES, CniSupport.YES),
        ("calico", CniSupport.YES, CniSupport.YES, CniSupport.YES),
        ("cilium", CniSupport.YES, CniSupport.YES, CniSupport.YES),
        ("weave", CniSupport.YES, CniSupport.YES, CniSupport.NO),
        ("canal", CniSupport.YES, CniSupport.NO, CniSupport.NO),
        ("multus", CniSupport.DELEGATED, CniSupport.DELEGATED, CniSupport.DELEGATED),
        ("aws-vpc-cni", CniSupport.WHEN_ENABLED, CniSupport.NO, CniSupport.YES),
    ],
)
def test_what_each_plugin_supports(
    name: str, policy: CniSupport, encryption: CniSupport, ipv6: CniSupport
) -> None:
    info = cni_plugin(name)
    assert info is not None
    assert (info.network_policy, info.encryption, info.ipv6) == (policy, encryption, ipv6)


@pytest.mark.parametrize(
    ("given", "name"),
    [
        ("Flannel", "flannel"),
        ("Weave Net", "weave"),
        ("AWS_VPC_CNI", "aws-vpc-cni"),
        ("ovn", "ovn-kubernetes"),
    ],
)
def test_plugins_are_found_by_any_spelling(given: str, name: str) -> None:
    info = cni_plugin(given)
    assert info is not None and info.name == name
    assert cni_plugin("flanel") is None


def test_flannel_alone_is_inferred_and_with_calico_it_is_canal() -> None:
    flannel = ["ghcr.io/flannel-io/flannel:v0.26.4"]
    inferred = infer_cni_plugin(flannel)
    assert inferred is not None and inferred.name == "flannel"
    canal = infer_cni_plugin([*flannel, "docker.io/calico/node:v3.29.0"])
    assert canal is not None and canal.name == "canal"
    assert infer_cni_plugin([*flannel, "docker.io/cloudnativelabs/kube-router:v2.4"]) is None
    assert infer_cni_plugin(["quay.io/cilium/cilium:v1.16"]) is None


# --- the rule, on YAML --------------------------------------------------------------------


def check(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, *files: Path, cluster: str | None = None
) -> list[dict[str, Any]]:
    args = ["check", "--format", "json", *map(str, files)]
    if cluster is not None:
        file = tmp_path / "cluster.yaml"
        file.write_text(cluster)
        args[1:1] = ["--cluster", str(file)]
    main(args)
    out, err = capsys.readouterr()
    assert not json.loads(out)["unreadable"], err
    return [f for f in json.loads(out)["findings"] if f["code"] != "yaml/not-kubernetes"]


@pytest.fixture
def policy(tmp_path: Path) -> Path:
    file = tmp_path / "policy.yaml"
    file.write_text(POLICY)
    return file


def test_a_policy_on_a_declared_flannel_cluster(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, policy: Path
) -> None:
    found = check(capsys, tmp_path, policy, cluster="cni: flannel\n")
    assert [(f["code"], f["severity"], f["path"], f["obj"]["name"]) for f in found] == [
        ("network/policy-not-enforced", "warning", "spec", "default-deny")
    ]
    assert found[0]["message"].startswith(
        "Flannel (the declared cluster's plugin) does not enforce NetworkPolicy"
    )
    assert "flannel-io/flannel" in found[0]["hint"]


@pytest.mark.parametrize("cni", ["calico", "cilium", "canal", "kindnet"])
def test_a_policy_on_a_plugin_that_enforces_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, policy: Path, cni: str
) -> None:
    assert check(capsys, tmp_path, policy, cluster=f"cni: {cni}\n") == []


@pytest.mark.parametrize(
    ("cni", "words"),
    [
        ("aws-vpc-cni", "when its policy support is enabled"),
        ("multus", "through another component"),
    ],
)
def test_a_policy_on_a_plugin_that_may_enforce_it_is_a_note(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, policy: Path, cni: str, words: str
) -> None:
    (found,) = check(capsys, tmp_path, policy, cluster=f"cni: {cni}\n")
    assert (found["code"], found["severity"]) == ("network/policy-not-enforced", "info")
    assert words in found["message"]


def test_the_plugin_is_inferred_from_a_kube_flannel_daemonset(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, policy: Path
) -> None:
    found = check(capsys, tmp_path, FIXTURES / "kube-flannel-ds.yaml", policy)
    not_enforced = [f for f in found if f["code"] == "network/policy-not-enforced"]
    assert [(f["severity"], f["obj"]["name"]) for f in not_enforced] == [
        ("warning", "default-deny")
    ]
    assert "Flannel (the plugin its DaemonSet shows)" in not_enforced[0]["message"]
    # a declared plugin wins over the inference
    found = check(
        capsys, tmp_path, FIXTURES / "kube-flannel-ds.yaml", policy, cluster="cni: canal\n"
    )
    assert [f for f in found if f["code"] == "network/policy-not-enforced"] == []


def test_no_policy_no_warning(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    found = check(capsys, tmp_path, FIXTURES / "kube-flannel-ds.yaml", cluster="cni: flannel\n")
    assert [f for f in found if f["code"] == "network/policy-not-enforced"] == []


def test_an_unknown_declared_plugin(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, policy: Path
) -> None:
    found = check(capsys, tmp_path, policy, cluster="cni: flanel\n")
    assert [(f["code"], f["severity"], f["path"], f["hint"]) for f in found] == [
        ("cni/unknown-plugin", "warning", "cni", "did you mean 'flannel'?")
    ]


# --- on constructs ------------------------------------------------------------------------


def test_an_app_with_policies_for_a_flannel_cluster_warns(tmp_path: Path) -> None:
    app = App(outdir=tmp_path, cluster=Cluster(cni="flannel"))
    chart = Chart(app, "apps", namespace="default")
    NetworkPolicy(chart, "deny", pod_selector={}, ingress=[])
    report = app.synth()
    assert [(f.code, f.obj.kind) for f in report.findings] == [
        ("network/policy-not-enforced", "NetworkPolicy")
    ]


def test_calico_resources_beside_flannel_make_it_canal() -> None:
    flannel = ["ghcr.io/flannel-io/flannel:v0.26.4"]
    canal = infer_cni_plugin(flannel, calico_resources=True)
    assert canal is not None and canal.name == "canal"
    assert infer_cni_plugin([], calico_resources=True) is None
