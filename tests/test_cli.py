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
    code, out, _ = run(capsys, "check", "--strict", str(f))
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


# -- odd input: findings or exit 2, never a traceback --------------------------------------


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: ns\n"


def test_a_list_whose_items_are_not_a_list_is_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = write(tmp_path, "list.yaml", "apiVersion: v1\nkind: List\nitems: 5\n")
    code, out, err = run(capsys, "check", "--format", "json", str(f))
    assert code == 1, err
    (finding,) = json.loads(out)["findings"]
    assert (finding["code"], finding["path"]) == ("yaml/invalid-list", "items")
    assert finding["obj"]["source"] == f"{f}:3"


def test_list_items_are_objects_with_their_own_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items = "".join(
        "- " + CONFIGMAP.format(name=n).replace("\n", "\n  ").rstrip() + "\n" for n in "ab"
    )
    f = write(tmp_path, "list.yaml", f"apiVersion: v1\nkind: ConfigMapList\nitems:\n{items}")
    f.write_text(f.read_text() + "  Data: {}\n")  # an unknown field in the second item
    code, out, _ = run(capsys, "check", "--format", "json", str(f))
    assert code == 1
    (finding,) = json.loads(out)["findings"]
    assert (finding["code"], finding["path"]) == ("schema/unknown-field", "Data")
    assert finding["obj"]["name"] == "b"
    assert finding["obj"]["source"] == f"{f}:14"  # the line of Data, not of the List


def test_duplicate_keys_are_errors_with_both_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """YAML loaders keep the last of two equal keys silently; kubectl refuses the file."""
    text = CONFIGMAP.format(name="a") + 'data:\n  mode: "1"\n  mode: "2"\n'
    f = write(tmp_path, "dup.yaml", text)
    code, out, _ = run(capsys, "check", "--format", "json", str(f))
    assert code == 1
    (finding,) = json.loads(out)["findings"]
    assert (finding["code"], finding["path"]) == ("yaml/duplicate-key", "data.mode")
    assert finding["obj"]["source"] == f"{f}:8"
    assert "lines 7 and 8" in finding["message"] and finding["hint"]


