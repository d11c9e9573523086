"""``k8sdsl check``: schema and rule findings for anyone's YAML, with exit codes 0/1/2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from k8sdsl.cli import main

NOTES = Path(__file__).parent / "fixtures" / "notes"
FIXTURES = Path(__file__).parent / "fixtures"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_notes_pvc_unknown_field_suggests_resources(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", str(NOTES / "pvc.yaml"))
    assert code == 1
    assert "error[schema/unknown-field] PersistentVolumeClaim nfs-pvc" in out
    assert "'Resources' is not a field of spec" in out
    assert "hint: did you mean spec.resources?" in out
    assert f"{NOTES / 'pvc.yaml'}:9" in out  # the line of the Resources key


def test_json_output_is_structured(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--format", "json", str(NOTES / "pv.yaml"))
    assert code == 1
    findings = json.loads(out)["findings"]
    by_code = {(f["code"], f["path"]): f for f in findings}
    unknown = by_code[("schema/unknown-field", "spec.PersistentVolumeReclaimPolicy")]
    assert unknown["hint"] == "did you mean spec.persistentVolumeReclaimPolicy?"
    assert unknown["obj"]["kind"] == "PersistentVolume"
    assert ("schema/type", "spec.nfs.server") in by_code


def test_malformed_yaml_exits_2_with_file_and_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", str(NOTES / "ebs-pod.yaml"))
    assert code == 2
    assert f"{NOTES / 'ebs-pod.yaml'}:6:" in err
    assert "invalid YAML" in err
    assert "Traceback" not in out + err


def test_clean_file_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", str(FIXTURES / "clean-configmap.yaml"))
    assert code == 0, out


def test_folders_are_searched_and_all_files_reported(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", str(NOTES))
    assert code == 2  # the malformed file makes the input unreadable ...
    assert "nfs-pvc" in out and "lapv" in out  # ... but every other file is still checked


def test_missing_file_and_bad_version_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "check", "/nonexistent.yaml")[0] == 2
    code, _, err = run(capsys, "check", "--k8s-version", "1.20", str(NOTES / "pvc.yaml"))
    assert code == 2 and "not supported" in err


def test_no_arguments_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2


def test_not_an_object_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "x.yaml"
    f.write_text("- just\n- a list\n")
    code, out, _ = run(capsys, "check", str(f))
    assert code == 1 and "yaml/not-an-object" in out


def test_the_command_runs_as_a_program() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "k8sdsl", "check", str(NOTES / "pvc.yaml")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "did you mean spec.resources?" in proc.stdout
    assert proc.stderr == ""
