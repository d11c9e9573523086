"""The label indexes answer exactly what trying every selector against every object answers,
in the same order, for every operator; and the hot path keeps the guard's findings."""

from __future__ import annotations

import random
from typing import Any

import pytest

from k8sdsl.core._findings import K8sDslError
from k8sdsl.core._label_index import LabelIndex, SelectorIndex, requirements
from k8sdsl.core._selectors import LabelSelector, LabelSelectorRequirement, SelectorOperator

KEYS = ["app", "tier", "team", "zone"]
VALUES = ["a", "b", "c"]
NAMESPACES = ["one", "two"]


def _random_labels(rng: random.Random) -> dict[str, str]:
    return {k: rng.choice(VALUES) for k in KEYS if rng.random() < 0.6}


def _random_selector(rng: random.Random) -> LabelSelector:
    labels = {k: rng.choice(VALUES) for k in KEYS if rng.random() < 0.25}
    exprs = []
    for key in KEYS:
        if rng.random() < 0.3:
            op = rng.choice(list(SelectorOperator))
            values = (
                tuple(rng.sample(VALUES, rng.randint(1, 2)))
                if op in (SelectorOperator.IN, SelectorOperator.NOT_IN)
                else None
            )
            exprs.append(LabelSelectorRequirement(key=key, operator=op, values=values))
    return LabelSelector(match_labels=labels or None, match_expressions=tuple(exprs) or None)


def _objects(rng: random.Random, n: int) -> list[dict[str, Any]]:
    return [
        {"id": i, "ns": rng.choice(NAMESPACES), "labels": _random_labels(rng)} for i in range(n)
    ]


@pytest.mark.parametrize("seed", range(20))
def test_select_is_the_brute_force_answer_in_order(seed: int) -> None:
    rng = random.Random(seed)
    objects = _objects(rng, 60)
    index = LabelIndex(objects, namespace=lambda o: o["ns"], labels=lambda o: o["labels"])
    for _ in range(40):
        selector = _random_selector(rng)
        ns = rng.choice(NAMESPACES)
        want = [o for o in objects if o["ns"] == ns and selector.matches(o["labels"])]
        assert index.select(ns, selector) == want, selector
        assert set(map(id, want)) <= set(map(id, index.candidates(ns, selector)))


@pytest.mark.parametrize("seed", range(20))
def test_matching_is_the_brute_force_answer_in_order(seed: int) -> None:
    rng = random.Random(seed)
    objects = _objects(rng, 40)
    entries = [{"ns": rng.choice(NAMESPACES), "sel": _random_selector(rng)} for _ in range(50)]
    entries.append({"ns": "one", "sel": None})  # unreadable: selects nothing
    counts = LabelIndex(objects, namespace=lambda o: o["ns"], labels=lambda o: o["labels"])
    for with_counts in (None, counts):
        index = SelectorIndex(
            entries, namespace=lambda e: e["ns"], selector=lambda e: e["sel"], counts=with_counts
        )
        for o in objects:
            want = [
                e
                for e in entries
                if e["ns"] == o["ns"] and e["sel"] is not None and e["sel"].matches(o["labels"])
            ]
            assert index.matching(o["ns"], o["labels"]) == want


def test_a_selector_is_filed_under_its_rarest_requirement() -> None:
    # every pod carries shop=yes; only one carries app=p7: the policy must not be filed
    # under shop=yes, or every pod's lookup would try it
    pods = [{"labels": {"shop": "yes", "app": f"p{i}"}} for i in range(100)]
    counts = LabelIndex(pods, namespace=lambda p: "ns", labels=lambda p: p["labels"])
    policy = LabelSelector.of({"shop": "yes", "app": "p7"})
    index = SelectorIndex([policy], namespace=lambda s: "ns", selector=lambda s: s, counts=counts)
    assert index.matching("ns", {"shop": "yes", "app": "p7"}) == [policy]
    assert ("ns", "shop", "yes") not in index._keyed
    assert index._keyed[("ns", "app", "p7")] == [0]
    assert counts.candidates("ns", policy) == [pods[7]]


def test_requirements_of_each_operator() -> None:
    selector = LabelSelector(
        match_labels={"app": "web"},
        match_expressions=(
            LabelSelectorRequirement(key="tier", operator=SelectorOperator.IN, values=("a", "b")),
            LabelSelectorRequirement(key="zone", operator=SelectorOperator.EXISTS),
            LabelSelectorRequirement(key="x", operator=SelectorOperator.NOT_IN, values=("c",)),
            LabelSelectorRequirement(key="y", operator=SelectorOperator.DOES_NOT_EXIST),
        ),
    )
    assert requirements(selector) == [
        [("app", "web")],
        [("tier", "a"), ("tier", "b")],
        [("zone", None)],
    ]
    assert requirements(LabelSelector.everything()) == []


def test_the_hot_path_still_reports_a_wrong_argument() -> None:
    selector = LabelSelector.of(app="web")
    assert selector.matches({"app": "web"}) is True
    assert selector.matches(None) is False
    with pytest.raises(K8sDslError) as caught:
        selector.matches(["app", "web"])  # type: ignore[arg-type]
    finding = caught.value.findings[0]
    assert "LabelSelector.matches" in str(caught.value)
    assert finding.path == "labels"
