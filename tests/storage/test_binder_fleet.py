"""The binder's fast walk (bound PVs skipped without being looked at) binds exactly as
walking every PV in order of preference does, on random fleets of claims and PVs."""

from __future__ import annotations

import random
from typing import Any

import pytest

from k8sdsl.storage import _binder
from k8sdsl.storage._binder import _fits, bind

MODES = [["ReadWriteOnce"], ["ReadWriteMany"], ["ReadWriteOnce", "ReadOnlyMany"]]


def _walk_every_pv(self: Any, claim: Any, *, check_taken: bool = True) -> Any:
    """The binder's choice written the plain way: every candidate, in order."""
    reserved = next(
        (
            pv
            for pv in self.reserved.get((claim.namespace, claim.name), ())
            if _fits(claim, pv, check_taken=check_taken)
        ),
        None,
    )
    free = None
    for pv in self._candidates(claim):
        if check_taken and pv.taken_by is not None and pv.taken_by != claim.key:
            continue
        if _fits(claim, pv, check_taken=check_taken):
            free = pv
            break
    if reserved is not None and (free is None or len(reserved.modes) <= len(free.modes)):
        return reserved
    return free


def _fleet(rng: random.Random) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    classes = ["manual", "fast", ""]
    claims = rng.randint(5, 40)
    for i in range(rng.randint(5, 40)):
        spec: dict[str, Any] = {
            "capacity": {"storage": f"{rng.choice([1, 2, 5, 10])}Gi"},
            "accessModes": rng.choice(MODES),
            "storageClassName": rng.choice(classes),
            "nfs": {"server": "nfs.example.com", "path": f"/exports/{i}"},
        }
        if rng.random() < 0.15:
            spec["claimRef"] = {"name": f"data-{rng.randrange(claims)}", "namespace": "apps"}
        labels = {"tier": rng.choice(["a", "b"])}
        objects.append(
            {
                "apiVersion": "v1",
                "kind": "PersistentVolume",
                "metadata": {"name": f"pv-{i}", "labels": labels},
                "spec": spec,
            }
        )
    for i in range(claims):
        spec = {
            "accessModes": rng.choice(MODES),
            "resources": {"requests": {"storage": f"{rng.choice([1, 2, 5, 10])}Gi"}},
            "storageClassName": rng.choice(classes),
        }
        if rng.random() < 0.2:
            spec["selector"] = {"matchLabels": {"tier": rng.choice(["a", "b"])}}
        if rng.random() < 0.1:
            spec["volumeName"] = f"pv-{rng.randrange(5)}"
        objects.append(
            {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": {"name": f"data-{i}", "namespace": "apps"},
                "spec": spec,
            }
        )
    rng.shuffle(objects)
    return objects


def _summary(plan: Any) -> tuple[Any, ...]:
    return (plan.claims, plan.unclaimed_volumes, plan.default_classes)


@pytest.mark.parametrize("seed", range(40))
def test_the_fast_walk_binds_as_walking_every_pv(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    objects = _fleet(random.Random(seed))
    fast = _summary(bind(objects))
    assert any(v.volume for v in fast[0])  # the fleet binds something
    monkeypatch.setattr(_binder._Index, "best", _walk_every_pv)
    assert fast == _summary(bind(objects))
