"""Node affinity values of a PersistentVolume: factories and the API server's rules."""

from __future__ import annotations

import pytest

from k8sdsl import K8sDslError
from k8sdsl.storage import (
    HOSTNAME_LABEL,
    NodeFieldSelectorRequirement,
    NodeSelectorOperator,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    VolumeNodeAffinity,
)


def test_every_operator_factory() -> None:
    rendered = [
        r.to_k8s()
        for r in (
            NodeSelectorRequirement.is_in("zone", "a", "b"),
            NodeSelectorRequirement.not_in("zone", "c"),
            NodeSelectorRequirement.exists("gpu"),
            NodeSelectorRequirement.does_not_exist("spot"),
            NodeSelectorRequirement.greater_than("cores", 4),
            NodeSelectorRequirement.less_than("cores", 64),
        )
    ]
    assert rendered == [
        {"key": "zone", "operator": "In", "values": ["a", "b"]},
        {"key": "zone", "operator": "NotIn", "values": ["c"]},
        {"key": "gpu", "operator": "Exists"},
        {"key": "spot", "operator": "DoesNotExist"},
        {"key": "cores", "operator": "Gt", "values": ["4"]},
        {"key": "cores", "operator": "Lt", "values": ["64"]},
    ]


def test_hostname_affinity_with_several_nodes() -> None:
    affinity = VolumeNodeAffinity.hostname("node-1", "node-2")
    term = affinity.to_k8s()["required"]["nodeSelectorTerms"][0]
    assert term == {
        "matchExpressions": [
            {"key": HOSTNAME_LABEL, "operator": "In", "values": ["node-1", "node-2"]}
        ]
    }


def test_terms_are_alternatives() -> None:
    affinity = VolumeNodeAffinity.of(
        NodeSelectorTerm(match_expressions=(NodeSelectorRequirement.is_in("zone", "a"),)),
        NodeSelectorTerm(match_fields=(NodeFieldSelectorRequirement(values=("node-9",)),)),
    )
    terms = affinity.to_k8s()["required"]["nodeSelectorTerms"]
    assert terms[1] == {
        "matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node-9"]}]
    }


@pytest.mark.parametrize(
    ("operator", "values", "message"),
    [
        (NodeSelectorOperator.IN, None, "needs at least one value"),
        (NodeSelectorOperator.EXISTS, ("x",), "takes no values"),
        (NodeSelectorOperator.GT, ("four",), "exactly one integer"),
        (NodeSelectorOperator.LT, ("1", "2"), "exactly one integer"),
    ],
)
def test_operator_values(
    operator: NodeSelectorOperator, values: tuple[str, ...] | None, message: str
) -> None:
    with pytest.raises(K8sDslError) as info:
        NodeSelectorRequirement(key="k", operator=operator, values=values)
    assert message in info.value.findings[0].message


def test_an_empty_term_matches_no_node() -> None:
    with pytest.raises(K8sDslError) as info:
        NodeSelectorTerm()
    assert "matches no node" in info.value.findings[0].message


def test_no_terms_at_all() -> None:
    with pytest.raises(K8sDslError):
        VolumeNodeAffinity.of()


def test_node_fields_are_only_the_name_with_one_value() -> None:
    with pytest.raises(K8sDslError):
        NodeFieldSelectorRequirement(key="spec.nodeName", values=("a",))
    with pytest.raises(K8sDslError):
        NodeFieldSelectorRequirement(values=("a", "b"))
    with pytest.raises(K8sDslError):
        NodeFieldSelectorRequirement(operator=NodeSelectorOperator.EXISTS, values=("a",))


def test_a_bad_label_key() -> None:
    with pytest.raises(K8sDslError) as info:
        NodeSelectorRequirement.exists("not a key")
    assert info.value.findings[0].path == "key"
