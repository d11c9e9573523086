"""ABAC policy files: read one JSON object a line by ``k8sdsl check`` (with the line of each
finding), the abac/* rules on them and on AbacPolicyFile values, and the written file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from k8sdsl import App, ConfigFile, K8sDslError
from k8sdsl._config_schema import validate_config
from k8sdsl.cli import main
from k8sdsl.security import AbacPolicy, AbacPolicyFile

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "abac-policy.jsonl"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["check", "--format", "json", *args])
    return code, json.loads(capsys.readouterr().out)


def test_the_fixture_gives_one_finding_per_problem_with_its_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out = run(capsys, str(FIXTURE))
    found = sorted(
        (f["code"], f["severity"], f["path"], int(f["obj"]["source"].rsplit(":", 1)[1]))
        for f in out["findings"]
    )
    assert found == sorted(
        [
            # alice may do anything anywhere: a superuser
            ("abac/grants-everything", "warning", "spec", 2),
            # every authenticated user reads every non-resource path
            ("abac/grants-everything", "warning", "spec", 4),
            # user "*": everyone, anonymous included, may do anything
            ("abac/grants-everything", "error", "spec", 5),
            ("abac/legacy", "warning", "apiVersion", 2),  # once per file
            ("schema/unknown-field", "error", "spec.readOnly", 7),  # readonly, misspelt
        ]
    )
    assert code == 1


def test_a_folder_scan_reads_policy_files_but_not_other_json_lines(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "policy.jsonl").write_text(FIXTURE.read_text())
    (tmp_path / "events.jsonl").write_text('{"event": 1}\n{"event": 2}\n')
    _, out = run(capsys, str(tmp_path))
    files = {f["obj"]["source"].rsplit(":", 1)[0] for f in out["findings"]}
    assert files == {str(tmp_path / "policy.jsonl")}


def test_a_broken_line_is_unreadable_with_its_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "policy.jsonl"
    path.write_text(FIXTURE.read_text().splitlines()[1] + "\n{not json}\n")
    code, out = run(capsys, str(path))
    assert code == 2
    (problem,) = out["unreadable"]
    assert problem.startswith(f"{path}:2:2: invalid JSON line")


def test_a_narrow_policy_is_only_legacy(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "policy.jsonl"
    line = AbacPolicy(user="bob", namespace="projectCaribou", resource="pods", readonly=True)
    path.write_text(json.dumps(line.to_k8s()) + "\n")
    code, out = run(capsys, str(path))
    assert [(f["code"], f["severity"]) for f in out["findings"]] == [("abac/legacy", "warning")]
    assert code == 0


def test_a_policy_file_value_is_written_one_object_a_line(tmp_path: Path) -> None:
    policies = AbacPolicyFile(
        policies=(
            AbacPolicy(user="alice", namespace="projectCaribou", resource="*", api_group="*"),
            AbacPolicy(group="system:serviceaccounts", non_resource_path="/version", readonly=True),
        )
    )
    for line in policies.to_k8s_lines():
        assert validate_config(line) == []
    app = App(outdir=tmp_path / "dist")
    ConfigFile(app, "abac", path="control-plane/abac-policy.jsonl", document=policies)
    report = app.synth()
    assert [(f.code, f.obj.source) for f in report.findings] == [("abac/legacy", "abac:2")]
    text = (tmp_path / "dist" / "control-plane" / "abac-policy.jsonl").read_text()
    assert text == (
        "# k8sdsl: k8s-version=1.35\n"
        '{"apiVersion": "abac.authorization.kubernetes.io/v1beta1", "kind": "Policy", '
        '"spec": {"apiGroup": "*", "namespace": "projectCaribou", "resource": "*", '
        '"user": "alice"}}\n'
        '{"apiVersion": "abac.authorization.kubernetes.io/v1beta1", "kind": "Policy", '
        '"spec": {"group": "system:serviceaccounts", "nonResourcePath": "/version", '
        '"readonly": true}}\n'
    )


def test_a_line_that_grants_everyone_everything_fails_synth(tmp_path: Path) -> None:
    app = App(outdir=tmp_path / "dist")
    everything = AbacPolicy(user="*", namespace="*", resource="*", api_group="*")
    ConfigFile(
        app,
        "abac",
        path="control-plane/abac-policy.jsonl",
        document=AbacPolicyFile(
            policies=(AbacPolicy(user="bob", resource="pods", namespace="a"), everything)
        ),
    )
    with pytest.raises(K8sDslError) as err:
        app.synth()
    assert [(f.code, f.obj.source) for f in err.value.findings if f.severity.value == "error"] == [
        ("abac/grants-everything", "abac:3")
    ]
    assert not (tmp_path / "dist").exists()


def test_the_path_must_match_the_kind_of_file(app: App) -> None:
    policies = AbacPolicyFile(policies=(AbacPolicy(user="bob", resource="pods", namespace="a"),))
    with pytest.raises(K8sDslError) as err:
        ConfigFile(app, "a", path="control-plane/abac.yaml", document=policies)
    assert [f.code for f in err.value.findings] == ["config-file/path"]
    from k8sdsl.security import KubeletConfiguration

    with pytest.raises(K8sDslError):
        ConfigFile(app, "b", path="nodes/kubelet.jsonl", document=KubeletConfiguration())


def test_an_empty_policy_file_is_refused() -> None:
    with pytest.raises(K8sDslError):
        AbacPolicyFile(policies=())
