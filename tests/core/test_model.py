"""The base model: errors are findings whichever way a value is built."""

from __future__ import annotations

from typing import Any

import pytest

from k8sdsl import App, Chart, K8sDslError
from k8sdsl.core import DnsLabel, K8sModel, Quantity, Resource, ValueInputError


class Claim(K8sModel):
    name: DnsLabel
    size: Quantity


def test_model_validate_raises_findings_not_a_pydantic_dump() -> None:
    with pytest.raises(ValueInputError) as info:
        Claim.model_validate({"name": "Data_1", "size": "1GB"})
    assert [(f.code, f.path, f.hint) for f in info.value.findings] == [
        ("value/dns-label", "name", "use 'data-1'"),
        ("value/quantity", "size", "use '1G'"),
    ]
    assert "validation error" not in str(info.value)
    assert "errors.pydantic.dev" not in str(info.value)


def test_model_validate_of_a_non_mapping_is_a_finding() -> None:
    with pytest.raises(ValueInputError) as info:
        Claim.model_validate(["x"])
    assert info.value.codes == ["value/model-type"]


def test_a_construct_building_values_with_model_validate_names_its_path(tmp_path: Any) -> None:
    class Holder(Resource):
        api_version = "v1"
        kind = "ConfigMap"

        def __init__(self, scope: Any, id: str, **data: Any) -> None:
            super().__init__(scope, id)
            with self._values():
                self.claim = Claim.model_validate(data)

    chart = Chart(App(outdir=tmp_path), "c", namespace="ns")
    with pytest.raises(K8sDslError) as info:
        Holder(chart, "h", name="ok", size="lots")
    (finding,) = info.value.findings
    assert (finding.code, finding.path, finding.obj.source) == ("value/quantity", "size", "c/h")
