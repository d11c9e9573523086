"""The notes' "defining security contexts" example (``security.yaml``), written in k8sdsl.

The notes' pod runs as UID 1000 with fsGroup 2000, mounts an emptyDir at ``/data/demo`` and
forbids privilege escalation; ``kubectl exec`` into it shows the processes running as 1000
and files written under ``/data/demo`` owned by group 2000. Their YAML cannot be applied as
printed: ``Security-context.pod`` is not a valid pod name (uppercase and a dot where the
walk-through later types ``security-context-pod``), and ``runAsuser`` is not a field, so a
lenient client drops it and the pod silently runs as the image's user. In k8sdsl the name is
checked and ``run_as_user`` is a typed field (``runAsuser`` is an error with "did you
mean 'run_as_user'?").

A SecurePod keeps everything else the notes leave open: runAsNonRoot, seccomp
RuntimeDefault, a read-only root filesystem (the demo writes into ``/data/demo``, the
emptyDir), all capabilities dropped, no service account token, requests and limits.
UID 1000 is below 10000, the floor scanners expect, so the pod states its exemption: the
sample image's files belong to UID 1000's world, and that is the point of the lesson.

The notes then check the context by hand with ``kubectl exec``; the ``security-context-probe``
Job (a ``SecurityContextProbe``) does it on the live cluster with the pod's own values (UID
1000, GID 10001, fsGroup 2000, an emptyDir at ``/data/demo``) and fails when the cluster ran
it otherwise: ``kubectl logs -n apps job/security-context-probe`` prints one ``ok`` or
``FAIL`` line per check. It needs no network, so it is isolated in both directions.
"""

from __future__ import annotations

from k8sdsl import App, Chart, SecurityContextProbe
from k8sdsl.network import DefaultDenyPolicy, PolicyDirection
from k8sdsl.security import Control, Exemption
from k8sdsl.volumes import Volume
from k8sdsl.workloads import SECURE_UID, ContainerPort, PodSecurityContext, SecurePod

#: the notes' sample image (node-hello listens on 8080)
IMAGE = "gcr.io/google-samples/node-hello:1.0"
#: the notes' runAsUser and fsGroup; the notes set no runAsGroup, so SecurePod's default
RUN_AS_USER = 1000
RUN_AS_GROUP = SECURE_UID
FS_GROUP = 2000
MOUNT_PATH = "/data/demo"

EXEMPTIONS = (
    Exemption(
        control=Control.RUN_AS_USER_BELOW_10000,
        reason="the notes' lesson runs as UID 1000 to show runAsUser at work; the pod "
        "stays non-root and restricted",
    ),
    Exemption(
        control=Control.IMAGE_DIGEST,
        reason="the notes' sample image is referenced by tag; pin its digest before "
        "using it outside the course",
    ),
)


def build(app: App) -> None:
    chart = Chart(
        app,
        "security-context",
        namespace="apps",
        labels={"app.kubernetes.io/part-of": "security-context"},
    )
    demo = Volume.empty_dir("sam-vol")
    pod = SecurePod(
        chart,
        "security-context-pod",
        image=IMAGE,
        container_name="sample-container",
        ports=[ContainerPort.tcp(8080, name="http")],
        mounts=[demo.mount(MOUNT_PATH)],
        security_context=PodSecurityContext(
            run_as_user=RUN_AS_USER, run_as_group=RUN_AS_GROUP, fs_group=FS_GROUP
        ),
        exemptions=EXEMPTIONS,
    )
    # The demo is used through kubectl exec: nothing needs to reach it over the network.
    DefaultDenyPolicy(
        chart,
        "security-context-pod-isolation",
        direction=PolicyDirection.INGRESS,
        pod_selector=pod.labels,
    )
    # The notes' kubectl exec check, as a Job: the same context, verified on the cluster.
    probe = SecurityContextProbe(
        chart,
        "security-context-probe",
        run_as_user=RUN_AS_USER,
        run_as_group=RUN_AS_GROUP,
        fs_group=FS_GROUP,
        mount_path=MOUNT_PATH,
        exemptions=EXEMPTIONS[:1],
    )
    DefaultDenyPolicy(chart, "security-context-probe-isolation", pod_selector=probe.pod_labels)
