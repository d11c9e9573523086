"""The static binder's verdicts, one behaviour of the PV controller per test."""

from __future__ import annotations

import pytest

from k8sdsl import App, Chart, Quantity
from k8sdsl.storage import (
    NO_PROVISIONER,
    Mismatch,
    Outcome,
    PersistentVolume,
    PersistentVolumeClaim,
    StorageClass,
    bind,
)
from k8sdsl.volumes import AccessMode
from tests.storage.objects import ROX, RWO, RWOP, RWX, pv, pvc, storage_class


def test_a_matching_pair_binds() -> None:
    plan = bind([pv("lapv"), pvc("nfs-pvc")])
    verdict = plan.verdict("nfs-pvc", "apps")
    assert verdict.outcome is Outcome.BOUND
    assert verdict.volume == "lapv"
    assert verdict.mismatches == ()
    assert plan.bindings() == {"apps/nfs-pvc": "lapv"}
    assert plan.unclaimed_volumes == ()


@pytest.mark.parametrize(
    ("volume", "claim", "field", "message"),
    [
        (
            pv("lapv", cls="slow"),
            pvc("data", cls=""),
            "storageClassName",
            "the PV has class 'slow', the claim wants no class",
        ),
        (
            pv("lapv", modes=[RWO]),
            pvc("data", modes=[RWX]),
            "accessModes",
            "the PV has ReadWriteOnce, the claim wants ReadWriteMany",
        ),
        (
            pv("lapv", capacity="1Gi"),
            pvc("data", request="5Gi"),
            "capacity",
            "the PV has 1Gi, the claim requests 5Gi",
        ),
        (
            pv("lapv", volumeMode="Block"),
            pvc("data"),
            "volumeMode",
            "the PV is Block, the claim wants Filesystem",
        ),
        (
            pv("lapv", labels={"tier": "slow"}),
            pvc("data", selector={"matchLabels": {"tier": "fast"}}),
            "selector",
            "the PV's labels (tier=slow) do not match the claim's selector",
        ),
    ],
    ids=["class", "access-mode", "size", "volume-mode", "selector"],
)
def test_each_single_mismatch_leaves_the_claim_unbound_with_its_reason(
    volume: dict[str, object], claim: dict[str, object], field: str, message: str
) -> None:
    verdict = bind([volume, claim]).verdict("data", "apps")
    assert verdict.outcome is Outcome.UNBOUND
    assert verdict.closest == "lapv"
    assert verdict.mismatches == (Mismatch(field, message),)
    assert verdict.reasons() == [f"{field}: {message}"]


def test_a_claim_asking_for_fewer_modes_than_the_pv_has_binds() -> None:
    plan = bind([pv("shared", modes=[RWO, ROX, RWX]), pvc("data", modes=[ROX])])
    assert plan.verdict("data", "apps").volume == "shared"


def test_the_capacity_is_compared_as_a_quantity_not_as_text() -> None:
    plan = bind([pv("big", capacity="1Gi"), pvc("data", request="1000Mi")])
    assert plan.verdict("data", "apps").volume == "big"
    plan = bind([pv("small", capacity="1G"), pvc("data", request="1Gi")])
    assert plan.verdict("data", "apps").outcome is Outcome.UNBOUND


def test_the_unset_volume_mode_is_filesystem_on_both_sides() -> None:
    plan = bind([pv("lapv", volumeMode="Filesystem"), pvc("data")])
    assert plan.verdict("data", "apps").outcome is Outcome.BOUND


def test_the_controller_prefers_fewest_access_modes_then_the_smallest_pv() -> None:
    plan = bind(
        [
            pv("all-modes-small", modes=[RWO, ROX, RWX], capacity="1Gi"),
            pv("one-mode-large", modes=[RWX], capacity="10Gi"),
            pv("one-mode-medium", modes=[RWX], capacity="5Gi"),
            pvc("data", modes=[RWX], request="1Gi"),
        ]
    )
    assert plan.verdict("data", "apps").volume == "one-mode-medium"
    assert set(plan.unclaimed_volumes) == {"all-modes-small", "one-mode-large"}


