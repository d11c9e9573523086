"""Quantities parse exactly, compare by value and point at the right spelling."""

from __future__ import annotations

import pytest

from k8sdsl.core import K8sDslError, K8sModel, Quantity, QuantityError


@pytest.mark.parametrize(
    ("bigger", "smaller"),
    [
        ("1Gi", "900Mi"),
        ("1G", "999M"),
        ("1Gi", "1G"),
        ("2", "1500m"),
        ("1e3", "999"),
        ("1.5Gi", "1Gi"),
        ("1Ki", "1k"),
    ],
)
def test_ordering(bigger: str, smaller: str) -> None:
    assert Quantity(bigger) > Quantity(smaller)
    assert Quantity(smaller) < bigger


@pytest.mark.parametrize(
    ("a", "b"),
    [("0.5", "500m"), ("1Gi", "1024Mi"), ("1k", "1000"), ("1e3", "1k"), ("100m", "0.1"), ("1", 1)],
)
def test_equality(a: str, b: str | int) -> None:
    assert Quantity(a) == Quantity(b)
    assert hash(Quantity(a)) == hash(Quantity(b))


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("0.5", "500m"),
        ("1024Mi", "1Gi"),
        ("1000", "1k"),
        ("1500", "1500"),
        ("1536Mi", "1536Mi"),
        ("0", "0"),
        ("2000m", "2"),
    ],
)
def test_canonical(text: str, canonical: str) -> None:
    assert Quantity(text).canonical() == canonical


@pytest.mark.parametrize(
    ("text", "hint"),
    [("1GB", "use '1G'"), ("1gi", "use '1Gi'"), ("10 Gi", "use '10Gi'"), ("500MiB", "use '500Mi'")],
)
def test_common_mistakes_get_the_right_spelling(text: str, hint: str) -> None:
    with pytest.raises(QuantityError) as info:
        Quantity(text)
    assert info.value.hint == hint


def test_garbage_is_rejected_with_the_grammar() -> None:
    with pytest.raises(QuantityError) as info:
        Quantity("lots")
    assert "Ki Mi Gi" in info.value.hint


def test_renders_as_written_in_values() -> None:
    class Claim(K8sModel):
        storage: Quantity

    assert Claim(storage="1Gi").to_k8s() == {"storage": "1Gi"}
    with pytest.raises(K8sDslError) as info:
        Claim(storage="1GB")
    (finding,) = info.value.findings
    assert finding.code == "value/quantity"
    assert finding.path == "storage"
    assert finding.hint == "use '1G'"


def test_a_text_parsed_again_gives_the_same_verdict() -> None:
    """Each text is parsed once per process and remembered: asking again must give the
    same amount, and a refused text must be refused again, with its own hint."""
    for _ in range(3):
        assert Quantity("1536Mi").value == Quantity("1.5Gi").value == 1536 * 2**20
        assert str(Quantity("1536Mi")) == "1536Mi"
        with pytest.raises(QuantityError) as exc:
            Quantity("1GB")
        assert exc.value.value == "1GB" and "'1G'" in exc.value.hint
        with pytest.raises(QuantityError):
            Quantity("1 Gi")
