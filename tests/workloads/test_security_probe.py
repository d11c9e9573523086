"""SecurityContextProbe: the notes' security-context exercise as a Job, its script run here.

The script is run under ``sh`` on this machine twice over:

* with the expected values of the test's own process (its UID, GID and a temporary folder
  it owns): the identity and volume checks print ``ok``, and wrong expected values print
  ``FAIL`` and exit 1. The checks that depend on how the process was started
  (``run-as-non-root``, ``no-new-privs``, ``capabilities``, ``seccomp``, ``root-fs``,
  ``root-write``) are compared with what Python reads from the same kernel files, since a
  test process is no restricted container (it may be root, with every capability, on a
  writable root filesystem);
* as the kubelet would start the container, where the machine allows it (root, with
  ``unshare`` and ``setpriv``): a private mount namespace with ``/`` remounted read-only and
  the volume bind-mounted writable, group-owned by fsGroup with the setgid bit (what the
  kubelet does to an emptyDir for fsGroup), the process switched to the UID, GID and groups
  with ``no_new_privs``, an empty capability bounding set and a seccomp filter (allow-all:
  the mode is what is checked, not the profile). There every check prints ``ok`` and the
  output is exactly ``expected_output``; without the read-only root and ``no_new_privs`` the
  probe names exactly those checks.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from k8sdsl import App, Chart, Namespace, SecurityContextProbe
from k8sdsl.core import K8sDslError
from k8sdsl.core._images import BUSYBOX_IMAGE
from k8sdsl.network import DefaultDenyPolicy
from k8sdsl.security import Control, Exemption
from k8sdsl.workloads import security_context_script
from tests.conftest import assert_schema_valid

LOW_IDS = Exemption(
    control=Control.RUN_AS_USER_BELOW_10000, reason="the notes' exercise runs as UID 1000"
)
#: the notes' runAsUser and fsGroup, with the runAsGroup of the Kubernetes docs' example
TYPE = "construct/argument-type"
NOTES = {"run_as_user": 1000, "run_as_group": 3000, "fs_group": 2000}


def objects(chart: Chart) -> list[dict[str, Any]]:
    return [m.obj for m in chart.manifests()]


def pod_spec(chart: Chart) -> dict[str, Any]:
    (job,) = objects(chart)
    spec: dict[str, Any] = job["spec"]["template"]["spec"]
    return spec


# -- the objects -----------------------------------------------------------------------------


def test_probe_objects(chart: Chart, yaml_snapshot: Any) -> None:
    SecurityContextProbe(chart, "probe", **NOTES, exemptions=[LOW_IDS])
    assert objects(chart) == yaml_snapshot
    assert_schema_valid(objects(chart))
    assert [(o["kind"], o["metadata"]["name"]) for o in objects(chart)] == [
        ("Job", "security-context-probe")
    ]


def test_the_pod_runs_the_security_context_it_checks(chart: Chart) -> None:
    probe = SecurityContextProbe(
        chart, "probe", **NOTES, supplemental_groups=[4000], exemptions=[LOW_IDS]
    )
    (job,) = objects(chart)
    assert job["spec"]["backoffLimit"] == 0
    assert job["spec"]["activeDeadlineSeconds"] == 120
    spec = pod_spec(chart)
    assert spec["restartPolicy"] == "Never"
    assert spec["dnsPolicy"] == "Default"
    assert spec["automountServiceAccountToken"] is False
    assert spec["securityContext"] == {
        "fsGroup": 2000,
        "runAsGroup": 3000,
        "runAsNonRoot": True,
        "runAsUser": 1000,
        "seccompProfile": {"type": "RuntimeDefault"},
        "supplementalGroups": [4000],
    }
    (container,) = spec["containers"]
    assert container["image"] == BUSYBOX_IMAGE
    assert container["command"] == ["sh", "-c", probe.script]
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
    }
    assert container["volumeMounts"] == [{"mountPath": "/data/demo", "name": "probe-volume"}]
    assert spec["volumes"] == [{"emptyDir": {"sizeLimit": "1Mi"}, "name": "probe-volume"}]


def test_the_script_checks_each_expected_value(chart: Chart) -> None:
    probe = SecurityContextProbe(
        chart, "probe", **NOTES, supplemental_groups=[4000, 2000], exemptions=[LOW_IDS]
    )
    script = probe.script
    assert script.startswith("set -u\n")
    for line in (
        "volume=/data/demo",
        'expect uid 1000 "$(id -u)"',
        'expect gid 3000 "$(id -g)"',
        '  *" 2000 "*) ok group=2000 ;;',
        '  *" 4000 "*) ok group=4000 ;;',
        'expect volume-group 2000 "$(stat -c %g "$volume")"',
        '  expect file-group 2000 "$(stat -c %g "$file")"',
        'expect no-new-privs 1 "$(status NoNewPrivs)"',
        'expect capabilities 0000000000000000 "$(status CapBnd)"',
        'expect seccomp 2 "$(status Seccomp)"',
        'expect root-fs ro "$root"',
        "exit 1",
    ):
        assert f"\n{line}\n" in script, line
    # fsGroup is looked for once, though it is also a supplemental group
    assert script.count("ok group=2000") == 1
    assert probe.expected_output == (
        "security context probe: uid=1000 gid=3000 fsGroup=2000 volume=/data/demo",
        "ok uid=1000",
        "ok gid=3000",
        "ok group=2000",
        "ok group=4000",
        "ok run-as-non-root=1000",
        "ok volume-group=2000",
        "ok file-group=2000",
        "ok no-new-privs=1",
        "ok capabilities=0000000000000000",
        "ok seccomp=2",
        "ok root-fs=ro",
        "ok root-write=denied",
        "security context as declared: 12 checks passed",
    )


def test_defaults_are_securepods(chart: Chart) -> None:
    probe = SecurityContextProbe(chart, "probe")
    assert (probe.run_as_user, probe.run_as_group, probe.fs_group) == (10001, 10001, 10001)
    assert probe.mount_path == "/data/demo"
    assert pod_spec(chart)["securityContext"]["runAsUser"] == 10001
    assert 'expect uid 10001 "$(id -u)"' in probe.script


def test_names_namespace_labels_and_image(app: App) -> None:
    chart = Chart(app, "c")
    image = "registry.example.com/tools/busybox:1.37.0@sha256:" + "a" * 64
    SecurityContextProbe(
        chart,
        "probe",
        name="sc-check",
        namespace="checks",
        image=image,
        mount_path="/var/scratch",
        labels={"team": "platform"},
        backoff_limit=1,
        active_deadline_seconds=30,
    )
    (job,) = objects(chart)
    assert job["metadata"]["name"] == "sc-check"
    assert job["metadata"]["namespace"] == "checks"
    assert job["metadata"]["labels"]["team"] == "platform"
    assert job["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/name"] == "sc-check"
    assert job["spec"]["backoffLimit"] == 1
    assert job["spec"]["activeDeadlineSeconds"] == 30
    container = pod_spec(chart)["containers"][0]
    assert container["image"] == image
    assert container["volumeMounts"][0]["mountPath"] == "/var/scratch"


def test_the_app_check_is_clean_in_a_restricted_namespace(app: App) -> None:
    chart = Chart(app, "sc", namespace="sc-check")
    Namespace(chart, "sc-check", labels={"pod-security.kubernetes.io/enforce": "restricted"})
    DefaultDenyPolicy(chart, "default-deny")
    SecurityContextProbe(chart, "probe")
    SecurityContextProbe(chart, "notes", name="notes-probe", **NOTES, exemptions=[LOW_IDS])
    report = app.check()
    assert report.errors == ()
    assert [f.code for f in report.warnings] == []


def test_low_ids_need_an_exemption_in_writing(app: App) -> None:
    chart = Chart(app, "sc", namespace="sc-check")
    SecurityContextProbe(chart, "probe", **NOTES)
    codes = [f.code for f in app.check().errors]
    assert "pod-security/run-as-user-below-10000" in codes


def test_probe_synthesizes(app: App) -> None:
    chart = Chart(app, "sc", namespace="sc-check")
    SecurityContextProbe(chart, "probe", **NOTES, exemptions=[LOW_IDS])
    app.synth()
    text = (app.outdir / "sc.k8s.yaml").read_text()
    assert "expect volume-group 2000" in text


# -- bad values ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "code", "path"),
    [
        ({"run_as_user": -1}, "value/greater-than-equal", "run_as_user"),
        ({"run_as_group": 2**31}, "value/less-than-equal", "run_as_group"),
        ({"fs_group": -5}, "value/greater-than-equal", "fs_group"),
        ({"supplemental_groups": [2**31]}, "value/less-than-equal", "supplemental_groups[0]"),
        ({"run_as_user": True}, "construct/argument-type", "run_as_user"),
        ({"fs_group": "2000; reboot"}, "construct/argument-type", "fs_group"),
        ({"fs_group": "2000"}, "construct/argument-type", "fs_group"),
        ({"run_as_group": None}, "construct/argument-type", "run_as_group"),
        ({"run_as_user": 1000.0}, "construct/argument-type", "run_as_user"),
        (
            {"supplemental_groups": ["1; reboot"]},
            "construct/argument-type",
            "supplemental_groups[0]",
        ),
        (
            {"supplemental_groups": [4000, True]},
            "construct/argument-type",
            "supplemental_groups[1]",
        ),
        ({"mount_path": 5}, "construct/argument-type", "mount_path"),
        ({"mount_path": "data/demo"}, "value/absolute-path", "mount_path"),
        ({"mount_path": "/data /demo"}, "value/mount-path", "mount_path"),
        ({"mount_path": "/"}, "workloads/probe-mount-path", "mount_path"),
        ({"mount_path": "//"}, "workloads/probe-mount-path", "mount_path"),
        ({"image": "busybox:latest"}, "images/tag", None),
    ],
)
def test_bad_values_name_the_field(
    app: App, arguments: dict[str, Any], code: str, path: str | None
) -> None:
    chart = Chart(app, "sc", namespace="sc-check")
    try:
        SecurityContextProbe(chart, "probe", **arguments)
    except K8sDslError as exc:
        findings = exc.findings
    else:  # caught at check time (images are judged by the rules)
        findings = list(app.check().errors)
    matching = [f for f in findings if f.code == code]
    assert matching, [f.code for f in findings]
    if path is not None:
        assert matching[0].path.endswith(path), matching[0].path


def test_root_cannot_be_the_expected_user(app: App) -> None:
    with pytest.raises(K8sDslError) as exc:
        SecurityContextProbe(Chart(app, "sc", namespace="x"), "probe", run_as_user=0)
    (finding,) = exc.value.findings
    assert finding.obj.source == "sc/probe"
    assert "run_as_non_root" in finding.message or "run_as_user" in finding.message


def test_the_script_takes_ints_only() -> None:
    with pytest.raises(TypeError):
        security_context_script(
            run_as_user="1000; reboot",  # type: ignore[arg-type]
            run_as_group=1,
            fs_group=1,
            mount_path="/data",
        )
    with pytest.raises(TypeError):
        security_context_script(run_as_user=True, run_as_group=1, fs_group=1, mount_path="/d")


# -- the script, run here --------------------------------------------------------------------


def run(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=60)


def status_field(name: str) -> str:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    return ""


def root_fs_mode() -> str:
    mode = ""
    for line in Path("/proc/self/mounts").read_text().splitlines():
        fields = line.split()
        if len(fields) > 3 and fields[1] == "/":
            mode = fields[3].split(",")[0]
    return mode


def line_for(check: str, want: str, got: str) -> str:
    return f"ok {check}={got}" if got == want else f"FAIL {check}: expected {want}, got {got}"


def test_the_script_run_with_this_process_values(tmp_path: Path) -> None:
    """The identity and volume checks pass with this process's values; the checks of how
    the process was started say what the kernel says about this process (read by Python
    from the same files), since the test does not run in a restricted container."""
    uid, gid = os.getuid(), os.getgid()
    script = security_context_script(
        run_as_user=uid, run_as_group=gid, fs_group=gid, mount_path=str(tmp_path)
    )
    done = run(script)
    lines = done.stdout.splitlines()
    assert (
        lines[0] == f"security context probe: uid={uid} gid={gid} fsGroup={gid} volume={tmp_path}"
    )
    environment = [
        f"ok run-as-non-root={uid}"
        if uid != 0
        else "FAIL run-as-non-root: expected a UID other than 0, got 0",
        line_for("no-new-privs", "1", status_field("NoNewPrivs")),
        line_for("capabilities", "0000000000000000", status_field("CapBnd")),
        line_for("seccomp", "2", status_field("Seccomp")),
        line_for("root-fs", "ro", root_fs_mode()),
        "ok root-write=denied"
        if not os.access("/", os.W_OK)
        else "FAIL root-write: expected denied, got written",
    ]
    assert lines[1:-1] == [
        f"ok uid={uid}",
        f"ok gid={gid}",
        f"ok group={gid}",
        environment[0],
        f"ok volume-group={gid}",
        f"ok file-group={gid}",
        *environment[1:],
    ]
    failed = sum(line.startswith("FAIL") for line in lines[1:-1])
    if failed:
        assert lines[-1] == f"security context NOT as declared: {failed} of 11 checks failed"
        assert done.returncode == 1
    else:
        assert lines[-1] == "security context as declared: 11 checks passed"
        assert done.returncode == 0
    assert list(tmp_path.iterdir()) == []  # the probe's file is removed
    assert not Path("/.security-context-probe").exists()


def test_wrong_expected_values_fail(tmp_path: Path) -> None:
    uid, gid = os.getuid(), os.getgid()
    other = gid + 4242
    script = security_context_script(
        run_as_user=uid + 1,
        run_as_group=gid + 1,
        fs_group=other,
        mount_path=str(tmp_path),
    )
    done = run(script)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    groups = subprocess.run(["id", "-G"], capture_output=True, text=True).stdout.strip()
    for line in (
        f"FAIL uid: expected {uid + 1}, got {uid}",
        f"FAIL gid: expected {gid + 1}, got {gid}",
        f"FAIL group: expected {other} among the groups, got {groups}",
        f"FAIL volume-group: expected {other}, got {gid}",
        f"FAIL file-group: expected {other}, got {gid}",
    ):
        assert line in lines
    assert lines[-1].startswith("security context NOT as declared: ")


def test_a_missing_volume_fails_the_volume_checks(tmp_path: Path) -> None:
    gid = os.getgid()
    missing = tmp_path / "not-mounted"
    script = security_context_script(
        run_as_user=os.getuid(), run_as_group=gid, fs_group=gid, mount_path=str(missing)
    )
    done = run(script)
    assert done.returncode == 1
    assert f"FAIL volume-group: expected {gid}, got nothing" in done.stdout.splitlines()
    assert (
        f"FAIL file-group: expected a file created in {missing}, got a failed write"
        in done.stdout.splitlines()
    )


@pytest.mark.parametrize(
    "name", ["it's here", "$(touch PWNED)", "`touch PWNED`", '"; touch PWNED; "', "a\\b"]
)
def test_the_mount_path_is_data_not_shell(tmp_path: Path, name: str) -> None:
    volume = tmp_path / name
    volume.mkdir()
    gid = os.getgid()
    script = security_context_script(
        run_as_user=os.getuid(), run_as_group=gid, fs_group=gid, mount_path=str(volume)
    )
    done = subprocess.run(
        ["sh", "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert f"ok volume-group={gid}" in done.stdout.splitlines()
    assert f"ok file-group={gid}" in done.stdout.splitlines()
    assert f"volume={volume}" in done.stdout.splitlines()[0]
    assert not (tmp_path / "PWNED").exists()
    assert list(volume.iterdir()) == []


# -- the script, run as the kubelet would start the container ---------------------------------

_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2


class _SockFilter(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_ushort),
        ("jt", ctypes.c_ubyte),
        ("jf", ctypes.c_ubyte),
        ("k", ctypes.c_uint),
    ]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def _allow_all_seccomp_filter() -> None:
    """A seccomp filter that allows every call (BPF_RET|BPF_K SECCOMP_RET_ALLOW): the
    process is then in filter mode, ``Seccomp: 2``, as under RuntimeDefault."""
    program = (_SockFilter * 1)(_SockFilter(0x06, 0, 0, 0x7FFF0000))
    fprog = _SockFprog(1, program)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP)")


def _as_kubelet(
    script: str,
    volume: Path,
    *,
    uid: int,
    gid: int,
    groups: Sequence[int],
    fs_group: int,
    read_only_root: bool = True,
    no_new_privs: bool = True,
) -> subprocess.CompletedProcess[str]:
    os.chown(volume, -1, fs_group)
    os.chmod(volume, 0o2775)
    setpriv = [
        "setpriv",
        f"--reuid={uid}",
        f"--regid={gid}",
        f"--groups={','.join(str(g) for g in groups)}",
        "--bounding-set=-all",
        "--inh-caps=-all",
        *(["--no-new-privs"] if no_new_privs else []),
        "sh",
        "-c",
        script,
    ]
    inner = 'mount --bind "$1" "$1" && shift && '
    if read_only_root:
        inner += "mount -o remount,bind,ro / && "
    inner += 'exec "$@"'
    return subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", inner, "sh", str(volume)]
        + setpriv,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_allow_all_seccomp_filter,
    )


def _kubelet_like_runs_here() -> bool:
    if os.geteuid() != 0 or not (shutil.which("unshare") and shutil.which("setpriv")):
        return False
    try:
        done = subprocess.run(
            ["unshare", "--mount", "--propagation", "private", "true"],
            capture_output=True,
            timeout=30,
            preexec_fn=_allow_all_seccomp_filter,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


@pytest.fixture
def volume() -> Iterator[Path]:
    """The emptyDir: a folder the probe's UID can reach (pytest's tmp_path is root's only)."""
    with tempfile.TemporaryDirectory(prefix="sc-probe-", dir="/tmp") as folder:
        os.chmod(folder, 0o755)
        (Path(folder) / "demo").mkdir()
        yield Path(folder) / "demo"