def test_two_claims_for_one_pv_one_wins_and_the_other_names_the_winner() -> None:
    plan = bind([pv("lapv"), pvc("first"), pvc("second")])
    first, second = plan.verdict("first", "apps"), plan.verdict("second", "apps")
    assert first.outcome is Outcome.BOUND and first.volume == "lapv"
    assert first.rivals == ("apps/second",)
    assert second.outcome is Outcome.UNBOUND
    assert second.lost_to == "apps/first"
    assert second.rivals == ("apps/first",)
    assert second.mismatches == (
        Mismatch("bound", "the PV is bound to claim apps/first (binds are exclusive)"),
    )


def test_a_loser_that_finds_another_pv_is_not_a_competitor() -> None:
    plan = bind([pv("a"), pv("b"), pvc("first"), pvc("second")])
    assert plan.bindings() == {"apps/first": "a", "apps/second": "b"}
    assert all(v.lost_to is None and v.rivals == () for v in plan.claims)


def test_the_default_class_trap() -> None:
    plan = bind([storage_class("standard", default=True), pv("lapv"), pvc("data", cls=None)])
    verdict = plan.verdict("data", "apps")
    assert plan.default_classes == ("standard",)
    assert verdict.default_class is True
    assert verdict.storage_class == "standard"
    assert verdict.trap_volume == "lapv"
    # it does not bind the class-less PV; the default class provisions a new, empty volume
    assert verdict.outcome is Outcome.PROVISIONED
    assert verdict.volume is None
    # the closest PV and the reasons are for unbound claims (see the pre-bound variant below)
    assert verdict.closest is None and verdict.mismatches == ()


def test_the_trap_also_catches_a_claim_pre_bound_by_volume_name() -> None:
    plan = bind(
        [
            storage_class("standard", default=True),
            pv("lapv"),
            pvc("data", cls=None, volumeName="lapv"),
        ]
    )
    verdict = plan.verdict("data", "apps")
    assert verdict.outcome is Outcome.UNBOUND
    assert verdict.trap_volume == "lapv"
    assert [m.field for m in verdict.mismatches] == ["storageClassName"]
    assert "the default StorageClass" in verdict.mismatches[0].message


def test_class_empty_string_is_immune_to_the_default_class() -> None:
    plan = bind([storage_class("standard", default=True), pv("lapv"), pvc("data", cls="")])
    verdict = plan.verdict("data", "apps")
    assert verdict.outcome is Outcome.BOUND and verdict.volume == "lapv"
    assert verdict.default_class is False and verdict.trap_volume is None


def test_without_a_default_class_an_unset_class_binds_but_is_flagged() -> None:
    verdict = bind([pv("lapv"), pvc("data", cls=None)]).verdict("data", "apps")
    assert verdict.outcome is Outcome.BOUND
    assert verdict.storage_class is None
    assert verdict.trap_volume == "lapv"


def test_a_pv_without_storage_class_name_and_one_with_empty_class_are_the_same() -> None:
    plan = bind([pv("lapv", cls=None), pvc("data", cls="")])
    assert plan.verdict("data", "apps").volume == "lapv"


def test_claim_ref_reserves_a_pv_for_its_claim_only() -> None:
    reserved = pv("lapv", claimRef={"name": "owner", "namespace": "apps"})
    plan = bind([reserved, pvc("other"), pvc("owner")])
    assert plan.verdict("owner", "apps").volume == "lapv"
    other = plan.verdict("other", "apps")
    assert other.outcome is Outcome.UNBOUND
    assert other.mismatches == (Mismatch("claimRef", "the PV is reserved for claim apps/owner"),)


