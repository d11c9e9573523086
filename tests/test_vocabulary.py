"""Shared vocabulary lives once, in core: one PullPolicy, one Protocol, one image-reference
parser; the image volume's reference is checked like a container's image, in Python and on
YAML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import k8sdsl.core as core
import k8sdsl.network as network
import k8sdsl.volumes as volumes
import k8sdsl.workloads as workloads
from k8sdsl import K8sDslError
from k8sdsl.cli import main
from k8sdsl.volumes import Volume


def test_one_pull_policy_and_one_protocol() -> None:
    assert workloads.PullPolicy is volumes.PullPolicy is core.PullPolicy
    # the old name is a deprecated alias of the same class: existing code keeps working
    assert workloads.ImagePullPolicy is core.PullPolicy
    assert workloads.Protocol is network.Protocol is core.Protocol


def test_an_image_volume_reference_is_checked() -> None:
    with pytest.raises(K8sDslError) as caught:
        Volume.image("model", reference="NOT A VALID//IMAGE::ref")
    [finding] = caught.value.findings
    assert finding.code == "value/image-reference"
    assert finding.path == "reference"
    assert "no spaces" in finding.hint
    good = Volume.image("model", reference="registry.example.com/models/llm:1.0")
    assert good.to_k8s() == {
        "name": "model",
        "image": {"reference": "registry.example.com/models/llm:1.0"},
    }


POD = """\
apiVersion: v1
kind: Pod
metadata: {name: inference, namespace: ml}
spec:
  containers:
    - name: server
      image: registry.example.com/ml/server:1.0
      volumeMounts: [{name: model, mountPath: /models}]
  volumes:
    - name: model
      image: {reference: REFERENCE, pullPolicy: IfNotPresent}
"""


@pytest.mark.parametrize(
    ("reference", "flags", "code"),
    [
        ("Registry.Example.com/ML/Model:1.0", (), "images/invalid-reference"),
        (
            "docker.io/someone/model:1.0",
            ("--allowed-registries", "registry.example.com"),
            "images/registry",
        ),
    ],
)
def test_image_volume_references_are_judged_on_yaml(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    reference: str,
    flags: tuple[str, ...],
    code: str,
) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text(POD.replace("REFERENCE", reference))
    assert main(["check", "--format", "json", *flags, str(path)]) == 1
    found = json.loads(capsys.readouterr().out)["findings"]
    hits = [f for f in found if f["code"] == code]
    assert [f["path"] for f in hits] == ["spec.volumes[0].image.reference"]
    path.write_text(POD.replace("REFERENCE", "registry.example.com/ml/model:1.0"))
    main(["check", "--format", "json", *flags, str(path)])
    found = json.loads(capsys.readouterr().out)["findings"]
    assert [f for f in found if f["code"] == code] == []
