"""``SecurityContextProbe``: the course notes' security-context exercise as one construct.

The notes check a security context by hand: ``kubectl exec -it security-context-pod -- sh``,
``ps aux`` to see the processes run as UID 1000, ``cd /data/demo`` and ``echo LinuxAcademy >
test`` to see the file owned by group 2000 (the fsGroup). The probe is that exercise as a Job
a GitOps tool applies: a pod with the security context under test, whose script compares
what the kernel says about its own process with the values it was given and fails when the
cluster ran it otherwise (a mutating webhook or a platform policy that rewrites UIDs, a
runtime that ignores fsGroup on the volume, a missing ``no_new_privs``).

The script is built from typed values only: the UIDs and GIDs are ints in the Kubernetes
range, the mount path is validated and inserted once, quoted with :func:`shlex.quote`, so no
value can change what the shell runs.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence

from k8sdsl.core._construct import Construct
from k8sdsl.core._dns import DnsPolicy
from k8sdsl.core._findings import Finding, K8sDslError, Severity
from k8sdsl.core._images import BUSYBOX_IMAGE
from k8sdsl.security._exemptions import Exemption
from k8sdsl.volumes._volume import Volume
from k8sdsl.workloads._deployment import Job
from k8sdsl.workloads._secure import SECURE_UID, SecurePodTemplate
from k8sdsl.workloads._security_context import PodSecurityContext

_NAME_LABEL = "app.kubernetes.io/name"
_COMPONENT_LABEL = "app.kubernetes.io/component"

#: the bounding set of a container that drops ALL capabilities and adds none
NO_CAPABILITIES = "0000000000000000"
#: ``Seccomp:`` in /proc/self/status under a filter (RuntimeDefault): 2, "filter mode"
SECCOMP_FILTER = "2"

# The helpers of the script. ``expect NAME WANT GOT`` prints ``ok NAME=GOT`` or ``FAIL NAME:
# expected WANT, got GOT`` and counts; every check runs, so one run shows every difference,
# and the exit status is 1 when any failed. printf, not echo: dash's echo expands the
# backslashes of a path.
_PRELUDE = r"""set -u
checks=0
failed=0
ok() { checks=$((checks + 1)); printf '%s\n' "ok $1"; }
fail() {
  checks=$((checks + 1)); failed=$((failed + 1))
  printf '%s\n' "FAIL $1: expected $2, got ${3:-nothing}"
}
expect() { if [ "$3" = "$2" ]; then ok "$1=$3"; else fail "$1" "$2" "$3"; fi; }
status() { sed -n "s/^$1:[[:space:]]*//p" /proc/self/status; }
"""

# The root filesystem's mount options (the last "/" entry is the container's own), and a
# write to it: readOnlyRootFilesystem mounts it read-only, so even root could not write.
_ROOT_FS = r"""
root=$(awk '$2 == "/" { o = $4 } END { sub(/,.*/, "", o); print o }' /proc/self/mounts)
expect root-fs ro "$root"
if ( : > /.security-context-probe ) 2>/dev/null; then
  rm -f /.security-context-probe
  fail root-write denied written
else
  ok root-write=denied
fi
"""

_VERDICT = r"""if [ "$failed" -eq 0 ]; then
  echo "security context as declared: $checks checks passed"
  exit 0