def test_empty_and_comment_only_files_warn(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = write(tmp_path, "empty.yaml", "")
    comments = write(tmp_path, "comments.yaml", "# nothing here\n---\n# nor here\n")
    code, out, _ = run(capsys, "check", str(empty), str(comments))
    assert code == 0
    assert out.count("warning[yaml/no-objects]") == 2


def test_a_folder_without_yaml_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Checking nothing must not pass silently: a CI job pointed at the wrong folder."""
    (tmp_path / "notes.txt").write_text("hello")
    code, _, err = run(capsys, "check", str(tmp_path))
    assert code == 2
    assert "no .yaml, .yml, .json, .conflist or .conf files" in err


@pytest.mark.parametrize(
    ("content", "line"),
    [(b"apiVersion: v1\nkind: \x00\n", 2), (b"apiVersion: v1\n\xff\xfe\n", 2)],
    ids=["nul-byte", "not-utf8"],
)
def test_binary_input_is_exit_2_with_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, line: int
) -> None:
    f = tmp_path / "bin.yaml"
    f.write_bytes(content)
    code, out, err = run(capsys, "check", str(f))
    assert code == 2
    assert f"{f}:{line}" in err
    assert "Traceback" not in out + err


def test_a_yaml_bomb_is_refused_quickly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Anchors nesting anchors ("billion laughs") expand to 9**9 nodes: refused, not a hang."""
    lines = [CONFIGMAP.format(name="a").rstrip(), "x0: &a0 [lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"x{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    f = write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    code, _, err = run(capsys, "check", str(f))
    assert code == 2
    assert "aliases" in err


def test_aliases_of_normal_size_are_fine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: ns\n"
        "  labels: &labels {app: web}\n  annotations: *labels\n"
    )
    code, out, _ = run(capsys, "check", str(write(tmp_path, "a.yaml", text)))
    assert code == 0, out


def test_symlinks_files_are_read_once_and_folder_loops_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = write(tmp_path, "real.yaml", CONFIGMAP.format(name="a"))
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "link.yaml").symlink_to(real)
    (folder / "loop").symlink_to(tmp_path)  # a folder link back up: not followed
    code, out, _ = run(capsys, "check", str(folder), str(real), str(folder / "link.yaml"))
    # one ConfigMap, read once: no app/duplicate-object
    assert code == 0, out


def test_a_kind_cannot_name_a_schema_outside_the_schema_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """kind and apiVersion come from anyone's YAML; "../" must not pick a file to compile."""
    evil = tmp_path / "evil-v1.json"
    evil.write_text(json.dumps({"type": "object", "additionalProperties": False}))
    from k8sdsl._schema import schemas_for

    up = "../" * 12
    kind = f"{up}{str(tmp_path).lstrip('/')}/evil"
    obj = {"apiVersion": "v1", "kind": kind, "metadata": {"name": "a"}}
    assert schemas_for("1.35").validate(obj) is None  # no schema, not the planted one
    f = write(tmp_path, "x.yaml", json.dumps(obj))
    code, out, _ = run(capsys, "check", str(f))
    assert code == 0 and "schema/unknown-kind" in out


def test_findings_are_in_line_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = "---\n".join(CONFIGMAP.format(name=f"cm-{i}") + "Data: {}\n" for i in range(3))
    code, out, _ = run(capsys, "check", "--format", "json", str(write(tmp_path, "m.yaml", docs)))
    sources = [f["obj"]["source"] for f in json.loads(out)["findings"]]
    assert sources == [f"{tmp_path / 'm.yaml'}:{n}" for n in (6, 13, 20)]  # 6 < 13, not "13" < "6"


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """``k8sdsl check big/ | head -1``: no BrokenPipeError traceback."""
    docs = "---\n".join(CONFIGMAP.format(name=f"cm-{i}") + "Data: {}\n" for i in range(1500))
    f = write(tmp_path, "many.yaml", docs)
    proc = subprocess.Popen(
        [sys.executable, "-m", "k8sdsl", "check", str(f)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipe" not in err, err


def test_the_program_writes_all_of_a_large_report(tmp_path: Path) -> None:
    """The command ends without tearing its heap down (``console_main``): the report must
    still arrive whole through a pipe, far beyond a pipe's buffer, with the exit code."""
    docs = "---\n".join(CONFIGMAP.format(name=f"cm-{i}") + "Data: {}\n" for i in range(1500))
    f = write(tmp_path, "many.yaml", docs)
    proc = subprocess.run(
        [sys.executable, "-m", "k8sdsl", "check", "--format", "json", str(f)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert len(proc.stdout) > 1 << 17  # more than two pipe buffers
    found = json.loads(proc.stdout)["findings"]
    assert {f["obj"]["name"] for f in found if f["code"] == "schema/unknown-field"} == {
        f"cm-{i}" for i in range(1500)
    }


def test_the_program_runs_exit_handlers(tmp_path: Path) -> None:
    """What a library registered with ``atexit`` (a temporary folder's cleanup, a jsii
    runtime's shutdown) still runs when the command ends."""
    marker = tmp_path / "ran"
    script = (
        "import atexit, pathlib, sys\n"
        f"atexit.register(pathlib.Path({str(marker)!r}).write_text, 'yes')\n"
        "from k8sdsl.cli import console_main\n"
        f"sys.argv = ['k8sdsl', 'check', {str(NOTES / 'pvc.yaml')!r}]\n"
        "console_main()\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert proc.returncode == 1
    assert marker.read_text() == "yes"


def test_a_large_file_is_checked_whole(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """2,000 objects in one file: every one is read and judged (the time for 10,000 is
    measured by ``make bench``, not here)."""
    import yaml

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    try:
        from validate import fleet
    finally:
        sys.path.pop(0)
    objects = fleet(500)
    objects[-1]["spec"]["Selector"] = {}
    f = tmp_path / "fleet.yaml"
    f.write_text(yaml.dump_all(objects, Dumper=yaml.CSafeDumper))
    code, out, _ = run(capsys, "check", "--format", "json", str(f))
    assert code == 1
    (finding,) = [x for x in json.loads(out)["findings"] if x["severity"] == "error"]
    assert finding["path"] == "spec.Selector"
    assert finding["obj"]["name"] == "app-499"


def test_a_device_or_fifo_is_unreadable_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import os

    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    code, _, err = run(capsys, "check", str(fifo), "/dev/zero")
    assert code == 2
    assert f"{fifo}: not a regular file" in err
    assert "/dev/zero: not a regular file" in err