kubelet_like = pytest.mark.skipif(
    not _kubelet_like_runs_here(),
    reason="needs root with unshare and setpriv to start a process as the kubelet would",
)


@kubelet_like
def test_as_the_kubelet_starts_it_every_check_passes(volume: Path, app: App) -> None:
    probe = SecurityContextProbe(
        Chart(app, "sc", namespace="x"),
        "probe",
        **NOTES,
        supplemental_groups=[4000],
        mount_path=str(volume),
        exemptions=[LOW_IDS],
    )
    done = _as_kubelet(probe.script, volume, uid=1000, gid=3000, groups=[2000, 4000], fs_group=2000)
    assert done.stdout.splitlines() == list(probe.expected_output), done.stderr
    assert done.returncode == 0
    assert list(volume.iterdir()) == []


@kubelet_like
def test_as_the_kubelet_starts_it_a_weaker_pod_fails(volume: Path) -> None:
    """A writable root filesystem and privilege escalation allowed: exactly those fail."""
    script = security_context_script(
        run_as_user=1000, run_as_group=3000, fs_group=2000, mount_path=str(volume)
    )
    done = _as_kubelet(
        script,
        volume,
        uid=1000,
        gid=3000,
        groups=[2000],
        fs_group=2000,
        read_only_root=False,
        no_new_privs=False,
    )
    lines = done.stdout.splitlines()
    assert [line for line in lines if not line.startswith("ok ")][1:] == [
        "FAIL no-new-privs: expected 1, got 0",
        "FAIL root-fs: expected ro, got rw",
        "security context NOT as declared: 2 of 11 checks failed",
    ], done.stdout
    # UID 1000 cannot write to / all the same: root-write alone would not show the gap
    assert "ok root-write=denied" in lines
    assert done.returncode == 1


