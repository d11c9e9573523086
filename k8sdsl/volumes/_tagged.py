"""Tagged unions of values that carry their Kubernetes key as a ClassVar (``k8s_key``).

A volume has exactly one source and a projection exactly one kind: pydantic picks the union
member by the value's class, so "exactly one" is a property of the type, not a runtime
check, and a wrong value gets one clear error instead of one per member.
"""

from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import AfterValidator, Discriminator, Tag
from pydantic_core import PydanticCustomError


def _tag_of(value: Any) -> str | None:
    key = getattr(type(value), "k8s_key", None)
    if key is None:
        return None
    # the PV and pod forms share a key (csi, azureFile...): the class name tells them apart
    return type(value).__name__


def tagged_union(*members: type[Any], kind: str) -> Any:
    """``Annotated[A | B | ..., Discriminator(...)]`` where each member is tagged by class."""
    tagged = tuple(Annotated[m, Tag(m.__name__)] for m in members)
    names = ", ".join(m.__name__ for m in members)
    return Annotated[
        Union[tagged],  # noqa: UP007 - a runtime-built union needs the Union form
        Discriminator(
            _tag_of,
            custom_error_type=f"{kind}_type",
            custom_error_message=f"is not a {kind}: pass one of {names}",
            custom_error_context={"hint": f"for example {members[0].__name__}(...)"},
        ),
    ]


def _non_empty(value: tuple[Any, ...]) -> tuple[Any, ...]:
    if not value:
        raise PydanticCustomError(
            "empty_list", "needs at least one item", {"hint": "pass at least one item"}
        )
    return value


NonEmpty = AfterValidator(_non_empty)
"""Marks a tuple field as non-empty; unlike ``min_length`` it stays quiet when an item is
already wrong (pydantic would also report the list as too short)."""
