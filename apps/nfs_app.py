"""The notes' "applications and persistent storage" walk-through, as it should have been written.

The notes export ``/var/nfs/general`` from an NFS server (owned by ``nobody:nogroup``),
create a PersistentVolume ``lapv`` for it, a claim ``nfs-pvc``, and a busybox pod running as
65534 that mounts the claim at ``/tmp``. Their YAML cannot be applied as printed: the
reclaim-policy key is capitalised (``PersistentVolumeReclaimPolicy``), so the API server
drops it; the claim's ``Resources: Requests: Storage:`` is not ``resources.requests.storage``,
so the claim requests nothing and is rejected; the pod's ``claimName: nfs-PVC`` names no claim
(names are lowercase); the server address is blank; and Recycle is deprecated.

Here one :class:`~k8sdsl.NfsVolume` makes the PV and a claim bound to it (both ways, class
``""``, so no default StorageClass can capture the claim), the pod mounts that claim by
reference (its name cannot be mistyped), and the data is retained when the claim goes.
The server side is one line of ``/etc/exports``: :func:`exports_line`.
"""

from __future__ import annotations

from k8sdsl import App, Chart
from k8sdsl.network import BUSYBOX_IMAGE
from k8sdsl.storage import NfsExport, NfsVolume, ReclaimPolicy
from k8sdsl.volumes import AccessMode
from k8sdsl.workloads import PodSecurityContext, SecurePod

#: the NFS server of the walk-through (the notes leave its address blank)
NFS_SERVER = "10.0.0.5"
#: the exported directory, ``chown nobody:nogroup`` on the server
NFS_PATH = "/var/nfs/general"
#: who may mount the export: the cluster's node network ("add IPs" in the notes)
NODE_NETWORK = "10.0.0.0/24"
#: nobody:nogroup, the owner of the export: with root squashing on (the default), it is who
#: every client is on the server anyway. At least 10000, so the pod stays "restricted".
NOBODY = 65534


def exports_line() -> str:
    """The line the notes add to the server's ``/etc/exports`` by hand:
    ``/var/nfs/general 10.0.0.0/24(rw,sync,no_subtree_check)``."""
    return NfsExport(path=NFS_PATH, clients=(NODE_NETWORK,)).line()


def _volume(chart: Chart) -> NfsVolume:
    return NfsVolume(
        chart,
        "nfs-pvc",
        server=NFS_SERVER,
        path=NFS_PATH,
        capacity="1Gi",
        access_modes=[AccessMode.READ_WRITE_MANY],
        reclaim_policy=ReclaimPolicy.RETAIN,
    )


def build(app: App) -> None:
    chart = Chart(app, "nfs-app", namespace="apps", labels={"app.kubernetes.io/part-of": "nfs-app"})
    nfs = _volume(chart)
    SecurePod(
        chart,
        "nfs-pod",
        labels={"name": "nfs-pod"},
        image=BUSYBOX_IMAGE,
        container_name="nfs-ctn",
        command=["sleep", "3600"],
        mounts=[nfs.mount("/tmp")],
        security_context=PodSecurityContext(
            run_as_user=NOBODY, run_as_group=NOBODY, fs_group=NOBODY
        ),
    )


if __name__ == "__main__":  # pragma: no cover - a convenience for the NFS server's admin
    print(exports_line())