@kubelet_like
def test_as_the_kubelet_starts_it_with_another_user_the_ids_fail(volume: Path) -> None:
    """A platform that assigns its own UIDs, without the fsGroup among the process's groups:
    the output documented in docs/troubleshooting.md."""
    script = security_context_script(
        run_as_user=1000, run_as_group=10001, fs_group=2000, mount_path=str(volume)
    )
    done = _as_kubelet(script, volume, uid=1000680000, gid=0, groups=[1000680000], fs_group=2000)
    assert done.stdout.replace(str(volume), "/data/demo").splitlines() == [
        "security context probe: uid=1000 gid=10001 fsGroup=2000 volume=/data/demo",
        "FAIL uid: expected 1000, got 1000680000",
        "FAIL gid: expected 10001, got 0",
        "FAIL group: expected 2000 among the groups, got 0 1000680000",
        "ok run-as-non-root=1000680000",
        "ok volume-group=2000",
        "FAIL file-group: expected a file created in /data/demo, got a failed write",
        "ok no-new-privs=1",
        "ok capabilities=0000000000000000",
        "ok seccomp=2",
        "ok root-fs=ro",
        "ok root-write=denied",
        "security context NOT as declared: 4 of 11 checks failed",
    ]
    assert done.returncode == 1


def test_the_documented_output_is_the_apps_probe() -> None:
    """docs/troubleshooting.md shows the logs of the probe in apps/security_context.py."""
    from apps import security_context

    docs = (Path(__file__).parents[2] / "docs" / "troubleshooting.md").read_text()
    section = docs.split("## Checking a security context on a live cluster", 1)[1]
    block = section.split("are exactly `probe.expected_output`:\n\n```\n", 1)[1].split("```")[0]
    app = App(outdir="unused")
    security_context.build(app)
    probes = [c for c in app.node.walk() if isinstance(c, SecurityContextProbe)]
    assert [p.name for p in probes] == ["security-context-probe"]
    assert tuple(block.splitlines()) == probes[0].expected_output
