"""A sharded synth (``K8SDSL_SHARD=I/N``, ``App.synth(shard=...)``): the shards' outputs
together are the whole synth's, byte for byte; each shard checks its own objects, and a
bad shard writes nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from apps import build_app
from k8sdsl import App, Chart, K8sDslError
from k8sdsl.cli import main
from k8sdsl.core._shard import SHARD_ENV, parse_shard, shard_index
from k8sdsl.workloads import Deployment, SecurePodTemplate

from .conftest import folder_bytes

ROOT = Path(__file__).resolve().parent.parent
IMAGE = "registry.example.com/shop/web:1.2.3"


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("whole") / "dist"
    build_app(outdir=out).synth()
    return folder_bytes(out)


@pytest.mark.parametrize("count", [1, 3])
def test_the_shards_together_are_the_whole_synth(
    whole: dict[str, bytes], tmp_path: Path, count: int
) -> None:
    union: dict[str, bytes] = {}
    for index in range(1, count + 1):
        out = tmp_path / f"shard-{index}"
        report = build_app(outdir=out).synth(shard=(index, count))
        notes = [f for f in report.findings if f.code == "app/shard"]
        assert len(notes) == 1 and f"shard {index}/{count}" in notes[0].message
        part = folder_bytes(out)
        assert not set(part) & set(union), "a file written by two shards"
        union |= part
    assert union == whole


def test_each_chart_is_in_the_shard_its_id_hashes_to(tmp_path: Path) -> None:
    app = build_app(outdir=tmp_path / "dist")
    seen: list[str] = []
    for index in (1, 2, 3, 4):
        charts = app.shard_charts(index, 4)
        assert all(shard_index(c.node.id, 4) == index for c in charts)
        seen += [c.node.id for c in charts]
    assert sorted(seen) == sorted(c.node.id for c in app.charts)


def _app(out: Path, names: list[str], bad: str | None = None) -> App:
    app = App(outdir=out)
    for name in names:
        chart = Chart(app, name, namespace="shop")
        Deployment(
            chart,
            "web",
            name=f"{name}-web",
            template=SecurePodTemplate(image=IMAGE if name != bad else "nginx:latest"),
        )
    return app


def test_a_shard_checks_its_own_objects_and_a_bad_one_writes_nothing(tmp_path: Path) -> None:
    names = [f"team-{i}" for i in range(12)]
    bad = names[5]
    bad_shard = shard_index(bad, 2)
    out = tmp_path / "dist"
    out.mkdir()
    (out / "before.yaml").write_text("kept\n")
    with pytest.raises(K8sDslError) as caught:
        _app(out, names, bad).synth(shard=(bad_shard, 2))
    assert any(f.code == "images/tag" for f in caught.value.findings)
    assert folder_bytes(out) == {"before.yaml": b"kept\n"}
    # the other shard does not hold the bad chart: it is written
    report = _app(out, names, bad).synth(shard=(3 - bad_shard, 2))
    assert not report.has_errors()
    written = set(folder_bytes(out))
    assert f"{bad}.k8s.yaml" not in written
    assert written == {f"{n}.k8s.yaml" for n in names if shard_index(n, 2) != bad_shard}


def test_the_rules_across_objects_wait_for_the_final_job(tmp_path: Path) -> None:
    # two charts write one object identity: only the whole set can see it
    app = App(outdir=tmp_path / "whole")
    for name in ("team-a", "team-b"):
        chart = Chart(app, name, namespace="shop")
        Deployment(chart, "web", name="web", template=SecurePodTemplate(image=IMAGE))
    with pytest.raises(K8sDslError) as caught:
        app.synth()
    assert any(f.code == "app/duplicate-object" for f in caught.value.findings)
    merged = tmp_path / "merged"
    merged.mkdir()
    for index in (1, 2):
        out = tmp_path / f"shard-{index}"
        sharded = App(outdir=out)
        for name in ("team-a", "team-b"):
            chart = Chart(sharded, name, namespace="shop")
            Deployment(chart, "web", name="web", template=SecurePodTemplate(image=IMAGE))
        report = sharded.synth(shard=(index, 2))
        assert all(f.code != "app/duplicate-object" for f in report.findings)
        for name, data in folder_bytes(out).items():
            (merged / name).write_bytes(data)
    # the final job finds it in the merged output
    assert main(["check", "--cross-only", str(merged)]) == 1


def test_the_environment_variable_shards_a_bare_cdk8s_synth(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, whole: dict[str, bytes]
) -> None:
    out = tmp_path / "dist"
    monkeypatch.setenv(SHARD_ENV, "2/3")
    build_app(outdir=out).synth()
    expected = tmp_path / "expected"
    monkeypatch.delenv(SHARD_ENV)
    build_app(outdir=expected).synth(shard=(2, 3))
    assert folder_bytes(out) == folder_bytes(expected)
    assert set(folder_bytes(out)) < set(whole)


@pytest.mark.parametrize("value", ["0/3", "4/3", "2", "a/b", "2/0"])
def test_a_bad_shard_value_names_the_variable_and_the_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(SHARD_ENV, value)
    out = tmp_path / "dist"
    with pytest.raises(K8sDslError) as caught:
        _app(out, ["team-a"]).synth()
    finding = caught.value.findings[0]
    assert finding.code == "app/shard"
    assert SHARD_ENV in finding.message and repr(value) in finding.message
    assert "I/N" in finding.hint
    assert not out.exists()


def test_a_sharded_synth_refuses_via_cdk8s(tmp_path: Path) -> None:
    with pytest.raises(K8sDslError) as caught:
        _app(tmp_path / "dist", ["team-a"]).synth(shard=(1, 2), via_cdk8s=True)
    assert caught.value.findings[0].code == "app/shard"


def test_parse_shard_bounds() -> None:
    assert parse_shard(" 3 / 4 ") == (3, 4)
    with pytest.raises(ValueError, match="K8SDSL_SHARD takes I/N"):
        parse_shard("5/4", what=SHARD_ENV)


@pytest.mark.slow
def test_python_m_apps_under_the_variable(tmp_path: Path, whole: dict[str, bytes]) -> None:
    """What ``cdk8s synth`` runs, in a fresh process with the variable set."""
    union: dict[str, bytes] = {}
    for index in (1, 2):
        out = tmp_path / f"shard-{index}"
        done = subprocess.run(
            [sys.executable, "-m", "apps"],
            cwd=ROOT,
            env={"PATH": "/usr/bin:/bin", SHARD_ENV: f"{index}/2", "CDK8S_OUTDIR": str(out)},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert f"shard {index}/2" in done.stderr
        union |= folder_bytes(out)
    assert union == whole
