"""Rules marked ``scope="object"`` judge one object at a time: ``k8sdsl check --jobs``,
``--shard`` and ``--cache`` run them over parts of the objects and add the parts up."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from k8sdsl._fleet import load_manifests
from k8sdsl._pipeline import read_through_typos, rule_settings, schema_check
from k8sdsl.core._cluster import Cluster
from k8sdsl.core._manifest import Manifest
from k8sdsl.core._versions import K8sVersion
from k8sdsl.rules._registry import OBJECT_RULES, RuleContext, RuleInfo, registered_rules

ROOT = Path(__file__).resolve().parent.parent
VERSION = K8sVersion("1.35")


@pytest.fixture(scope="module")
def every_object() -> list[Manifest]:
    """Every object of every YAML fixture, of dist/ and of the docs, as the rules see them."""
    files = sorted(
        f
        for folder in ("tests/fixtures", "dist", "docs")
        for f in (ROOT / folder).rglob("*")
        if f.suffix in (".yaml", ".yml", ".json")
    )
    manifests = [m for f in files for m in load_manifests([f], VERSION)[0]]
    schema_check(manifests)
    return read_through_typos(manifests)


def _findings(info: RuleInfo, manifests: list[Manifest], *, complete: bool) -> Counter[str]:
    settings = rule_settings(Cluster(), VERSION, complete=complete)
    try:
        return Counter(repr(f.to_dict()) for f in info.func(RuleContext(manifests, settings)))
    except Exception as exc:  # noqa: BLE001 - a failure must fail alike
        return Counter([f"failed: {type(exc).__name__}"])


def test_object_rules_are_registered_rules() -> None:
    ids = {r.id for r in registered_rules()}
    assert OBJECT_RULES <= ids
    assert {r.id for r in registered_rules() if r.scope == "object"} == OBJECT_RULES


def test_cross_object_rules_stay_set_scoped() -> None:
    """The rules that look across objects (their findings change when another object is
    added) are never marked per-object."""
    scope = {r.id: r.scope for r in registered_rules()}
    for rule_id in (
        "storage/missing-claim",
        "storage/unbound-claim",
        "network/selects-no-pod",
        "network/dns-egress-blocked",
        "references/missing-object",
        "pod-security/privileged",
        "images/pull-secret",
        "workloads/pdb-selects-nothing",
    ):
        assert scope[rule_id] == "set", rule_id


@pytest.mark.parametrize("complete", [False, True])
def test_object_rules_add_up_object_by_object(every_object: list[Manifest], complete: bool) -> None:
    assert len(every_object) > 200
    judged = 0
    for info in registered_rules():
        if info.scope != "object":
            continue
        whole = _findings(info, every_object, complete=complete)
        parts: Counter[str] = Counter()
        for m in every_object:
            parts += _findings(info, [m], complete=complete)
        assert parts == whole, info.id
        judged += bool(whole)
    # the fixtures exercise most of them (a rule with no finding anywhere proves little)
    assert judged >= 25