def test_claim_ref_skips_the_class_and_selector_checks_but_not_size_or_modes() -> None:
    reserved = pv("lapv", cls="slow", claimRef={"name": "owner", "namespace": "apps"})
    selected = pvc("owner", cls="fast", selector={"matchLabels": {"tier": "x"}})
    assert bind([reserved, selected]).verdict("owner", "apps").volume == "lapv"
    too_big = pvc("owner", request="2Gi")
    verdict = bind([reserved, too_big]).verdict("owner", "apps")
    assert verdict.outcome is Outcome.UNBOUND
    assert "capacity" in [m.field for m in verdict.mismatches]


def test_claim_ref_without_namespace_means_default() -> None:
    reserved = pv("lapv", claimRef={"name": "data"})
    plan = bind([reserved, pvc("data", namespace="default"), pvc("data", namespace="apps")])
    assert plan.verdict("data", "default").volume == "lapv"
    assert plan.verdict("data", "apps").outcome is Outcome.UNBOUND


def test_volume_name_pre_binds_and_skips_the_selector() -> None:
    claim = pvc("data", volumeName="b", selector={"matchLabels": {"no": "match"}})
    plan = bind([pv("a"), pv("b"), claim])
    assert plan.verdict("data", "apps").volume == "b"


def test_volume_name_of_a_missing_pv() -> None:
    verdict = bind([pv("a"), pvc("data", volumeName="lapv")]).verdict("data", "apps")
    assert verdict.outcome is Outcome.UNBOUND
    assert verdict.closest is None
    assert verdict.mismatches == (Mismatch("volumeName", "there is no PersistentVolume 'lapv'"),)


def test_volume_name_of_a_pv_that_does_not_satisfy_the_claim() -> None:
    verdict = bind([pv("lapv", modes=[RWO]), pvc("data", volumeName="lapv")]).verdict(
        "data", "apps"
    )
    assert verdict.outcome is Outcome.UNBOUND
    assert verdict.closest == "lapv"
    assert [m.field for m in verdict.mismatches] == ["accessModes"]


def test_pre_bound_claims_are_served_before_the_others() -> None:
    plan = bind([pv("lapv"), pvc("greedy"), pvc("owner", volumeName="lapv")])
    assert plan.verdict("owner", "apps").volume == "lapv"
    greedy = plan.verdict("greedy", "apps")
    assert greedy.outcome is Outcome.UNBOUND
    assert greedy.lost_to == "apps/owner"


def test_a_class_of_the_app_provisions_when_no_pv_matches() -> None:
    plan = bind([storage_class("fast"), pvc("data", cls="fast", modes=[RWO])])
    verdict = plan.verdict("data", "apps")
    assert verdict.outcome is Outcome.PROVISIONED
    assert verdict.provisioner == "ebs.csi.aws.com"
    assert verdict.delayed is True


def test_an_immediate_class_is_not_delayed() -> None:
    plan = bind([storage_class("fast", binding="Immediate"), pvc("data", cls="fast")])
    assert plan.verdict("data", "apps").delayed is False
    plan = bind([storage_class("fast", binding=None), pvc("data", cls="fast")])
    assert plan.verdict("data", "apps").delayed is False


def test_a_static_pv_of_the_class_wins_over_provisioning() -> None:
    plan = bind([storage_class("fast"), pv("pre", cls="fast"), pvc("data", cls="fast")])
    verdict = plan.verdict("data", "apps")
    assert verdict.outcome is Outcome.BOUND and verdict.volume == "pre"
    assert verdict.delayed is True  # WaitForFirstConsumer: the scheduler binds it


def test_no_provisioner_classes_never_provision() -> None:
    plan = bind([storage_class("local", provisioner=NO_PROVISIONER), pvc("data", cls="local")])
    verdict = plan.verdict("data", "apps")
    assert verdict.outcome is Outcome.UNBOUND
    assert verdict.mismatches[0].field == "storageClassName"
    assert NO_PROVISIONER in verdict.mismatches[0].message


