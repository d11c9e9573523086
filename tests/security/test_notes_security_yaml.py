"""The notes' security.yaml: its mistakes cannot be written in k8sdsl, and ``k8sdsl check``
finds them in the YAML as printed (indentation restored)."""

from __future__ import annotations

from pathlib import Path

import pytest

from k8sdsl import App, Chart
from k8sdsl.cli import check
from k8sdsl.core import K8sDslError, K8sVersion, ValueInputError
from k8sdsl.workloads import PodSecurityContext, SecurePod

NOTES_YAML = """\
apiVersion: v1
kind: Pod
metadata:
  name: Security-context.pod
spec:
  securityContext:
    runAsuser: 1000
    fsGroup: 2000
  volumes:
  - name: sam-vol
    emptyDir: {}
  containers:
  - name: sample-container
    image: gcr.io/google-samples/node-hello:1.0
    volumeMounts:
    - name: sam-vol
      mountPath: /data/demo
    securityContext:
      allowPrivilegeEscalation: false
"""


def test_run_asuser_is_not_a_field() -> None:
    with pytest.raises(ValueInputError) as err:
        PodSecurityContext(runAsuser=1000)  # type: ignore[call-arg]
    (finding,) = err.value.findings
    assert (finding.code, finding.path) == ("value/extra-forbidden", "runAsuser")
    assert finding.hint == "did you mean 'run_as_user'?"


def test_the_pod_name_of_the_notes_is_rejected(app: App) -> None:
    chart = Chart(app, "notes", namespace="apps")
    with pytest.raises(K8sDslError) as err:
        SecurePod(chart, "Security-context.pod", image="gcr.io/google-samples/node-hello:1.0")
    (finding,) = err.value.findings
    assert (finding.code, finding.path) == ("metadata/dns-subdomain", "metadata.name")
    assert "security-context.pod" in finding.hint
    assert finding.obj.source == "notes/Security-context.pod"


def test_k8sdsl_check_finds_the_mistakes_in_the_yaml(tmp_path: Path) -> None:
    path = tmp_path / "security.yaml"
    path.write_text(NOTES_YAML)
    report, unreadable = check([path], K8sVersion("1.35"))
    assert unreadable == []
    by_code = {f.code: f for f in report.findings}
    unknown = [f for f in report.findings if f.path.endswith("runAsuser")]
    assert unknown and unknown[0].severity.value == "error"
    assert "runAsUser" in unknown[0].hint
    # the pod runs as whatever the image says: restricted wants runAsNonRoot and more
    assert "pod-security/run-as-non-root" in by_code
    assert "pod-security/seccomp-restricted" in by_code
    assert "images/digest" in by_code
