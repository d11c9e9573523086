"""Dynamic provisioning: a StorageClass, a claim of that class, and the pod that consumes it.

The notes' provisioning section: "Dynamic: used when none of the static PVs match the PVC;
based on StorageClasses; the PVC must request a created and configured storage class". No
PersistentVolume is written here: the class's provisioner (the AWS EBS CSI driver) creates
one for the claim. The class binds with ``WaitForFirstConsumer``, so the disk is created in
the zone where the scheduler puts the pod, and only once a pod uses the claim (hence the
pod). ``reclaimPolicy: Delete`` removes the disk with the claim; ``allowVolumeExpansion``
lets the claim grow later by raising its request.

The class is not marked default: claims name it. Marking it default would hand it to every
claim that sets no ``storageClassName`` (see ``storage/default-class-trap``).
"""

from __future__ import annotations

from k8sdsl import App, Chart
from k8sdsl.network import BUSYBOX_IMAGE
from k8sdsl.storage import PersistentVolumeClaim, ReclaimPolicy, StorageClass, VolumeBindingMode
from k8sdsl.volumes import AccessMode
from k8sdsl.workloads import SecurePod


def build(app: App) -> None:
    chart = Chart(
        app,
        "dynamic-storage",
        namespace="apps",
        labels={"app.kubernetes.io/part-of": "dynamic-storage"},
    )
    fast = StorageClass(
        chart,
        "fast-ssd",
        provisioner="ebs.csi.aws.com",
        parameters={"type": "gp3", "encrypted": "true"},
        reclaim_policy=ReclaimPolicy.DELETE,
        volume_binding_mode=VolumeBindingMode.WAIT_FOR_FIRST_CONSUMER,
        allow_volume_expansion=True,
    )
    claim = PersistentVolumeClaim(
        chart,
        "reports-data",
        storage="20Gi",
        access_modes=[AccessMode.READ_WRITE_ONCE],
        storage_class=fast,
    )
    SecurePod(
        chart,
        "report-writer",
        image=BUSYBOX_IMAGE,
        command=["sh", "-c", "date >> /data/runs.log && sleep 3600"],
        mounts=[claim.mount("/data", name="data")],
    )