def test_provisioners_refuse_claims_with_a_selector() -> None:
    claim = pvc("data", cls="fast", selector={"matchLabels": {"tier": "fast"}})
    verdict = bind([storage_class("fast"), claim]).verdict("data", "apps")
    assert verdict.outcome is Outcome.UNBOUND
    assert verdict.mismatches[0].field == "selector"


def test_a_class_outside_the_app_is_external() -> None:
    verdict = bind([pvc("data", cls="gp3")]).verdict("data", "apps")
    assert verdict.outcome is Outcome.EXTERNAL
    assert verdict.storage_class == "gp3"


def test_an_unset_class_without_a_default_and_without_a_pv_is_external() -> None:
    verdict = bind([pvc("data", cls=None)]).verdict("data", "apps")
    assert verdict.outcome is Outcome.EXTERNAL
    assert verdict.storage_class is None


def test_class_empty_string_without_any_pv_is_unbound() -> None:
    verdict = bind([pvc("data")]).verdict("data", "apps")
    assert verdict.outcome is Outcome.UNBOUND
    assert verdict.closest is None
    assert verdict.mismatches[0].field == "storageClassName"


def test_the_closest_pv_is_the_one_with_fewest_mismatches() -> None:
    plan = bind(
        [
            pv("far", modes=[RWO], capacity="1Mi", cls="x"),
            pv("near", modes=[RWO]),
            pvc("data", modes=[RWX]),
        ]
    )
    verdict = plan.verdict("data", "apps")
    assert verdict.closest == "near"
    assert len(verdict.mismatches) == 1


def test_the_beta_class_annotation_wins_over_storage_class_name() -> None:
    claim = pvc("data", cls="")
    claim["metadata"]["annotations"] = {"volume.beta.kubernetes.io/storage-class": "fast"}
    plan = bind([pv("lapv"), pv("fastpv", cls="fast"), claim])
    assert plan.verdict("data", "apps").volume == "fastpv"


def test_volume_attributes_classes_must_match() -> None:
    verdict = bind([pv("lapv", volumeAttributesClassName="gold"), pvc("data")]).verdict(
        "data", "apps"
    )
    assert [m.field for m in verdict.mismatches] == ["volumeAttributesClassName"]


def test_read_write_once_pod_claims_need_the_mode_on_the_pv() -> None:
    verdict = bind([pv("lapv", modes=[RWO]), pvc("data", modes=[RWOP])]).verdict("data", "apps")
    assert verdict.outcome is Outcome.UNBOUND


def test_malformed_input_does_not_crash_the_binder() -> None:
    broken_pv = {"kind": "PersistentVolume", "metadata": {"name": "x"}, "spec": "nonsense"}
    broken_claim = pvc("data", request="lots")
    broken_claim["spec"]["selector"] = {"matchExpressions": [{"key": "a", "operator": "Near"}]}
    plan = bind([broken_pv, broken_claim, {"kind": "StorageClass"}, {"no": "kind"}])
    verdict = plan.verdict("data", "apps")
    assert verdict.outcome is Outcome.UNBOUND
    assert verdict.requested is None
    assert "capacity: the PV sets no capacity.storage" in verdict.reasons()
    assert "selector: the claim's selector is malformed" in verdict.reasons()


def test_claims_without_a_namespace_are_in_default() -> None:
    claim = pvc("data")
    del claim["metadata"]["namespace"]
    plan = bind([pv("lapv"), claim])
    assert plan.verdict("data").namespace == "default"
    with pytest.raises(KeyError):
        plan.verdict("data", "apps")