fi
echo "security context NOT as declared: $failed of $checks checks failed"
exit 1
"""


def _groups(fs_group: int, supplemental_groups: Sequence[int]) -> tuple[int, ...]:
    """fsGroup first, then the supplemental groups, each once."""
    return tuple(dict.fromkeys((fs_group, *supplemental_groups)))


def security_context_script(
    *,
    run_as_user: int,
    run_as_group: int,
    fs_group: int,
    mount_path: str,
    supplemental_groups: Sequence[int] = (),
) -> str:
    """The shell script of the probe Job (POSIX ``sh``, busybox's tools).

    Each check prints one line, ``ok <check>=<value>`` or ``FAIL <check>: expected <want>,
    got <value>``, in this order: ``uid`` (``id -u``), ``gid`` (``id -g``), one ``group``
    per expected supplementary group (fsGroup and ``supplemental_groups`` among ``id -G``;
    the image's own groups may be there too), ``run-as-non-root`` (the UID is not 0),
    ``volume-group`` (``stat -c %g`` of the mount path is fsGroup), ``file-group`` (a file
    created there belongs to fsGroup), ``no-new-privs`` (``NoNewPrivs: 1`` in
    /proc/self/status: allowPrivilegeEscalation false), ``capabilities`` (an empty bounding
    set: all dropped), ``seccomp`` (2, a filter: RuntimeDefault), ``root-fs`` (``/`` mounted
    ``ro``) and ``root-write`` (a write to ``/`` fails). The last line is the verdict; the
    exit status is 1 when any check failed.

    The values must be ints and the path a string: they are formatted as ints and inserted
    quoted, never as shell text.
    """
    ids = [run_as_user, run_as_group, fs_group, *supplemental_groups]
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise TypeError("user and group ids must be ints")
    if not isinstance(mount_path, str):
        raise TypeError("mount_path must be a string")
    groups = _groups(fs_group, supplemental_groups)
    lines = [
        _PRELUDE.rstrip("\n"),
        f"volume={shlex.quote(mount_path)}",
        f"printf '%s\\n' \"security context probe: uid={run_as_user:d} gid={run_as_group:d} "
        f'fsGroup={fs_group:d} volume=$volume"',
        f'expect uid {run_as_user:d} "$(id -u)"',
        f'expect gid {run_as_group:d} "$(id -g)"',
        'groups=" $(id -G) "',
    ]
    for group in groups:
        lines += [
            'case "$groups" in',
            f'  *" {group:d} "*) ok group={group:d} ;;',
            f'  *) fail group "{group:d} among the groups" "$(id -G)" ;;',
            "esac",
        ]
    lines += [
        "uid=$(id -u)",
        'if [ "$uid" != 0 ]; then ok "run-as-non-root=$uid"; '
        'else fail run-as-non-root "a UID other than 0" "$uid"; fi',
        f'expect volume-group {fs_group:d} "$(stat -c %g "$volume")"',
        'file="$volume/.security-context-probe.$$"',
        'if ( : > "$file" ) 2>/dev/null; then',
        f'  expect file-group {fs_group:d} "$(stat -c %g "$file")"',
        '  rm -f "$file"',
        "else",
        '  fail file-group "a file created in $volume" "a failed write"',
        "fi",
        'expect no-new-privs 1 "$(status NoNewPrivs)"',
        f'expect capabilities {NO_CAPABILITIES} "$(status CapBnd)"',
        f'expect seccomp {SECCOMP_FILTER} "$(status Seccomp)"',
        _ROOT_FS.strip("\n"),
        _VERDICT.rstrip("\n"),
    ]
    return "\n".join(lines) + "\n"


def security_context_output(
    *,
    run_as_user: int,
    run_as_group: int,
    fs_group: int,
    mount_path: str,
    supplemental_groups: Sequence[int] = (),
) -> tuple[str, ...]:
    """The lines :func:`security_context_script` prints when every check holds: what
    ``kubectl logs job/<name>`` shows for a cluster that runs the pod as declared."""
    groups = _groups(fs_group, supplemental_groups)
    checks = [
        f"ok uid={run_as_user}",
        f"ok gid={run_as_group}",
        *(f"ok group={g}" for g in groups),
        f"ok run-as-non-root={run_as_user}",
        f"ok volume-group={fs_group}",
        f"ok file-group={fs_group}",
        "ok no-new-privs=1",
        f"ok capabilities={NO_CAPABILITIES}",
        f"ok seccomp={SECCOMP_FILTER}",
        "ok root-fs=ro",
        "ok root-write=denied",
    ]
    return (
        f"security context probe: uid={run_as_user} gid={run_as_group} fsGroup={fs_group} "
        f"volume={mount_path}",
        *checks,
        f"security context as declared: {len(checks)} checks passed",
    )


class SecurityContextProbe(Construct):
    """A Job whose pod checks, on the live cluster, that it runs with the security context
    it declares.

    The pod is a ``SecurePodTemplate`` pod (restricted profile: runAsNonRoot, seccomp
    RuntimeDefault, ``allowPrivilegeEscalation: false``, a read-only root filesystem, all
    capabilities dropped, no service account token; ``dnsPolicy: Default``, since it
    resolves no names) with ``runAsUser: run_as_user``, ``runAsGroup: run_as_group``,
    ``fsGroup: fs_group`` (each defaults to SecurePod's 10001) and ``supplementalGroups``,
    and an emptyDir (1 MiB, named ``probe-volume``) mounted at ``mount_path`` (default
    ``/data/demo``, the notes' path). The ids must be ints (a bool, a float or a string,
    even ``"1000"``, is ``construct/argument-type``); a mount path of ``/`` is
    ``workloads/probe-mount-path``. It runs busybox
    (:data:`BUSYBOX_IMAGE`, pinned by tag and digest) with :func:`security_context_script`,
    whose every check prints ``ok ...`` or ``FAIL ...``; ``expected_output`` holds the lines of
    a run where everything holds. Read them with ``kubectl logs job/<name>``; the Job fails
    (``backoff_limit`` retries, default 0: the answer does not change on a retry;
    ``active_deadline_seconds``, default 120) when any check fails.

    UIDs or GIDs below 10000 need an ``Exemption(control="run-as-user-below-10000", ...)`` in
    ``exemptions``, as for any SecurePod. The pod needs no network and no API access: isolate
    it with a ``DefaultDenyPolicy``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str = "security-context-probe",
        namespace: str | None = None,
        run_as_user: int = SECURE_UID,
        run_as_group: int = SECURE_UID,
        fs_group: int = SECURE_UID,
        supplemental_groups: Sequence[int] = (),
        mount_path: str = "/data/demo",
        image: str = BUSYBOX_IMAGE,
        exemptions: Sequence[Exemption] = (),
        labels: Mapping[str, str] | None = None,
        backoff_limit: int = 0,
        active_deadline_seconds: int = 120,
    ) -> None:
        super().__init__(scope, id)
        self._check_ids(
            run_as_user=run_as_user,
            run_as_group=run_as_group,
            fs_group=fs_group,
            supplemental_groups=supplemental_groups,
        )
        with self._values():
            context = PodSecurityContext(
                run_as_non_root=True,
                run_as_user=run_as_user,
                run_as_group=run_as_group,
                fs_group=fs_group,
                supplemental_groups=tuple(supplemental_groups) or None,
            )
            volume = Volume.empty_dir("probe-volume", size_limit="1Mi")
            mount = volume.mount(mount_path)
        if mount.mount_path.rstrip("/") == "":
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR,
                        "workloads/probe-mount-path",
                        "the probe's volume cannot be mounted at '/': the root filesystem "
                        "is what the probe checks is read-only",
                        self._ref(),
                        "mount_path",
                        "mount it where the app mounts its volume, e.g. '/data/demo'",
                    )
                ],
                summary=f"invalid SecurityContextProbe at {self.node.path}",
            )
        # the validated values: the script is built from ints and a checked path only
        self.run_as_user: int = run_as_user
        self.run_as_group: int = run_as_group
        self.fs_group: int = fs_group
        self.supplemental_groups: tuple[int, ...] = tuple(supplemental_groups)
        self.mount_path: str = mount.mount_path
        self.script: str = security_context_script(
            run_as_user=self.run_as_user,
            run_as_group=self.run_as_group,
            fs_group=self.fs_group,
            mount_path=self.mount_path,
            supplemental_groups=self.supplemental_groups,
        )
        self.expected_output: tuple[str, ...] = security_context_output(
            run_as_user=self.run_as_user,
            run_as_group=self.run_as_group,
            fs_group=self.fs_group,
            mount_path=self.mount_path,
            supplemental_groups=self.supplemental_groups,
        )
        pod_labels = {_NAME_LABEL: name, _COMPONENT_LABEL: "security-context-probe"}
        #: the labels of the probe's pod: a NetworkPolicy's ``pod_selector``
        self.pod_labels: dict[str, str] = pod_labels
        with self._values():
            template = SecurePodTemplate(
                image=image,
                container_name="probe",
                command=("sh", "-c", self.script),
                mounts=(mount,),
                security_context=context,
                labels=pod_labels,
                # it resolves no names: without cluster DNS it works where all egress is denied
                dns_policy=DnsPolicy.DEFAULT,
                exemptions=tuple(exemptions) or None,
            )
        self.job = Job(
            self,
            "job",
            name=name,
            template=template,
            backoff_limit=backoff_limit,
            active_deadline_seconds=active_deadline_seconds,
            namespace=namespace,
            labels=labels,
        )
        self.name: str = name

    def _check_ids(
        self,
        *,
        run_as_user: object,
        run_as_group: object,
        fs_group: object,
        supplemental_groups: object,
    ) -> None:
        """Ints only: the script prints and compares them, so a string (even a numeric one),
        a float or a bool is refused here rather than coerced."""
        ids: list[tuple[str, object]] = [
            ("run_as_user", run_as_user),
            ("run_as_group", run_as_group),
            ("fs_group", fs_group),
        ]
        if isinstance(supplemental_groups, (list, tuple)):
            ids += [(f"supplemental_groups[{i}]", g) for i, g in enumerate(supplemental_groups)]
        else:
            ids.append(("supplemental_groups", supplemental_groups))
        problems = [
            Finding(
                Severity.ERROR,
                "construct/argument-type",
                f"SecurityContextProbe {path}= must be a user or group id (an int), "
                f"not {type(value).__name__} {value!r}",
                self._ref(),
                path,
                "give supplemental_groups= a list of ints, e.g. [4000]"
                if path.startswith("supplemental_groups")
                else f"give {path}= an int, e.g. {path}=2000",
            )
            for path, value in ids
            if not isinstance(value, int) or isinstance(value, bool)
        ]
        if problems:
            raise K8sDslError(problems, summary=f"invalid SecurityContextProbe at {self.node.path}")


__all__ = [
    "NO_CAPABILITIES",
    "SECCOMP_FILTER",
    "SecurityContextProbe",
    "security_context_output",
    "security_context_script",
]
