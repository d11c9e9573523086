"""The static binder: which claim binds to which PersistentVolume, decided before any cluster.

It is a pure function over Kubernetes dicts (``bind(objects)``), modelled on the
PersistentVolume controller (``pkg/controller/volume/persistentvolume``) and its
``FindMatchingVolume``:

* a PV matches a claim when its ``accessModes`` include every mode the claim asks for, its
  ``capacity.storage`` is at least the claim's request, its ``volumeMode`` equals the claim's
  (both default to ``Filesystem``), its ``volumeAttributesClassName`` equals the claim's, its
  class equals the claim's class and its labels match the claim's ``selector``;
* among matching PVs the controller takes those with the fewest access modes first, then the
  smallest; binds are exclusive (one PV, one claim);
* a PV whose ``claimRef`` names a claim is reserved for it: other claims never bind it, and
  for that claim the class and selector are not checked; among PVs with as few access modes
  it wins over the smallest (but a fitting PV with fewer modes is taken first);
* a claim with ``volumeName`` is pre-bound: only that PV is considered, and it must satisfy
  the class, access modes, size and volume mode (the selector is not checked);
* a claim without ``storageClassName`` gets the default StorageClass (admission plugin
  ``DefaultStorageClass``), so it never binds to a PV without a class while a default exists;
* when no PV matches, a claim with a class is provisioned by that class's provisioner; a
  claim with class ``""`` (or a ``kubernetes.io/no-provisioner`` class, or a ``selector``,
  which provisioners refuse) stays Pending forever.

Objects without a namespace are taken to be in ``default`` (where ``kubectl apply`` puts
them without ``-n``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from k8sdsl.core._quantity import Quantity, QuantityError
from k8sdsl.core._selectors import LabelSelector

#: The annotation that marks a StorageClass as the cluster default (and its beta spelling,
#: still honoured by the admission plugin).
DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"
BETA_DEFAULT_CLASS_ANNOTATION = "storageclass.beta.kubernetes.io/is-default-class"
#: The deprecated class annotation on claims and PVs; it wins over ``storageClassName``
#: (``GetPersistentVolumeClaimClass`` reads it first).
BETA_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class"
#: The provisioner of classes that only group pre-created PVs (local volumes): it provisions
#: nothing.
NO_PROVISIONER = "kubernetes.io/no-provisioner"

_DEFAULT_NAMESPACE = "default"
_FILESYSTEM = "Filesystem"
_WAIT = "WaitForFirstConsumer"


class Outcome(StrEnum):
    """What becomes of a claim."""

    #: a PersistentVolume of the app binds it
    BOUND = "bound"
    #: no PV matches; a StorageClass of the app provisions a new PV for it
    PROVISIONED = "provisioned"
    #: no PV matches; it depends on a StorageClass that is not in the app (or on the
    #: cluster's default class): the binder cannot tell
    EXTERNAL = "external"
    #: nothing in the app can ever satisfy it: it stays Pending
    UNBOUND = "unbound"


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One reason a PV does not fit a claim: the field and the difference in words."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@dataclass(frozen=True, slots=True)
class ClaimVerdict:
    """The binder's verdict on one claim.

    ``storage_class`` is the class the claim ends up with: as written, or the default
    StorageClass when it sets none (``default_class`` is then true), ``""`` for "no class",
    or ``None`` when it sets none and the app has no default class. For an unbound claim,
    ``closest`` is the PV that came nearest and ``mismatches`` say why it does not fit (both
    are empty for the other outcomes).
    """

    namespace: str
    name: str
    outcome: Outcome
    volume: str | None = None
    storage_class: str | None = None
    default_class: bool = False
    provisioner: str | None = None
    #: binding or provisioning waits for the first pod (WaitForFirstConsumer)
    delayed: bool = False
    closest: str | None = None
    mismatches: tuple[Mismatch, ...] = ()
    #: other claims whose best PV was this claim's PV (binds are exclusive)
    rivals: tuple[str, ...] = ()
    #: the claim that took the PV this claim would otherwise have bound
    lost_to: str | None = None
    #: the default-class trap: a class-less PV this claim would bind if it had class ""
    trap_volume: str | None = None
    requested: Quantity | None = None
    capacity: Quantity | None = None

    @property
    def key(self) -> str:
        """``namespace/name``, as claims are named in findings."""
        return f"{self.namespace}/{self.name}"

    def reasons(self) -> list[str]:
        """The mismatches as text: ``accessModes: the PV has ReadWriteOnce, ...``."""
        return [str(m) for m in self.mismatches]


@dataclass(frozen=True)
class BindingPlan:
    """Every claim's verdict, in the order the claims were given, and the default classes."""

    claims: tuple[ClaimVerdict, ...] = ()
    default_classes: tuple[str, ...] = ()
    #: PVs no claim of the app binds
    unclaimed_volumes: tuple[str, ...] = ()

    def verdict(self, name: str, namespace: str = _DEFAULT_NAMESPACE) -> ClaimVerdict:
        """The verdict on claim ``namespace/name`` (``KeyError`` when there is none)."""
        for v in self.claims:
            if v.name == name and v.namespace == namespace:
                return v
        raise KeyError(f"no claim {namespace}/{name}")

    def bindings(self) -> dict[str, str]:
        """``namespace/claim`` -> PV name, for every claim bound to a PV of the app."""
        return {v.key: v.volume for v in self.claims if v.volume is not None}

    def with_outcome(self, outcome: Outcome) -> tuple[ClaimVerdict, ...]:
        return tuple(v for v in self.claims if v.outcome is outcome)


