"""Label selectors: rendering, matching with Kubernetes semantics, and their errors."""

from __future__ import annotations

import pytest

from k8sdsl.core import K8sDslError, LabelSelector, LabelSelectorRequirement, SelectorOperator


def test_empty_selector_matches_everything_and_renders_empty() -> None:
    sel = LabelSelector.everything()
    assert sel.to_k8s() == {}
    assert sel.matches({}) and sel.matches({"a": "b"})


def test_match_labels_and_expressions() -> None:
    sel = LabelSelector(
        match_labels={"role": "db"},
        match_expressions=(
            LabelSelectorRequirement(key="tier", operator=SelectorOperator.IN, values=("a", "b")),
            LabelSelectorRequirement(key="legacy", operator=SelectorOperator.DOES_NOT_EXIST),
        ),
    )
    assert sel.to_k8s() == {
        "matchLabels": {"role": "db"},
        "matchExpressions": [
            {"key": "tier", "operator": "In", "values": ["a", "b"]},
            {"key": "legacy", "operator": "DoesNotExist"},
        ],
    }
    assert sel.matches({"role": "db", "tier": "a"})
    assert not sel.matches({"role": "db", "tier": "c"})
    assert not sel.matches({"role": "db", "tier": "a", "legacy": "x"})
    assert not sel.matches({"tier": "a"})


def test_not_in_matches_missing_key() -> None:
    req = LabelSelectorRequirement(key="env", operator=SelectorOperator.NOT_IN, values=("prod",))
    assert req.matches({}) and req.matches({"env": "dev"}) and not req.matches({"env": "prod"})


def test_in_without_values_is_an_error() -> None:
    with pytest.raises(K8sDslError) as info:
        LabelSelectorRequirement(key="a", operator=SelectorOperator.IN)
    assert "needs at least one value" in info.value.findings[0].message


def test_of_shorthand_and_round_trip_from_k8s() -> None:
    sel = LabelSelector.of({"app.kubernetes.io/name": "db"}, tier="backend")
    assert LabelSelector.from_k8s(sel.to_k8s()) == sel
