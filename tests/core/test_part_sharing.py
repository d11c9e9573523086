"""Equal parts of rendered objects are one object each, and the YAML written is unchanged."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

from k8sdsl.core._yaml import PartSharer, dump_documents, share_equal_parts


def _pod(i: int) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": f"web-{i}", "labels": {"app": "web"}},
        "spec": {
            "containers": [
                {
                    "name": "web",
                    "securityContext": {
                        "allowPrivilegeEscalation": False,
                        "capabilities": {"drop": ["ALL"]},
                    },
                    "resources": {"requests": {"cpu": "100m"}},
                }
            ]
        },
    }


def test_equal_parts_are_one_object_and_the_yaml_is_unchanged() -> None:
    objects = [_pod(i) for i in range(50)]
    before = dump_documents(copy.deepcopy(objects))
    sharer = PartSharer()
    sharer.share(objects[:25])
    sharer.share(objects[25:])  # across batches too
    assert dump_documents(objects) == before
    first, last = objects[0]["spec"]["containers"][0], objects[-1]["spec"]["containers"][0]
    assert first["securityContext"] is last["securityContext"]
    assert objects[0]["metadata"]["labels"] is objects[-1]["metadata"]["labels"]
    assert objects[0]["metadata"] is not objects[-1]["metadata"]  # names differ
    assert objects[0] is not objects[1]  # the objects themselves are never shared


def test_values_equal_in_python_but_written_apart_stay_apart() -> None:
    objects = [
        {"a": {"v": 1}},
        {"a": {"v": True}},
        {"a": {"v": 1.0}},
        {"a": {"v": 0.0}},
        {"a": {"v": -0.0}},
        {"a": {"x": 1, "y": 2}},
        {"a": {"y": 2, "x": 1}},
        {"a": [1, 2]},
        {"a": [2, 1]},
    ]
    before = [json.dumps(o) for o in objects]
    share_equal_parts(objects)
    assert [json.dumps(o) for o in objects] == before
    parts = [o["a"] for o in objects]
    assert len({id(p) for p in parts}) == len(parts)


def test_random_documents_write_the_same_yaml() -> None:
    rng = random.Random(11)
    leaves: list[Any] = ["a", "b", 1, 0, True, False, None, 1.5, -0.0, "1", ""]

    def value(depth: int) -> Any:
        roll = rng.random()
        if depth > 3 or roll < 0.4:
            return rng.choice(leaves)
        if roll < 0.7:
            return {rng.choice("abcd"): value(depth + 1) for _ in range(rng.randint(0, 3))}
        return [value(depth + 1) for _ in range(rng.randint(0, 3))]

    objects = [{"kind": "X", "spec": value(0), "data": value(0)} for _ in range(300)]
    before = dump_documents(copy.deepcopy(objects))
    share_equal_parts(objects)
    assert dump_documents(objects) == before


def test_data_that_is_not_json_like_is_left_alone() -> None:
    # a set has no hash: two equal ones are not compared, so their parents stay apart
    one, two = {1, 2}, {1, 2}
    objects = [{"a": {"s": one}}, {"a": {"s": two}}]
    share_equal_parts(objects)
    assert objects[0]["a"] is not objects[1]["a"]
    assert objects[0]["a"]["s"] is one and objects[1]["a"]["s"] is two


def test_the_cli_scratch_copy_is_the_output_byte_for_byte(tmp_path: Path) -> None:
    from k8sdsl import App, Chart, ConfigMap
    from k8sdsl.core._config_file import TextFile

    app = App(outdir=tmp_path / "dist")
    app.cli_scratch = tmp_path / "scratch"
    chart = Chart(app, "settings", namespace="shop")
    ConfigMap(chart, "settings", name="settings", data={"a": "one\r\ntwo"})
    TextFile(app, "script", path="tools/run.sh", text="#!/bin/sh\r\necho hi\r\n")
    app.synth()
    written = {
        p.relative_to(tmp_path / "dist"): p.read_bytes()
        for p in (tmp_path / "dist").rglob("*")
        if p.is_file()
    }
    copied = {
        p.relative_to(tmp_path / "scratch"): p.read_bytes()
        for p in (tmp_path / "scratch").rglob("*")
        if p.is_file()
    }
    assert written == copied
    assert b"\r\n" in written[Path("tools/run.sh")]
