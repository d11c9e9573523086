"""NfsVolume: the notes' "applications and persistent storage" walk-through, done right.

The notes create an NFS export by hand (``/etc/exports``), a PV for it, a claim, and a pod
that mounts the claim. Written by hand that is four places to keep in step, and the notes'
YAML gets three of them wrong (``PersistentVolumeReclaimPolicy``, ``Resources: Requests:
Storage:``, ``claimName: nfs-PVC``). ``NfsVolume`` makes the PV and a claim bound to it from
one set of facts, hands out the pod volume, and writes the server's exports line.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from typing import Annotated

from pydantic import AfterValidator, field_validator
from pydantic_core import PydanticCustomError

from k8sdsl.core._construct import Construct
from k8sdsl.core._findings import Finding, K8sDslError, Severity
from k8sdsl.core._model import K8sModel
from k8sdsl.core._quantity import Quantity
from k8sdsl.core._types import AbsolutePath, dns_fix
from k8sdsl.storage._values import ReclaimPolicy
from k8sdsl.storage._volumes_and_claims import NO_CLASS, PersistentVolume, PersistentVolumeClaim
from k8sdsl.volumes import AccessMode, Mount, ObjectReference, Volume

#: the exports(5) options the notes' server should use: read-write, replies only after the
#: data is on disk, and no subtree checking (which breaks renames of open files)
DEFAULT_EXPORT_OPTIONS: tuple[str, ...] = ("rw", "sync", "no_subtree_check")

_OPTION_RE = re.compile(r"^[a-z_]+(=[^\s,()]+)?$")
_HOST_RE = re.compile(r"^(@[A-Za-z0-9._-]+|[A-Za-z0-9*?.\[\]-]+)$")
_CONFLICTS = (
    ("rw", "ro"),
    ("sync", "async"),
    ("root_squash", "no_root_squash"),
    ("subtree_check", "no_subtree_check"),
    ("secure", "insecure"),
)


def check_export_client(value: str) -> str:
    """A client of an export: a host name, an IP address, a CIDR network, a wildcard
    (``*.example.com``) or a netgroup (``@trusted``)."""
    if "/" in value:
        try:
            ipaddress.ip_network(value, strict=True)
        except ValueError:
            try:
                net = ipaddress.ip_network(value, strict=False)
            except ValueError:
                raise PydanticCustomError(
                    "export_client",
                    "is not a network (address/prefix-length)",
                    {"hint": "for example '10.0.0.0/24'", "value": value},
                ) from None
            raise PydanticCustomError(
                "export_client",
                "has host bits set: the address is not the start of its network",
                {"hint": f"use {str(net)!r}", "value": value},
            ) from None
        return value
    try:
        ipaddress.ip_address(value)
        return value
    except ValueError:
        pass
    if not _HOST_RE.match(value):
        raise PydanticCustomError(
            "export_client",
            "is not an NFS client: use a host name, an IP address, a CIDR network, a wildcard "
            "or an @netgroup",
            {"hint": "for example '10.0.0.0/24' (the cluster's node network)", "value": value},
        )
    return value


def check_export_option(value: str) -> str:
    if not _OPTION_RE.match(value):
        raise PydanticCustomError(
            "export_option",
            "is not an exports(5) option",
            {
                "hint": "one option per item, for example 'rw', 'sync' or 'anonuid=65534'",
                "value": value,
            },
        )
    return value


def check_export_path(value: str) -> str:
    if any(c.isspace() for c in value):
        raise PydanticCustomError(
            "export_path",
            "contains whitespace, which /etc/exports would split",
            {"hint": "use a path without spaces", "value": value},
        )
    return value


ExportClient = Annotated[str, AfterValidator(check_export_client)]
"""Who may mount an export: host name, IP, CIDR network, wildcard or ``@netgroup``."""

ExportOption = Annotated[str, AfterValidator(check_export_option)]
"""One exports(5) option (``rw``, ``sync``, ``no_subtree_check``, ``anonuid=65534``)."""

ExportPath = Annotated[AbsolutePath, AfterValidator(check_export_path)]
"""The exported directory on the NFS server: absolute, without whitespace."""


class NfsExport(K8sModel):
    """One line of the NFS server's ``/etc/exports``: the directory, the clients that may
    mount it, and the options each gets.

    ``options`` defaults to ``rw,sync,no_subtree_check``. Squashing stays on (exports(5)
    defaults to ``root_squash``), so root in a container is ``nobody`` on the server: own the
    directory by ``nobody:nogroup`` and run the pod as 65534, as the notes do.
    """

    k8s_type = "NfsExport"

    path: ExportPath
    clients: tuple[ExportClient, ...]
    options: tuple[ExportOption, ...] = DEFAULT_EXPORT_OPTIONS

    @field_validator("clients")
    @classmethod
    def _someone(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # checked after the items, so a bad client is reported once, at its index
        if not value:
            raise PydanticCustomError(
                "export_clients",
                "an export needs at least one client",
                {"hint": "for example clients=['10.0.0.0/24'] (the cluster's node network)"},
            )
        return value

    @field_validator("options")
    @classmethod
    def _no_conflicts(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        names = {opt.split("=", 1)[0] for opt in value}
        for a, b in _CONFLICTS:
            if a in names and b in names:
                raise PydanticCustomError(
                    "export_option",
                    "options {a} and {b} contradict each other",
                    {"a": a, "b": b, "hint": f"keep one of {a!r} and {b!r}"},
                )
        return value

    def line(self) -> str:
        """The ``/etc/exports`` line: ``/var/nfs/general 10.0.0.0/24(rw,sync,no_subtree_check)``."""
        opts = ",".join(self.options)
        return " ".join([self.path, *(f"{client}({opts})" for client in self.clients)])


class NfsVolume(Construct):
    """An NFS export as a PersistentVolume, a claim bound to it, and the pod volume.

    ``NfsVolume(chart, "data", server="10.0.0.5", path="/var/nfs/general", capacity="1Gi")``
    creates:

    * a PersistentVolume (``<namespace>-<claim name>`` unless ``volume_name`` is given) with
      the ``nfs`` source, ``capacity``, ``access_modes`` (default ``[ReadWriteMany]``),
      ``reclaim_policy`` (default ``Retain``: deleting the claim keeps the data) and
      ``mountOptions`` ``nfsvers=<nfs_version>`` (default ``4.1``; ``None`` lets the client
      negotiate) plus ``mount_options``;
    * a PersistentVolumeClaim (named ``claim_name``, default the construct id) requesting the
      same capacity and modes.

    The pair is bound both ways (``volumeName`` on the claim, ``claimRef`` on the PV) and
    both have ``storageClassName: ""``, so no default StorageClass can capture the claim and
    no other claim can take the PV. ``volume()`` and ``mount()`` give what pods need;
    ``export(clients=...)`` gives the server's ``/etc/exports`` line.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        server: str,
        path: str,
        capacity: str | int | Quantity,
        access_modes: Sequence[AccessMode] = (AccessMode.READ_WRITE_MANY,),
        reclaim_policy: ReclaimPolicy = ReclaimPolicy.RETAIN,
        nfs_version: str | None = "4.1",
        mount_options: Sequence[str] = (),
        read_only: bool | None = None,
        namespace: str | None = None,
        claim_name: str | None = None,
        volume_name: str | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id)
        claim_name = claim_name if claim_name is not None else id
        chart = self.find_chart()
        ns = namespace if namespace is not None else getattr(chart, "namespace", None)
        if not ns:
            raise K8sDslError(
                [
                    Finding(
                        Severity.ERROR,
                        "storage/nfs-namespace",
                        "NfsVolume needs a namespace: its PV (cluster-scoped) reserves the "
                        "claim by namespace and name",
                        self._ref(),
                        "namespace",
                        "pass namespace=..., or give the chart a namespace",
                    )
                ],
                summary=f"invalid NfsVolume at {self.node.path}",
            )
        options = [*([f"nfsvers={nfs_version}"] if nfs_version else []), *mount_options]
        self.server = server
        self.path = path
        self.persistent_volume = PersistentVolume.nfs(
            self,
            "volume",
            name=volume_name if volume_name is not None else dns_fix(f"{ns}-{claim_name}"),
            server=server,
            path=path,
            read_only=read_only,
            capacity=capacity,
            access_modes=access_modes,
            reclaim_policy=reclaim_policy,
            mount_options=options or None,
            storage_class=NO_CLASS,
            claim_ref=ObjectReference(name=claim_name, namespace=ns),
            labels=labels,
        )
        self.claim = PersistentVolumeClaim(
            self,
            "claim",
            name=claim_name,
            namespace=ns,
            storage=capacity,
            access_modes=access_modes,
            storage_class=NO_CLASS,
            volume=self.persistent_volume,
            labels=labels,
        )

    @property
    def claim_name(self) -> str:
        return self.claim.name

    def volume(self, name: str | None = None, *, read_only: bool | None = None) -> Volume:
        """The pod volume for the claim. ``name`` defaults to the claim name made a DNS label."""
        return self.claim.volume(name, read_only=read_only)

    def mount(
        self,
        mount_path: str,
        *,
        name: str | None = None,
        read_only: bool | None = None,
        sub_path: str | None = None,
    ) -> Mount:
        """The claim mounted at ``mount_path`` in a container; the pod lists the volume once."""
        return self.claim.mount(mount_path, name=name, read_only=read_only, sub_path=sub_path)

    def export(
        self, *, clients: Sequence[str], options: Sequence[str] = DEFAULT_EXPORT_OPTIONS
    ) -> NfsExport:
        """The server side: ``nfs.export(clients=["10.0.0.0/24"]).line()`` is the line to add
        to ``/etc/exports`` (then ``exportfs -ra``)."""
        with self._values():
            return NfsExport(path=self.path, clients=tuple(clients), options=tuple(options))

    def exports_line(
        self, *, clients: Sequence[str], options: Sequence[str] = DEFAULT_EXPORT_OPTIONS
    ) -> str:
        """``export(...).line()``: ``/var/nfs/general 10.0.0.0/24(rw,sync,no_subtree_check)``."""
        return self.export(clients=clients, options=options).line()


__all__ = ["DEFAULT_EXPORT_OPTIONS", "ExportClient", "ExportOption", "NfsExport", "NfsVolume"]
