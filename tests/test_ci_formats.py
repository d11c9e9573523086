"""``k8sdsl check --format sarif`` (valid against the official SARIF 2.1.0 schema pinned in
tests/fixtures/sarif/) and ``--format github`` (workflow commands on the findings' lines)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from k8sdsl.cli import main

SCHEMA = json.loads(
    (Path(__file__).parent / "fixtures" / "sarif" / "sarif-schema-2.1.0.json").read_text()
)
VALIDATOR = jsonschema.Draft4Validator(SCHEMA)

# the notes' claim, with `Resources:` and `Requests:` (line 9)
CLAIM = """\
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: nfs-pvc
spec:
  accessModes:
    - ReadWriteMany
  storageClassName: ""
  Resources:
    Requests:
      storage: 1Gi
"""
CLEAN = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {mode: fast}
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A checkout as CI sees it: the working folder is the repository root."""
    (tmp_path / "manifests").mkdir()
    (tmp_path / "manifests" / "pvc.yaml").write_text(CLAIM)
    (tmp_path / "manifests" / "settings.yaml").write_text(CLEAN)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["check", *args])
    return code, capsys.readouterr().out


def schema_errors(log: Any) -> list[str]:
    errors = VALIDATOR.iter_errors(log)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]


def test_sarif_is_valid_and_points_at_the_field_line(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "--format", "sarif", "manifests")
    assert code == 1
    log = json.loads(out)
    assert schema_errors(log) == []
    (run_,) = log["runs"]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "k8sdsl"
    rules = [r["id"] for r in driver["rules"]]
    assert rules == sorted(rules) and "schema/unknown-field" in rules
    by_rule = {r["ruleId"]: r for r in run_["results"]}
    unknown = by_rule["schema/unknown-field"]
    assert rules[unknown["ruleIndex"]] == "schema/unknown-field"
    assert unknown["level"] == "error"
    (loc,) = unknown["locations"]
    assert loc["physicalLocation"] == {
        "artifactLocation": {"uri": "manifests/pvc.yaml"},
        "region": {"startLine": 9},
    }
    assert "did you mean spec.resources?" in unknown["message"]["text"]
    # the rule book's summary describes the rule
    unbound = driver["rules"][by_rule["storage/unbound-claim"]["ruleIndex"]]
    assert unbound["shortDescription"]["text"] not in ("", "storage/unbound-claim")


def test_sarif_of_a_clean_file_has_no_results(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "--format", "sarif", "manifests/settings.yaml")
    assert code == 0
    log = json.loads(out)
    assert schema_errors(log) == [] and log["runs"][0]["results"] == []


def test_an_unreadable_file_is_a_sarif_result_with_its_line(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "manifests" / "broken.yaml").write_text("a: 1\nb: [\n")
    code, out = run(capsys, "--format", "sarif", "manifests/broken.yaml")
    assert code == 2
    log = json.loads(out)
    assert schema_errors(log) == []
    (result,) = log["runs"][0]["results"]
    assert result["ruleId"] == "yaml/unreadable"
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "manifests/broken.yaml"
    assert physical["region"]["startLine"] >= 2


def test_the_pinned_schema_rejects_a_broken_log(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The validation can fail: a level SARIF does not have, a line 0."""
    _, out = run(capsys, "--format", "sarif", "manifests/pvc.yaml")
    log = json.loads(out)
    log["runs"][0]["results"][0]["level"] = "fatal"
    log["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert len(schema_errors(log)) == 2


def test_github_format_annotates_each_finding_on_its_line(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "--format", "github", "manifests")
    assert code == 1
    lines = out.splitlines()
    unknown = [line for line in lines if "title=schema/unknown-field" in line]
    assert unknown == [
        "::error file=manifests/pvc.yaml,line=9,title=schema/unknown-field::"
        "PersistentVolumeClaim nfs-pvc (manifests/pvc.yaml:9) spec.Resources: "
        "'Resources' is not a field of spec%0Ahint: did you mean spec.resources?"
    ]
    # one command a finding, then the counts
    assert all(line.startswith("::error ") for line in lines[:-1])
    assert lines[-1] == f"{len(lines) - 1} error(s), 0 warning(s), 0 info"


def test_github_format_escapes_what_would_end_a_command(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = repo / "a,b:c"
    folder.mkdir()
    (folder / "pvc.yaml").write_text(CLAIM.replace("nfs-pvc", "x"))
    code, out = run(capsys, "--format", "github", "--k8s-version", "1.35", str(folder))
    assert code == 1
    assert "::error file=a%2Cb%3Ac/pvc.yaml,line=9,title=schema/unknown-field::" in out
    assert all("\n" not in line for line in out.splitlines())


def test_github_format_notes_and_warnings(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\n"
        "spec:\n  containers:\n    - name: web\n      image: docker.io/library/nginx:1.27.3\n"
    )
    code, out = run(capsys, "--format", "github", "pod.yaml")
    assert code == 0
    kinds = {line.split(" ", 1)[0] for line in out.splitlines()[:-1]}
    assert "::warning" in kinds and kinds <= {"::warning", "::notice"}