def test_bind_takes_resources_and_reports_sizes() -> None:
    app = App(outdir="unused")
    chart = Chart(app, "storage", namespace="apps")
    volume = PersistentVolume.nfs(chart, "lapv", server="10.0.0.5", path="/srv", capacity="10Gi")
    claim = PersistentVolumeClaim(
        chart, "data", storage="1Gi", access_modes=[AccessMode.READ_WRITE_MANY], storage_class=""
    )
    fast = StorageClass(chart, "fast", provisioner="ebs.csi.aws.com")
    verdict = bind([volume, claim, fast]).verdict("data", "apps")
    assert verdict.volume == "lapv"
    assert verdict.requested == Quantity("1Gi")
    assert verdict.capacity == Quantity("10Gi")
    assert bind(m.obj for m in app.manifests()).bindings() == {"apps/data": "lapv"}


def test_a_selector_with_several_labels_binds_the_pv_that_has_them_all() -> None:
    claim = pvc("data", selector={"matchLabels": {"tier": "fast", "zone": "a"}})
    plan = bind(
        [
            pv("fast-b", labels={"tier": "fast", "zone": "b"}),
            pv("fast-a", labels={"tier": "fast", "zone": "a"}),
            claim,
        ]
    )
    assert plan.verdict("data", "apps").volume == "fast-a"


def test_a_reserved_pv_wins_over_a_smaller_pv_with_as_many_modes() -> None:
    reserved = pv("reserved", modes=[RWX], capacity="10Gi", cls="other")
    reserved["spec"]["claimRef"] = {"name": "data", "namespace": "apps"}
    plan = bind([pv("smaller", modes=[RWX]), reserved, pvc("data", modes=[RWX])])
    assert plan.verdict("data", "apps").volume == "reserved"


def test_a_pv_with_fewer_modes_is_found_before_the_reserved_one() -> None:
    # findByClaim walks the access-mode sets fewest first and returns the first set's match
    reserved = pv("reserved", modes=[RWO, ROX, RWX])
    reserved["spec"]["claimRef"] = {"name": "data", "namespace": "apps"}
    plan = bind([pv("single-mode", modes=[RWX]), reserved, pvc("data", modes=[RWX])])
    assert plan.verdict("data", "apps").volume == "single-mode"
    assert plan.unclaimed_volumes == ("reserved",)


@pytest.mark.parametrize(
    "shape", ["class-per-claim", "shared-class", "selector", "dynamic", "external"]
)
def test_binding_a_fleet_looks_at_few_pairs(shape: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The PV controller looks at every PV for every claim; the binder runs over a whole
    fleet at synth, so it looks only at the PVs of a claim's class (and labels), and words
    mismatches only for the claims it reports. Claims x PVs pair checks would make a fleet of
    1,000 static PVs and claims take seconds."""
    from k8sdsl.storage import _binder

    calls = 0
    real = _binder._mismatch_fields

    def counting(*args: object, **kwargs: object) -> list[str]:
        nonlocal calls
        calls += 1
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_binder, "_mismatch_fields", counting)
    n = 300
    objects: list[dict[str, object]] = [storage_class("fast")]
    for i in range(n):
        cls = {"class-per-claim": f"c{i}", "dynamic": f"c{i}"}.get(shape, "")
        objects.append(pv(f"pv-{i}", cls=cls, labels={"app": f"a{i}"}))
        wanted = {"dynamic": "fast", "external": "standard"}.get(shape, cls)
        claim = pvc(f"claim-{i}", namespace=f"ns-{i}", cls=wanted)
        if shape == "selector":
            claim["spec"]["selector"] = {"matchLabels": {"app": f"a{i}"}}
        if shape == "external":  # each PV is pre-bound to a claim of its own
            objects[-1]["spec"]["claimRef"] = {"name": f"nfs-{i}", "namespace": f"ns-{i}"}
            objects.append(pvc(f"nfs-{i}", namespace=f"ns-{i}", volumeName=f"pv-{i}"))
        objects.append(claim)
    plan = bind(objects)
    expected = {
        "dynamic": {Outcome.PROVISIONED},
        "external": {Outcome.EXTERNAL, Outcome.BOUND},
    }.get(shape, {Outcome.BOUND})
    assert {v.outcome for v in plan.claims} == expected
    assert calls <= 4 * n
