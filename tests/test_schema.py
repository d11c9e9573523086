"""Strict schema validation: compiled validators only where they pay off, same verdicts."""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from k8sdsl._pipeline import schema_check
from k8sdsl._schema import COMPILE_AT, SchemaSet
from k8sdsl.core import K8sVersion, Manifest

DIST = Path(__file__).resolve().parent.parent / "dist"


def dist_objects() -> list[dict[str, Any]]:
    return [o for p in sorted(DIST.glob("*.yaml")) for o in yaml.safe_load_all(p.read_text()) if o]


def test_a_small_app_on_a_fresh_machine_compiles_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compiling a Deployment schema takes about 0.4 s; checking a handful of objects with
    jsonschema takes milliseconds. apps/ on a fresh CI machine took 4.4 s, 3.4 s of it
    compiling validators that were used a few times each."""
    monkeypatch.setenv("K8SDSL_CACHE_DIR", str(tmp_path / "cache"))
    v = K8sVersion("1.35")
    objs = [o for o in dist_objects() if o["kind"] in ("Deployment", "Service", "ConfigMap")]
    manifests = [Manifest(o, f"o[{i}]", v) for i, o in enumerate(objs)]
    bad = copy.deepcopy(objs[0])
    bad["spec"]["Replicas"] = 1
    manifests.append(Manifest(bad, "bad", v))
    findings, valid = schema_check(manifests)
    assert len(valid) == len(objs)
    assert [(f.code, f.path) for f in findings] == [("schema/unknown-field", "spec.Replicas")]
    assert not (tmp_path / "cache").exists()  # nothing was compiled


def test_a_fleet_compiles_its_kinds_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("K8SDSL_CACHE_DIR", str(tmp_path / "cache"))
    schemas = SchemaSet("1.35")
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}
    assert schemas.validate(cm, expected=3) == []
    assert not list(tmp_path.glob("cache/*/1.35/*.marshal"))
    assert schemas.validate(cm, expected=COMPILE_AT) == []
    assert [p.name for p in tmp_path.glob("cache/*/1.35/*.marshal")] == ["configmap-v1.marshal"]
    # a later run, even of one object, uses the cached compiled code
    fresh = SchemaSet("1.35")
    assert fresh._fast_validator("v1", "ConfigMap", 1) is not None
    assert fresh._fast["v1", "ConfigMap"] is not None


def test_both_engines_give_the_same_verdicts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """jsonschema (few objects) and the compiled validator (many) agree on dist/ and on
    mutated copies of it."""
    monkeypatch.setenv("K8SDSL_CACHE_DIR", str(tmp_path / "cache"))
    rng = random.Random(7)
    objects = dist_objects()
    mutated = []
    for obj in objects:
        for _ in range(3):
            copy_ = copy.deepcopy(obj)
            spec = copy_.get("spec")
            if isinstance(spec, dict) and spec:
                key = rng.choice(sorted(spec))
                spec[key] = rng.choice([None, "x", 7, [], {}, {"unknown": 1}])
            mutated.append(copy_)
    few = SchemaSet("1.35")
    by_jsonschema = [few.validate(obj, expected=1) for obj in objects + mutated]
    assert few._fast == {} or set(few._fast.values()) == {None}  # nothing compiled
    many = SchemaSet("1.35")
    compiled = [many.validate(obj, expected=COMPILE_AT) for obj in objects + mutated]
    assert any(v is not None for v in many._fast.values())
    assert by_jsonschema == compiled
    assert sum(bool(v) for v in compiled) > len(mutated) // 4  # the mutations do fail
