"""Namespace and ConfigMap: the plainest objects, checked as the API server would."""

from __future__ import annotations

from typing import Any

import pytest

from k8sdsl import Chart, ConfigMap, K8sDslError, Namespace


def test_configmap_renders_sorted_string_data(chart: Chart, yaml_snapshot: Any) -> None:
    cm = ConfigMap(chart, "settings", data={"mode": "fast", "LOG.level": "debug"})
    ns = Namespace(chart, "team-a", labels={"pod-security.kubernetes.io/enforce": "restricted"})
    assert [cm, ns] == yaml_snapshot


@pytest.mark.parametrize(
    ("data", "code", "path"),
    [
        ({"a b": "x"}, "configmap/key", "data['a b']"),
        ({"..": "x"}, "configmap/key", "data['..']"),
        ({1: "x"}, "configmap/key", "data[1]"),
        ({"port": 8080}, "configmap/value", "data['port']"),
    ],
)
def test_configmap_keys_and_values_are_checked(
    chart: Chart, data: dict[Any, Any], code: str, path: str
) -> None:
    with pytest.raises(K8sDslError) as info:
        ConfigMap(chart, "settings", data=data)
    (finding,) = info.value.findings
    assert (finding.code, finding.path, finding.obj.source) == (code, path, "test/settings")
    assert finding.hint


def test_configmap_over_one_mebibyte_is_refused(chart: Chart) -> None:
    """The API server refuses a ConfigMap whose values add up to more than 1 MiB; the schema
    does not say so, so synth would have written an object the cluster rejects."""
    ConfigMap(chart, "just-fits", data={"a": "x" * (1024 * 1024 - 3), "b": "é"})
    with pytest.raises(K8sDslError) as info:
        ConfigMap(chart, "too-big", data={"a": "x" * (1024 * 1024 - 1), "b": "é"})
    (finding,) = info.value.findings
    assert (finding.code, finding.path) == ("configmap/too-large", "data")
    assert "1,048,577 bytes" in finding.message
