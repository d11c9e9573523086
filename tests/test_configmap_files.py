"""ConfigMap from files and binaryData: text files to data, other files to base64
binaryData, keys validated, the 1 MiB limit counted as the API server counts it (binaryData
decoded), on the construct and on YAML through ``k8sdsl check``."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from k8sdsl import Chart, ConfigMap, K8sDslError
from k8sdsl.cli import main

from .conftest import assert_schema_valid

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "nginx.conf").write_text("server { listen 8080; }\n")
    (tmp_path / "logo.png").write_bytes(PNG)
    (tmp_path / "grüße.txt").write_text("héllo\n")
    return tmp_path


def test_from_files_golden(chart: Chart, files: Path, yaml_snapshot: Any) -> None:
    cm = ConfigMap.from_files(chart, "site", paths=[files / "nginx.conf", str(files / "logo.png")])
    obj = cm.to_k8s()
    assert obj["data"] == {"nginx.conf": "server { listen 8080; }\n"}
    assert obj["binaryData"] == {"logo.png": base64.b64encode(PNG).decode()}
    assert obj == yaml_snapshot
    assert_schema_valid([cm], ["1.28", "1.37"])


def test_from_files_key_errors(chart: Chart, files: Path) -> None:
    with pytest.raises(K8sDslError) as info:
        ConfigMap.from_files(chart, "bad-key", paths=[files / "grüße.txt"])
    assert info.value.codes == ["configmap/key"]
    (files / "sub").mkdir()
    (files / "sub" / "nginx.conf").write_text("x")
    with pytest.raises(K8sDslError) as info:
        ConfigMap.from_files(chart, "twice", paths=[files / "nginx.conf", files / "sub/nginx.conf"])
    (finding,) = info.value.findings
    assert (finding.code, finding.path) == ("configmap/key", "paths[1]")
    with pytest.raises(K8sDslError) as info:
        ConfigMap.from_files(chart, "missing", paths=[files / "nope.conf"])
    (finding,) = info.value.findings
    assert (finding.code, finding.path) == ("configmap/file", "paths[0]")
    assert finding.obj.source == "test/missing"


def test_binary_data_counts_toward_the_limit(chart: Chart, tmp_path: Path) -> None:
    big = tmp_path / "blob.bin"
    big.write_bytes(b"\xff" * (1024 * 1024 + 1))
    with pytest.raises(K8sDslError) as info:
        ConfigMap.from_files(chart, "big", paths=[big])
    assert info.value.codes == ["configmap/too-large"]
    # exactly 1 MiB of bytes is fine, although its base64 is a third larger
    big.write_bytes(b"\xff" * (1024 * 1024))
    ConfigMap.from_files(chart, "limit", paths=[big])


def test_binary_data_argument(chart: Chart) -> None:
    cm = ConfigMap(chart, "bin", data={"a": "x"}, binary_data={"b": b"\x00\x01"})
    assert cm.to_k8s()["binaryData"] == {"b": "AAE="}
    with pytest.raises(K8sDslError) as info:
        ConfigMap(chart, "dupe", data={"a": "x"}, binary_data={"a": b"\x00"})
    assert info.value.codes == ["configmap/key"]
    assert "both data and binaryData" in info.value.findings[0].message


def _check(capsys: pytest.CaptureFixture[str], path: Path) -> list[dict[str, Any]]:
    main(["check", "--format", "json", str(path)])
    return [
        f
        for f in json.loads(capsys.readouterr().out)["findings"]
        if f["code"].startswith("configmap/")
    ]


def test_binary_data_on_yaml(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # 1 MiB of bytes is 1.4 MB of base64 text: fine, the API server counts the bytes
    payload = base64.b64encode(b"\xff" * (1024 * 1024)).decode()
    path = tmp_path / "cm.yaml"
    path.write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: blob}\n"
        f"binaryData: {{blob.bin: {payload}}}\n"
    )
    assert _check(capsys, path) == []
    path.write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: blob}\n"
        f"data: {{a: x}}\nbinaryData: {{blob.bin: {payload}, a: AAE=}}\n"
    )
    found = _check(capsys, path)
    assert [(f["code"], f["path"]) for f in found] == [
        ("configmap/key", "binaryData['a']"),
        ("configmap/too-large", "data"),
    ]
