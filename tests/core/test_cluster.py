"""The declared cluster: a typed value, from Python or from a YAML file."""

from pathlib import Path

import pytest

from k8sdsl import App, Cluster, ExistingObject, K8sDslError
from k8sdsl.core import ClusterNetwork
from k8sdsl.rules._registry import RuleContext


def test_defaults_are_kubeadms_cluster_with_nothing_installed() -> None:
    cluster = Cluster()
    assert cluster.cluster_domain == "cluster.local"
    assert cluster.network.service_cidrs == ("10.96.0.0/12",)
    assert cluster.network.pod_cidrs == ("10.244.0.0/16",)
    assert cluster.storage_classes == () and cluster.csi_drivers == () and cluster.objects == ()
    assert cluster.allowed_registries is None and cluster.cni is None


def test_existing_objects_are_found_by_kind_name_and_namespace() -> None:
    cluster = Cluster(objects=[ExistingObject(kind="Secret", name="db", namespace="shop")])
    assert cluster.has_object("Secret", "db", "shop")
    assert not cluster.has_object("Secret", "db", "other")
    assert not cluster.has_object("ConfigMap", "db", "shop")


def test_a_file_takes_camel_case_keys_and_an_optional_kind_header(tmp_path: Path) -> None:
    path = tmp_path / "cluster.yaml"
    path.write_text(
        "kind: Cluster\n"
        "storageClasses: [gp3]\n"
        "defaultStorageClass: gp3\n"
        "csiDrivers: [ebs.csi.aws.com]\n"
        "network: {podCidrs: [10.0.0.0/16], nodeCidrMaskSizeIpv4: 26}\n"
        "objects: [{kind: Secret, name: db, namespace: shop}]\n"
    )
    cluster = Cluster.from_file(path)
    assert cluster.has_storage_class("gp3")
    assert cluster.csi_drivers == ("ebs.csi.aws.com",)
    expected = ClusterNetwork(pod_cidrs=("10.0.0.0/16",), node_cidr_mask_size_ipv4=26)
    assert cluster.network == expected
    assert cluster.has_object("Secret", "db", "shop")


def test_a_bad_file_names_the_file_and_the_field(tmp_path: Path) -> None:
    path = tmp_path / "cluster.yaml"
    path.write_text("storageClass: [gp3]\n")
    with pytest.raises(K8sDslError) as err:
        Cluster.from_file(path)
    (finding,) = err.value.findings
    assert finding.obj.source == str(path)
    assert finding.code == "value/extra-forbidden"
    assert "storage_classes" in finding.hint


@pytest.mark.parametrize("text", ["- a\n- b\n", "a: [\n"])
def test_a_file_that_is_not_a_mapping_is_a_finding(tmp_path: Path, text: str) -> None:
    path = tmp_path / "cluster.yaml"
    path.write_text(text)
    with pytest.raises(K8sDslError) as err:
        Cluster.from_file(path)
    assert err.value.findings[0].code in {"cluster/not-a-mapping", "cluster/unreadable"}


def test_one_string_is_not_a_list_of_classes() -> None:
    with pytest.raises(K8sDslError) as err:
        Cluster(storage_classes="gp3")  # type: ignore[arg-type]
    assert err.value.findings[0].path == "storage_classes"


def test_app_passes_the_cluster_to_rules_and_shorthands_override_it() -> None:
    app = App(cluster=Cluster(storage_classes=("gp3",)), cluster_domain="corp.example")
    assert app.cluster.storage_classes == ("gp3",)
    assert app.cluster.cluster_domain == "corp.example"
    ctx = RuleContext([], app.settings())
    assert ctx.cluster is app.cluster
    assert RuleContext([], {}).cluster == Cluster()