class _HasK8s(Protocol):
    def to_k8s(self) -> dict[str, Any]: ...


# -- reading the dicts (tolerant: the input may be anyone's YAML) ---------------------------


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _meta(obj: Mapping[str, Any]) -> dict[str, Any]:
    return _dict(obj.get("metadata"))


def _quantity(value: Any) -> Quantity | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Quantity(value if isinstance(value, (int, str)) else str(value))
    except QuantityError:
        return None


def _modes(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(dict.fromkeys(str(m) for m in value))


def _class_of(obj: Mapping[str, Any]) -> str | None:
    """The class as Kubernetes reads it: the beta annotation first, then storageClassName."""
    ann = _dict(_meta(obj).get("annotations"))
    if BETA_CLASS_ANNOTATION in ann:
        return str(ann[BETA_CLASS_ANNOTATION])
    value = _dict(obj.get("spec")).get("storageClassName")
    return None if value is None else str(value)


@dataclass
class _Volume:
    name: str
    order: int
    labels: dict[str, str]
    storage_class: str
    modes: tuple[str, ...]
    capacity: Quantity | None
    volume_mode: str
    attributes_class: str
    claim_ref: tuple[str, str] | None
    taken_by: str | None = None


@dataclass
class _Claim:
    namespace: str
    name: str
    order: int
    written_class: str | None
    modes: tuple[str, ...]
    request: Quantity | None
    volume_mode: str
    attributes_class: str
    selector: LabelSelector | None
    selector_invalid: bool
    volume_name: str | None
    effective_class: str | None = None
    default_class: bool = False

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass
class _StorageClass:
    name: str
    provisioner: str
    binding_mode: str
    default: bool


def _read_volume(obj: Mapping[str, Any], order: int) -> _Volume:
    spec = _dict(obj.get("spec"))
    ref = _dict(spec.get("claimRef"))
    claim_ref = None
    if ref.get("name"):
        claim_ref = (str(ref.get("namespace") or _DEFAULT_NAMESPACE), str(ref["name"]))
    return _Volume(
        name=str(_meta(obj).get("name", "")),
        order=order,
        labels={str(k): str(v) for k, v in _dict(_meta(obj).get("labels")).items()},
        storage_class=_class_of(obj) or "",
        modes=_modes(spec.get("accessModes")),
        capacity=_quantity(_dict(spec.get("capacity")).get("storage")),
        volume_mode=str(spec.get("volumeMode") or _FILESYSTEM),
        attributes_class=str(spec.get("volumeAttributesClassName") or ""),
        claim_ref=claim_ref,
    )


def _read_claim(obj: Mapping[str, Any], order: int) -> _Claim:
    spec = _dict(obj.get("spec"))
    selector: LabelSelector | None = None
    invalid = False
    if spec.get("selector") is not None:
        try:
            selector = LabelSelector.from_k8s(_dict(spec.get("selector")))
        except Exception:  # a malformed selector matches nothing; other rules report it
            invalid = True
    resources = _dict(spec.get("resources"))
    return _Claim(
        namespace=str(_meta(obj).get("namespace") or _DEFAULT_NAMESPACE),
        name=str(_meta(obj).get("name", "")),
        order=order,
        written_class=_class_of(obj),
        modes=_modes(spec.get("accessModes")),
        request=_quantity(_dict(resources.get("requests")).get("storage")),
        volume_mode=str(spec.get("volumeMode") or _FILESYSTEM),
        attributes_class=str(spec.get("volumeAttributesClassName") or ""),
        selector=selector,
        selector_invalid=invalid,
        volume_name=str(spec["volumeName"]) if spec.get("volumeName") else None,
    )


def _read_class(obj: Mapping[str, Any]) -> _StorageClass:
    ann = _dict(_meta(obj).get("annotations"))
    default = any(
        str(ann.get(key, "")).lower() == "true"
        for key in (DEFAULT_CLASS_ANNOTATION, BETA_DEFAULT_CLASS_ANNOTATION)
    )
    return _StorageClass(
        name=str(_meta(obj).get("name", "")),
        provisioner=str(obj.get("provisioner", "")),
        binding_mode=str(obj.get("volumeBindingMode") or "Immediate"),
        default=default,
    )


# -- matching ----------------------------------------------------------------------------


def _show_class(name: str | None) -> str:
    return "no class" if not name else f"class {name!r}"


def _show_modes(modes: tuple[str, ...]) -> str:
    return ", ".join(modes) if modes else "no access modes"


def _mismatch_fields(
    claim: _Claim,
    pv: _Volume,
    *,
    check_class: bool = True,
    check_selector: bool = True,
    check_taken: bool = True,
    claim_class: str | None = None,
) -> list[str]:
    """The field of every reason ``pv`` cannot bind ``claim``, in the order a reader checks
    them. Cheap (no text): the binder asks it for many pairs; :func:`_mismatches` words the
    few that are reported."""
    out: list[str] = []
    wanted_class = claim.effective_class if claim_class is None else claim_class
    if check_class and pv.storage_class != (wanted_class or ""):
        out.append("storageClassName")
    if not claim.modes or any(m not in pv.modes for m in claim.modes):
        out.append("accessModes")
    if pv.capacity is None or (claim.request is not None and pv.capacity < claim.request):
        out.append("capacity")
    if pv.volume_mode != claim.volume_mode:
        out.append("volumeMode")
    if pv.attributes_class != claim.attributes_class:
        out.append("volumeAttributesClassName")
    if check_selector and (
        claim.selector_invalid
        or (claim.selector is not None and not claim.selector.matches(pv.labels))
    ):
        out.append("selector")
    if pv.claim_ref is not None and pv.claim_ref != (claim.namespace, claim.name):
        out.append("claimRef")
    elif check_taken and pv.taken_by is not None and pv.taken_by != claim.key:
        out.append("bound")
    return out


def _mismatches(
    claim: _Claim,
    pv: _Volume,
    *,
    check_class: bool = True,
    check_selector: bool = True,
    check_taken: bool = True,
    claim_class: str | None = None,
) -> list[Mismatch]:
    """Every reason ``pv`` cannot bind ``claim``, in words."""
    fields = _mismatch_fields(
        claim,
        pv,
        check_class=check_class,
        check_selector=check_selector,
        check_taken=check_taken,
        claim_class=claim_class,
    )
    wanted_class = claim.effective_class if claim_class is None else claim_class
    return [Mismatch(field, _describe(field, claim, pv, wanted_class)) for field in fields]


def _describe(field: str, claim: _Claim, pv: _Volume, wanted_class: str | None) -> str:
    if field == "storageClassName":
        why = ""
        if claim.default_class:
            why = " (the default StorageClass, given because the claim sets no storageClassName)"
        return (
            f"the PV has {_show_class(pv.storage_class)}, the claim wants "
            f"{_show_class(wanted_class)}{why}"
        )
    if field == "accessModes":
        return f"the PV has {_show_modes(pv.modes)}, the claim wants {_show_modes(claim.modes)}"
    if field == "capacity":
        if pv.capacity is None:
            return "the PV sets no capacity.storage"
        return f"the PV has {pv.capacity}, the claim requests {claim.request}"
    if field == "volumeMode":
        return f"the PV is {pv.volume_mode}, the claim wants {claim.volume_mode}"
    if field == "volumeAttributesClassName":
        return (
            f"the PV has {_show_class(pv.attributes_class)}, the claim wants "
            f"{_show_class(claim.attributes_class)}"
        )
    if field == "selector":
        if claim.selector_invalid:
            return "the claim's selector is malformed"
        shown = ", ".join(f"{k}={v}" for k, v in sorted(pv.labels.items())) or "none"
        return f"the PV's labels ({shown}) do not match the claim's selector"
    if field == "claimRef" and pv.claim_ref is not None:
        return f"the PV is reserved for claim {pv.claim_ref[0]}/{pv.claim_ref[1]}"
    return f"the PV is bound to claim {pv.taken_by} (binds are exclusive)"


def _reserved_for(pv: _Volume, claim: _Claim) -> bool:
    return pv.claim_ref == (claim.namespace, claim.name)


def _fits(claim: _Claim, pv: _Volume, *, check_taken: bool = True) -> bool:
    """Whether the controller would bind ``pv`` to ``claim`` (no volumeName on the claim)."""
    reserved = _reserved_for(pv, claim)
    return not _mismatch_fields(
        claim, pv, check_class=not reserved, check_selector=not reserved, check_taken=check_taken
    )


def _preference(pv: _Volume) -> tuple[int, Any, int]:
    # fewest access modes first (the controller's index walks mode sets by size), then the
    # smallest capacity, then the order they were given (the controller's order is arbitrary)
    return (len(pv.modes), pv.capacity.value if pv.capacity else 0, pv.order)


class _Index:
    """The PVs by class and by the claim they reserve, each list in order of preference.

    A PV can bind a claim only if it is reserved for that claim (``claimRef``) or has no
    ``claimRef``, the claim's class and (for a claim with ``matchLabels``) its labels;
    looking only there keeps binding a fleet of claims against a fleet of PVs near linear
    instead of claims x PVs.
    """

    def __init__(self, volumes: list[_Volume]) -> None:
        self.volumes = volumes
        self.by_class: dict[str, list[_Volume]] = {}
        self.by_label: dict[tuple[str, str, str], list[_Volume]] = {}
        self.reserved: dict[tuple[str, str], list[_Volume]] = {}
        for pv in sorted(volumes, key=_preference):
            if pv.claim_ref is not None:
                self.reserved.setdefault(pv.claim_ref, []).append(pv)
                continue
            self.by_class.setdefault(pv.storage_class, []).append(pv)
            for key, value in pv.labels.items():
                self.by_label.setdefault((pv.storage_class, key, value), []).append(pv)
        # Taken PVs are skipped without being looked at: per candidate list, ``skip[i]`` is
        # the next position at or after i that may be free (a union-find walk with path
        # halving). A fleet of equal claims against equal PVs would otherwise walk past
        # every PV taken before it: claims x PVs.
        self._skip: dict[int, list[int]] = {}
        self._positions: dict[int, list[tuple[list[int], int]]] = {}
        for lists in (self.by_class, self.by_label):
            for pvs in lists.values():
                skip = list(range(len(pvs) + 1))
                self._skip[id(pvs)] = skip
                for i, pv in enumerate(pvs):
                    self._positions.setdefault(id(pv), []).append((skip, i))
        #: the PVs each claim holds (``taken_by``), for the rare claim asked about again
        self._held: dict[str, list[_Volume]] = {}

    def take(self, pv: _Volume, claim: _Claim) -> None:
        """Bind ``pv`` to ``claim``: later walks skip it."""
        pv.taken_by = claim.key
        self._held.setdefault(claim.key, []).append(pv)
        for skip, i in self._positions.get(id(pv), ()):
            skip[i] = i + 1

    @staticmethod
    def _next_free(skip: list[int], i: int) -> int:
        while skip[i] != i:
            skip[i] = skip[skip[i]]
            i = skip[i]
        return i

    def _candidates(self, claim: _Claim) -> list[_Volume]:
        cls = claim.effective_class or ""
        wanted = claim.selector.match_labels if claim.selector is not None else None
        if wanted:
            key, value = next(iter(wanted.items()))
            return self.by_label.get((cls, key, value), [])
        return self.by_class.get(cls, [])

    def _first_free_fit(self, claim: _Claim, pvs: list[_Volume]) -> _Volume | None:
        skip = self._skip.get(id(pvs))
        if skip is None:
            return None
        i = self._next_free(skip, 0)
        while i < len(pvs):
            pv = pvs[i]
            if pv.taken_by is None and _fits(claim, pv):
                return pv
            i = self._next_free(skip, i + 1)
        return None

    def best(self, claim: _Claim, *, check_taken: bool = True) -> _Volume | None:
        """The PV the controller picks for ``claim``. It walks the PVs by access-mode set,
        fewest modes first, and in each set takes a PV reserved for the claim as soon as it
        sees one, else the smallest that fits: so a reserved PV wins unless a fitting PV has
        fewer access modes."""
        reserved = next(
            (
                pv
                for pv in self.reserved.get((claim.namespace, claim.name), ())
                if _fits(claim, pv, check_taken=check_taken)
            ),
            None,
        )
        candidates = self._candidates(claim)
        free = None
        if check_taken:
            free = self._first_free_fit(claim, candidates)
            # a PV this claim already holds is free for it: the earlier in preference wins
            order = (
                {id(pv): i for i, pv in enumerate(candidates)} if claim.key in self._held else {}
            )
            for pv in self._held.get(claim.key, ()):
                if (
                    id(pv) in order
                    and _fits(claim, pv)
                    and (free is None or order[id(pv)] < order[id(free)])
                ):
                    free = pv
        else:
            free = next((pv for pv in candidates if _fits(claim, pv, check_taken=False)), None)
        if reserved is not None and (free is None or len(reserved.modes) <= len(free.modes)):
            return reserved
        return free

    def class_less_match(self, claim: _Claim) -> _Volume | None:
        """The preferred class-less PV that ``claim`` would bind if it had class ``""``
        (the default-class trap), taken or not."""
        found = [
            pv
            for pv in self.reserved.get((claim.namespace, claim.name), ())
            if pv.storage_class == ""
            and not _mismatch_fields(claim, pv, claim_class="", check_taken=False)
        ][:1]
        for pv in self.by_class.get("", ()):
            if not _mismatch_fields(claim, pv, claim_class="", check_taken=False):
                found.append(pv)
                break
        return min(found, key=_preference) if found else None

    def closest(self, claim: _Claim) -> tuple[_Volume | None, list[Mismatch]]:
        """The PV with the fewest mismatches (the first given among equals). Only called for
        a claim no PV fits, so one mismatch is as close as it gets."""
        best: tuple[int, _Volume] | None = None
        for pv in self.volumes:
            count = len(_mismatch_fields(claim, pv))
            if best is None or count < best[0]:
                best = (count, pv)
                if count <= 1:
                    break
        if best is None:
            return None, []
        return best[1], _mismatches(claim, best[1])


# -- the binder --------------------------------------------------------------------------


def _objects(objects: Iterable[Mapping[str, Any] | _HasK8s]) -> list[Mapping[str, Any]]:
    out: list[Mapping[str, Any]] = []
    for obj in objects:
        if isinstance(obj, Mapping):
            out.append(obj)
        elif hasattr(obj, "to_k8s"):
            out.append(obj.to_k8s())
    return out


def bind(objects: Iterable[Mapping[str, Any] | _HasK8s]) -> BindingPlan:
    """Bind every PersistentVolumeClaim of ``objects`` as the cluster would.

    ``objects`` are Kubernetes dicts (or resources, whose ``to_k8s()`` is used); other kinds
    are ignored. For a whole app: ``bind(m.obj for m in app.manifests())``.
    """
    items = _objects(objects)
    volumes = [
        _read_volume(o, i) for i, o in enumerate(items) if o.get("kind") == "PersistentVolume"
    ]
    claims = [
        _read_claim(o, i) for i, o in enumerate(items) if o.get("kind") == "PersistentVolumeClaim"
    ]
    classes = [_read_class(o) for o in items if o.get("kind") == "StorageClass"]
    by_class = {sc.name: sc for sc in classes}
    defaults = tuple(sc.name for sc in classes if sc.default)
    by_pv = {pv.name: pv for pv in volumes}
    index = _Index(volumes)

    for claim in claims:
        if claim.written_class is not None:
            claim.effective_class = claim.written_class
        elif defaults:
            claim.effective_class, claim.default_class = defaults[0], True

    verdicts: dict[str, ClaimVerdict] = {}
    ideal: dict[str, _Volume] = {}

    # 1. pre-bound claims (volumeName) first: the user said which PV
    for claim in claims:
        if claim.volume_name is None:
            continue
        pv = by_pv.get(claim.volume_name)
        if pv is None:
            verdicts[claim.key] = _unbound(
                claim,
                None,
                [Mismatch("volumeName", f"there is no PersistentVolume {claim.volume_name!r}")],
            )
            continue
        found = _mismatches(claim, pv, check_selector=False)
        if found:
            verdicts[claim.key] = _unbound(claim, pv, found)
            continue
        index.take(pv, claim)
        verdicts[claim.key] = _bound(claim, pv, by_class)

    # 2. every other claim, in the order given, takes its best free PV
    for claim in claims:
        if claim.key in verdicts:
            continue
        unconstrained = index.best(claim, check_taken=False)
        if unconstrained is not None:
            ideal[claim.key] = unconstrained
        pv = index.best(claim)
        if pv is not None:
            index.take(pv, claim)
            verdicts[claim.key] = _bound(claim, pv, by_class)
            continue
        verdicts[claim.key] = _without_volume(claim, index, by_class)

    # 3. competition: a claim whose best PV went to another claim and that got no PV
    rivals: dict[str, list[str]] = {}
    lost: dict[str, str] = {}
    for key, pv in ideal.items():
        if verdicts[key].volume is None and pv.taken_by and pv.taken_by != key:
            lost[key] = pv.taken_by
            rivals.setdefault(pv.taken_by, []).append(key)
            rivals.setdefault(key, []).append(pv.taken_by)

    # 4. the default-class trap: a class-less PV this claim would bind with class ""
    trapped: dict[str, str] = {}
    for claim in claims:
        if claim.written_class is not None:
            continue
        verdict = verdicts[claim.key]
        if claim.default_class:
            trap = index.class_less_match(claim)
            if trap is not None:
                trapped[claim.key] = trap.name
        elif verdict.volume is not None:
            trapped[claim.key] = verdict.volume

    final: list[ClaimVerdict] = []
    for claim in claims:
        v = verdicts[claim.key]
        final.append(
            ClaimVerdict(
                namespace=v.namespace,
                name=v.name,
                outcome=v.outcome,
                volume=v.volume,
                storage_class=v.storage_class,
                default_class=v.default_class,
                provisioner=v.provisioner,
                delayed=v.delayed,
                closest=v.closest,
                mismatches=v.mismatches,
                rivals=tuple(rivals.get(claim.key, ())),
                lost_to=lost.get(claim.key),
                trap_volume=trapped.get(claim.key),
                requested=v.requested,
                capacity=v.capacity,
            )
        )
    unclaimed = tuple(pv.name for pv in volumes if pv.taken_by is None)
    return BindingPlan(tuple(final), defaults, unclaimed)


def _bound(claim: _Claim, pv: _Volume, by_class: Mapping[str, _StorageClass]) -> ClaimVerdict:
    sc = by_class.get(claim.effective_class or "")
    return ClaimVerdict(
        namespace=claim.namespace,
        name=claim.name,
        outcome=Outcome.BOUND,
        volume=pv.name,
        storage_class=claim.effective_class,
        default_class=claim.default_class,
        delayed=sc is not None and sc.binding_mode == _WAIT,
        requested=claim.request,
        capacity=pv.capacity,
    )


def _unbound(claim: _Claim, pv: _Volume | None, found: list[Mismatch]) -> ClaimVerdict:
    return ClaimVerdict(
        namespace=claim.namespace,
        name=claim.name,
        outcome=Outcome.UNBOUND,
        storage_class=claim.effective_class,
        default_class=claim.default_class,
        closest=pv.name if pv is not None else None,
        mismatches=tuple(found),
        requested=claim.request,
        capacity=pv.capacity if pv is not None else None,
    )


def _without_volume(
    claim: _Claim, index: _Index, by_class: Mapping[str, _StorageClass]
) -> ClaimVerdict:
    """No PV fits: provisioned by its class, left to the cluster, or unbound for good.

    Only an unbound claim is told its closest PV: finding it looks at every PV, and doing
    that for each of a fleet's provisioned claims would cost claims x PVs."""
    cls = claim.effective_class
    if cls:
        sc = by_class.get(cls)
        extra: list[Mismatch] = []
        if claim.selector is not None or claim.selector_invalid:
            extra.append(
                Mismatch(
                    "selector",
                    f"no PV matches and StorageClass {cls!r} cannot provision it: "
                    "provisioners refuse claims with a selector",
                )
            )
        elif sc is not None and sc.provisioner == NO_PROVISIONER:
            extra.append(
                Mismatch(
                    "storageClassName",
                    f"no PV matches and StorageClass {cls!r} has provisioner {NO_PROVISIONER} "
                    "(it provisions nothing)",
                )
            )
        elif sc is not None:
            return ClaimVerdict(
                namespace=claim.namespace,
                name=claim.name,
                outcome=Outcome.PROVISIONED,
                storage_class=cls,
                default_class=claim.default_class,
                provisioner=sc.provisioner,
                delayed=sc.binding_mode == _WAIT,
                requested=claim.request,
            )
        else:
            return ClaimVerdict(
                namespace=claim.namespace,
                name=claim.name,
                outcome=Outcome.EXTERNAL,
                storage_class=cls,
                requested=claim.request,
            )
        closest, found = index.closest(claim)
        return _unbound(claim, closest, [*extra, *found])
    if cls is None:
        # no class written and no default class in the app: whether the cluster has a
        # default class decides, and the binder cannot see the cluster
        return ClaimVerdict(
            namespace=claim.namespace,
            name=claim.name,
            outcome=Outcome.EXTERNAL,
            storage_class=None,
            requested=claim.request,
        )
    closest, found = index.closest(claim)
    if closest is None:
        found = [
            Mismatch(
                "storageClassName",
                'the claim has class "" (static binding only) and the app has no PersistentVolume',
            )
        ]
    return _unbound(claim, closest, found)


__all__ = [
    "BETA_CLASS_ANNOTATION",
    "BETA_DEFAULT_CLASS_ANNOTATION",
    "BindingPlan",
    "ClaimVerdict",
    "DEFAULT_CLASS_ANNOTATION",
    "Mismatch",
    "NO_PROVISIONER",
    "Outcome",
    "bind",
]
