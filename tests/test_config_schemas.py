"""The pinned schemas of the configuration files: valid JSON schemas, each named in the
folder's README with its source, the kinds known to the schema check, and versions judged."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from k8sdsl._config_schema import CONFIG_KINDS, SCHEMA_DIR, config_problems
from k8sdsl._schema import CONFIG_KIND_NAMES
from k8sdsl.core import K8sVersion

README = (SCHEMA_DIR / "README.md").read_text()


@pytest.mark.parametrize("path", sorted(SCHEMA_DIR.glob("*.json")), ids=lambda p: p.stem)
def test_every_schema_is_valid_strict_and_named_in_the_readme(path: Path) -> None:
    schema = json.loads(path.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["additionalProperties"] is False
    assert f"`{path.name}`" in README
    assert "kubernetes/kubernetes" in schema["description"]


def test_every_known_kind_has_its_schema_and_is_looked_up() -> None:
    assert {k for _, k in CONFIG_KINDS} == CONFIG_KIND_NAMES
    for kind in CONFIG_KINDS.values():
        assert (SCHEMA_DIR / kind.schema).is_file()
    used = {k.schema for k in CONFIG_KINDS.values()}
    assert used == {p.name for p in SCHEMA_DIR.glob("*.json")}


def test_other_versions_of_a_kind_are_left_to_the_official_schemas() -> None:
    """AuthorizationConfiguration v1alpha1 is read by 1.29 and an audit.k8s.io Policy is
    another kind: neither is judged here (the schema check warns that it did not check
    them); KubeletConfiguration has one apiVersion, so another is an error."""
    v = K8sVersion("1.35")
    for api_version, kind in [
        ("apiserver.config.k8s.io/v1alpha1", "AuthorizationConfiguration"),
        ("audit.k8s.io/v1", "Policy"),
    ]:
        assert config_problems({"apiVersion": api_version, "kind": kind}, v) is None
    (problem,) = config_problems(
        {"apiVersion": "kubelet.config.k8s.io/v1", "kind": "KubeletConfiguration"}, v
    ) or [None]
    assert problem is not None and problem.code == "schema/config-version"
