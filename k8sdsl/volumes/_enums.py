"""Kubernetes strings of the volume API, as str-valued enums (``AccessMode.READ_WRITE_MANY``
renders ``ReadWriteMany``)."""

from __future__ import annotations

from enum import StrEnum


class AccessMode(StrEnum):
    """How a PersistentVolume can be mounted (``accessModes``).

    A volume is mounted with one mode at a time, whatever it supports. ``READ_WRITE_ONCE_POD``
    (GA 1.29) works only with CSI volumes and cannot be combined with other modes.
    """

    READ_WRITE_ONCE = "ReadWriteOnce"
    READ_ONLY_MANY = "ReadOnlyMany"
    READ_WRITE_MANY = "ReadWriteMany"
    READ_WRITE_ONCE_POD = "ReadWriteOncePod"


class VolumeMode(StrEnum):
    """Whether a claim or PV is a filesystem (the default when unset) or a raw block device."""

    FILESYSTEM = "Filesystem"
    BLOCK = "Block"


class HostPathType(StrEnum):
    """What the kubelet checks (or creates) at a hostPath before mounting it.

    ``UNSET`` (``""``, the default) performs no check, for backward compatibility.
    ``DIRECTORY_OR_CREATE`` creates the directory (0755, kubelet's owner and group);
    ``FILE_OR_CREATE`` creates the file (0644) but not its parent directory.
    ``CHAR_DEVICE`` and ``BLOCK_DEVICE`` exist on Linux nodes only.
    """

    UNSET = ""
    DIRECTORY_OR_CREATE = "DirectoryOrCreate"
    DIRECTORY = "Directory"
    FILE_OR_CREATE = "FileOrCreate"
    FILE = "File"
    SOCKET = "Socket"
    CHAR_DEVICE = "CharDevice"
    BLOCK_DEVICE = "BlockDevice"


class StorageMedium(StrEnum):
    """Where an emptyDir lives.

    ``DEFAULT`` (``""``) is the node's disk. ``MEMORY`` is a tmpfs counted against the
    container's memory limit; without ``size_limit`` it may grow to the node's allocatable
    memory. ``HUGE_PAGES`` uses pre-allocated huge pages; for one page size use
    ``EmptyDirVolumeSource.huge_pages(page_size="2Mi")`` (``HugePages-2Mi``).
    """

    DEFAULT = ""
    MEMORY = "Memory"
    HUGE_PAGES = "HugePages"


class MountPropagation(StrEnum):
    """How mounts propagate between a container and the host (``mountPropagation``).

    ``NONE`` (the default, Linux ``rprivate``): the container sees no later host mounts.
    ``HOST_TO_CONTAINER`` (``rslave``): the container sees mounts the host makes later.
    ``BIDIRECTIONAL`` (``rshared``): also the host sees mounts the container makes; the API
    server accepts it only in privileged containers.
    """

    NONE = "None"
    HOST_TO_CONTAINER = "HostToContainer"
    BIDIRECTIONAL = "Bidirectional"


class RecursiveReadOnly(StrEnum):
    """Whether a read-only mount is read-only in its submounts too (API field 1.30; gate
    ``RecursiveReadOnlyMounts`` on by default from 1.31, and 1.30 drops the field unless the
    cluster turned the gate on).

    ``DISABLED`` is the default. ``ENABLED`` needs ``read_only=True`` and no propagation (or
    ``NONE``), and fails the pod on a runtime that cannot do it; ``IF_POSSIBLE`` falls back.
    """

    DISABLED = "Disabled"
    IF_POSSIBLE = "IfPossible"
    ENABLED = "Enabled"


class AzureDataDiskCachingMode(StrEnum):
    """Host caching of an Azure data disk (``azureDisk.cachingMode``; default ReadWrite)."""

    NONE = "None"
    READ_ONLY = "ReadOnly"
    READ_WRITE = "ReadWrite"


class AzureDataDiskKind(StrEnum):
    """Kind of an Azure data disk (``azureDisk.kind``; default Shared)."""

    SHARED = "Shared"
    DEDICATED = "Dedicated"
    MANAGED = "Managed"


class ScaleIoStorageMode(StrEnum):
    """Provisioning of a ScaleIO volume (``scaleIO.storageMode``; default ThinProvisioned)."""

    THIN_PROVISIONED = "ThinProvisioned"
    THICK_PROVISIONED = "ThickProvisioned"


class PodCertificateKeyType(StrEnum):
    """The key the kubelet generates for a ``podCertificate`` projection (1.34+)."""

    ED25519 = "ED25519"
    ECDSA_P256 = "ECDSAP256"
    ECDSA_P384 = "ECDSAP384"
    ECDSA_P521 = "ECDSAP521"
    RSA_3072 = "RSA3072"
    RSA_4096 = "RSA4096"
