"""The three-tier shop (apps/shop.py): clean under every rule for every supported version,
and its NetworkPolicies let exactly the intended paths through."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apps import shop
from k8sdsl import App
from k8sdsl.cli import main
from k8sdsl.core import SUPPORTED_VERSIONS, Severity

DIST = Path(__file__).resolve().parent.parent / "dist" / "shop.k8s.yaml"


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_the_shop_is_clean_for_every_supported_version(version: str, tmp_path: Path) -> None:
    app = App(outdir=tmp_path / "dist", k8s_version=version, cluster=shop.CLUSTER)
    shop.build(app)
    report = app.check()  # strict schema of the version, every rule, the whole app
    assert [f for f in report.findings if f.severity is not Severity.INFO] == []


def test_the_shop_has_every_part(tmp_path: Path) -> None:
    app = App(outdir=tmp_path / "dist", cluster=shop.CLUSTER)
    shop.build(app)
    kinds = sorted({m.kind for chart in app.charts for m in chart.manifests()})
    assert kinds == [
        "CronJob", "Deployment", "ExternalSecret", "HorizontalPodAutoscaler", "Ingress",
        "Namespace", "NetworkPolicy", "PodDisruptionBudget", "Service", "ServiceAccount",
        "StatefulSet",
    ]  # fmt: skip


def test_only_the_intended_paths_are_open(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "network", "--format", "json", str(DIST)]) == 0
    connections = json.loads(capsys.readouterr().out)["connections"]
    open_paths = {(c["from"], c["to"], c["ports"]) for c in connections if c["ports"] != "none"}
    assert open_paths == {
        ("shop/web", "shop/api", "TCP 8080"),
        ("shop/api", "shop/postgres", "TCP 5432"),
        ("shop/backup", "shop/postgres", "TCP 5432"),
        ("shop/postgres", "shop/postgres", "TCP 5432"),  # streaming replication
    }


def test_no_secret_value_is_in_the_output() -> None:
    text = DIST.read_text()
    assert "kind: Secret\n" not in text
    assert "secretName: shop-db" in text  # mounted from the Secret the ExternalSecret makes
    assert "kind: ExternalSecret" in text and "name: platform-vault" in text


def test_a_misspelt_store_or_key_is_caught(tmp_path: Path) -> None:
    from k8sdsl import Cluster, ExistingObject

    # without the platform's store declared, the ExternalSecret's Secret is never made
    tls_only = Cluster(
        objects=[ExistingObject(kind="Secret", name="shop-tls", namespace="shop")],
        ingress_classes=["nginx"],
        default_storage_class="standard",
    )
    app = App(outdir=tmp_path / "dist", cluster=tls_only)
    shop.build(app)
    report = app.check()
    errors = [(f.code, f.obj.kind) for f in report.findings if f.severity is Severity.ERROR]
    assert errors == [("references/missing-secret-store", "ExternalSecret")]
