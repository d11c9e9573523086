"""Plain Kubernetes dicts for binder and rule tests: what `k8sdsl check` would read."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

RWO, ROX, RWX, RWOP = "ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"
DEFAULT_ANNOTATION = "storageclass.kubernetes.io/is-default-class"


def pv(
    name: str,
    *,
    modes: Sequence[str] = (RWX,),
    capacity: str | None = "1Gi",
    cls: str | None = "",
    labels: dict[str, str] | None = None,
    source: dict[str, Any] | None = None,
    **spec: Any,
) -> dict[str, Any]:
    """A PersistentVolume; an NFS one unless ``source`` says otherwise; class "" by default."""
    body: dict[str, Any] = {"accessModes": list(modes)}
    if capacity is not None:
        body["capacity"] = {"storage": capacity}
    if cls is not None:
        body["storageClassName"] = cls
    body.update(source if source is not None else {"nfs": {"server": "10.0.0.5", "path": "/x"}})
    body.update(spec)
    meta: dict[str, Any] = {"name": name}
    if labels:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": meta, "spec": body}


def pvc(
    name: str,
    *,
    modes: Sequence[str] = (RWX,),
    request: str | None = "1Gi",
    cls: str | None = "",
    namespace: str = "apps",
    **spec: Any,
) -> dict[str, Any]:
    """A PersistentVolumeClaim in ``apps``; class "" (static binding) by default."""
    body: dict[str, Any] = {"accessModes": list(modes)}
    if request is not None:
        body["resources"] = {"requests": {"storage": request}}
    if cls is not None:
        body["storageClassName"] = cls
    body.update(spec)
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": name, "namespace": namespace},
        "spec": body,
    }


def storage_class(
    name: str,
    *,
    provisioner: str = "ebs.csi.aws.com",
    default: bool = False,
    binding: str | None = "WaitForFirstConsumer",
    **fields: Any,
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if default:
        meta["annotations"] = {DEFAULT_ANNOTATION: "true"}
    obj: dict[str, Any] = {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": meta,
        "provisioner": provisioner,
        **fields,
    }
    if binding is not None:
        obj["volumeBindingMode"] = binding
    return obj


def pod(name: str, *claims: str, namespace: str = "apps", kind: str = "Pod") -> dict[str, Any]:
    """A pod (or workload) mounting each named claim."""
    spec = {
        "containers": [
            {
                "name": "app",
                "image": "busybox:1.36",
                "volumeMounts": [
                    {"name": f"v{i}", "mountPath": f"/d{i}"} for i in range(len(claims))
                ],
            }
        ],
        "volumes": [
            {"name": f"v{i}", "persistentVolumeClaim": {"claimName": c}}
            for i, c in enumerate(claims)
        ],
    }
    obj: dict[str, Any] = {
        "apiVersion": "v1" if kind == "Pod" else "apps/v1",
        "kind": kind,
        "metadata": {"name": name, "namespace": namespace},
    }
    if kind == "Pod":
        obj["spec"] = spec
    else:
        obj["spec"] = {
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": spec},
        }
    return obj
