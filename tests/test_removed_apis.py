"""Removed API versions are errors for the targets that no longer serve them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from k8sdsl._schema import schemas_for
from k8sdsl.cli import main
from k8sdsl.core._removed_apis import REMOVED_APIS

CRONJOB = """\
apiVersion: batch/v1beta1
kind: CronJob
metadata: {name: backup}
spec:
  schedule: "0 2 * * *"
  jobTemplate: {spec: {template: {spec: {restartPolicy: OnFailure, containers: []}}}}
"""
FLOWSCHEMA = """\
apiVersion: flowcontrol.apiserver.k8s.io/v1beta3
kind: FlowSchema
metadata: {name: probes}
spec:
  priorityLevelConfiguration: {name: exempt}
"""


def check(capsys: pytest.CaptureFixture[str], path: Path, *flags: str) -> tuple[int, list[Any]]:
    code = main(["check", "--format", "json", *flags, str(path)])
    return code, json.loads(capsys.readouterr().out)["findings"]


def test_a_removed_cronjob_is_an_error_naming_the_replacement(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "cronjob.yaml"
    path.write_text(CRONJOB)
    code, found = check(capsys, path)
    assert code == 1
    (removed,) = [f for f in found if f["code"] == "schema/removed-api"]
    assert removed["severity"] == "error" and removed["path"] == "apiVersion"
    assert "removed in Kubernetes 1.25" in removed["message"]
    assert removed["hint"] == "use apiVersion: batch/v1"
    assert not [f for f in found if f["code"] == "schema/unknown-kind"]


def test_a_removal_counts_from_its_version_on(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "flowschema.yaml"
    path.write_text(FLOWSCHEMA)
    _, before = check(capsys, path, "--k8s-version", "1.31")
    assert "schema/removed-api" not in {f["code"] for f in before}
    code, after = check(capsys, path, "--k8s-version", "1.32")
    assert code == 1
    assert "schema/removed-api" in {f["code"] for f in after}


@pytest.mark.parametrize("removed", sorted(REMOVED_APIS.values()), ids=lambda r: f"{r[0]}/{r[1]}")
def test_every_replacement_is_served_by_the_newest_version(removed: tuple[str, ...]) -> None:
    api_version, kind, _, replacement, note = removed
    if not replacement:
        assert note  # a kind that is gone says what to do instead
        return
    obj = {"apiVersion": replacement, "kind": kind, "metadata": {"name": "x"}}
    assert schemas_for("1.37").validate(obj, expected=1) is not None
    old = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}}
    assert schemas_for("1.37").validate(old, expected=1) is None
