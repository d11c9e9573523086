"""The dynamic-provisioning app: a StorageClass, a claim of it, and its consumer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from apps import dynamic_storage
from k8sdsl import App
from k8sdsl.storage import Outcome, bind
from tests.conftest import assert_schema_valid


@pytest.fixture
def dynamic_app(tmp_path: Path) -> App:
    app = App(outdir=tmp_path / "dist")
    dynamic_storage.build(app)
    return app


def test_objects(dynamic_app: App, yaml_snapshot: Any) -> None:
    objects = [m.obj for m in dynamic_app.manifests()]
    assert [(o["kind"], o["metadata"]["name"]) for o in objects] == [
        ("StorageClass", "fast-ssd"),
        ("PersistentVolumeClaim", "reports-data"),
        ("Pod", "report-writer"),
    ]
    assert "namespace" not in objects[0]["metadata"]
    assert objects == yaml_snapshot
    assert_schema_valid(objects)


def test_the_class_provisions_the_claim_for_its_consumer(dynamic_app: App) -> None:
    verdict = bind(m.obj for m in dynamic_app.manifests()).verdict("reports-data", "apps")
    assert verdict.outcome is Outcome.PROVISIONED
    assert verdict.provisioner == "ebs.csi.aws.com"
    assert verdict.delayed is True
    report = dynamic_app.check()
    assert not report.has_errors(), report.format()
    assert [f.code for f in report.findings if f.code.startswith("storage/")] == [
        "storage/dynamic-provisioning"
    ]
