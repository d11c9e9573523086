"""k8sdsl.testing: the pytest plugin (loaded by its pytest11 entry point, as in a user's repo)
and the helpers that synth a chart in memory and assert findings."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path
from typing import Any

import pytest

from k8sdsl import App, Chart, ConfigMap, K8sDslError, Namespace
from k8sdsl.testing import assert_findings, findings, synth_objects, synth_yaml, to_yaml

ROOT = Path(__file__).resolve().parent.parent

POD_WITH_MISSING_CONFIG_MAP: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web", "namespace": "shop"},
    "spec": {
        "containers": [
            {
                "name": "web",
                "image": "registry.example.com/web:1.0",
                "envFrom": [{"configMapRef": {"name": "web-settings"}}],
            }
        ]
    },
}


def entry_points() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    found: dict[str, str] = project["entry-points"]["pytest11"]
    return found


def test_the_plugin_is_declared_under_its_module_name() -> None:
    """pytest registers an entry-point plugin under the entry point's name and a ``-p`` or
    ``pytest_plugins`` plugin under its module's: named alike, the plugin loads once when a
    repo names it as well (with another name pytest stops: "Plugin already registered")."""
    assert entry_points() == {"k8sdsl.testing": "k8sdsl.testing"}


def test_the_testing_extra_pins_the_syrupy_this_repo_tests_with() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    syrupy = [d for d in extras["test"] if d.startswith("syrupy")]
    assert extras["testing"] == syrupy == ["syrupy==7.0.2"]


USER_TEST = """
from k8sdsl import App, Chart, ConfigMap
from k8sdsl.testing import assert_findings, synth_objects


def build(tmp_path, mode="fast"):
    app = App(outdir=tmp_path / "dist")
    chart = Chart(app, "web", namespace="shop")
    ConfigMap(chart, "settings", data={"mode": mode})
    return app


def test_web(tmp_path, yaml_snapshot):
    assert synth_objects(build(tmp_path, MODE)) == yaml_snapshot


def test_clean(tmp_path):
    assert_findings(build(tmp_path), set())
"""


def run_user_suite(
    tmp_path: Path, *args: str, mode: str = "fast", header: str = ""
) -> subprocess.CompletedProcess[str]:
    """pytest in a fresh process over a user's test file, with k8sdsl "installed": a
    distribution whose entry points are the ones pyproject.toml declares, on the path."""
    site = tmp_path / "site"
    info = site / "k8sdsl_user_install-0.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: k8sdsl-user-install\nVersion: 0\n")
    lines = [f"{name} = {target}" for name, target in entry_points().items()]
    (info / "entry_points.txt").write_text("[pytest11]\n" + "\n".join(lines) + "\n")
    repo = tmp_path / "repo"
    repo.mkdir(exist_ok=True)
    (repo / "test_user.py").write_text(header + USER_TEST.replace("MODE", repr(mode)))
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(site)]),
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "",
    }
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args, "test_user.py"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_the_entry_point_gives_a_users_tests_the_yaml_snapshot(tmp_path: Path) -> None:
    first = run_user_suite(tmp_path, "--snapshot-update")
    assert first.returncode == 0, first.stdout + first.stderr
    snap = tmp_path / "repo" / "__snapshots__" / "test_user" / "test_web.yaml"
    assert snap.read_text() == (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\n"
        "data:\n  mode: fast\n"
    )
    again = run_user_suite(tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "2 passed" in again.stdout
    drifted = run_user_suite(tmp_path, mode="slow")
    assert drifted.returncode == 1
    assert "test_web" in drifted.stdout and "mode: slow" in drifted.stdout


def test_a_repo_that_also_names_the_plugin_loads_it_once(tmp_path: Path) -> None:
    header = 'pytest_plugins = ["k8sdsl.testing"]\n'
    assert run_user_suite(tmp_path, "--snapshot-update").returncode == 0
    for args in (["-p", "k8sdsl.testing"], []):
        result = run_user_suite(tmp_path, *args, header=header if not args else "")
        assert result.returncode == 0, result.stdout + result.stderr
        assert "2 passed" in result.stdout


def test_the_plugin_can_be_turned_off(tmp_path: Path) -> None:
    result = run_user_suite(tmp_path, "-p", "no:k8sdsl.testing")
    assert result.returncode == 1
    assert "fixture 'yaml_snapshot' not found" in result.stdout


def test_without_syrupy_the_fixture_says_what_is_missing(tmp_path: Path) -> None:
    result = run_user_suite(tmp_path, "-p", "no:syrupy")
    assert result.returncode == 1
    assert "the yaml_snapshot fixture needs syrupy: pip install 'k8sdsl[testing]'" in result.stdout
    assert "1 passed, 1 error" in result.stdout  # a setup error; test_clean still ran


def test_this_repos_conftest_uses_the_librarys_fixture(yaml_snapshot: Any) -> None:
    from k8sdsl.testing import yaml_snapshot_extension

    assert isinstance(yaml_snapshot.extension, yaml_snapshot_extension())
    conftest = (ROOT / "tests" / "conftest.py").read_text()
    assert "SingleFileSnapshotExtension" not in conftest


# -- the helpers ----------------------------------------------------------------------------


def two_charts(tmp_path: Path) -> tuple[App, Chart, Chart]:
    app = App(outdir=tmp_path / "dist")
    web = Chart(app, "web", namespace="shop")
    ConfigMap(web, "settings", data={"mode": "fast"})
    base = Chart(app, "base")
    Namespace(base, "shop")
    return app, web, base


def test_synth_yaml_is_what_synth_writes_and_writes_nothing(tmp_path: Path) -> None:
    app, web, _ = two_charts(tmp_path)
    files = synth_yaml(app)
    assert sorted(files) == ["base.k8s.yaml", "web.k8s.yaml"]
    assert synth_yaml(web) == {"web.k8s.yaml": files["web.k8s.yaml"]}
    assert not (tmp_path / "dist").exists()
    app.synth()
    assert (tmp_path / "dist" / "web.k8s.yaml").read_text() == files["web.k8s.yaml"]


def test_synth_yaml_of_a_chart_in_the_file_per_resource_layout(tmp_path: Path) -> None:
    app = App(outdir=tmp_path / "dist")
    web = Chart(app, "web", namespace="shop", layout="resource-files")
    ConfigMap(web, "a", data={"k": "v"})
    ConfigMap(web, "b", data={"k": "v"})
    other = Chart(app, "other", namespace="shop")
    ConfigMap(other, "c", data={"k": "v"})
    assert sorted(synth_yaml(web)) == sorted(p for p in synth_yaml(app) if p.startswith("web/"))
    assert len(synth_yaml(web)) == 2


def test_synth_objects_reads_the_files_back(tmp_path: Path) -> None:
    app, web, _ = two_charts(tmp_path)
    assert [o["kind"] for o in synth_objects(app)] == ["Namespace", "ConfigMap"]
    (cm,) = synth_objects(web)
    assert cm["metadata"] == {"name": "settings", "namespace": "shop"}


def test_synth_yaml_raises_with_every_finding(tmp_path: Path) -> None:
    app, web, _ = two_charts(tmp_path)
    # the same ConfigMap in another chart of the app: synth_yaml(web) checks the whole app
    ConfigMap(Chart(app, "again", namespace="shop"), "settings", data={"again": "yes"})
    with pytest.raises(K8sDslError) as info:
        synth_yaml(web)
    assert "app/duplicate-object" in info.value.codes


def test_findings_of_objects_are_those_of_check() -> None:
    report = findings([POD_WITH_MISSING_CONFIG_MAP])
    missing = [f for f in report.findings if f.code == "references/missing-object"]
    assert [f.severity.value for f in missing] == ["warning"]
    complete = findings([POD_WITH_MISSING_CONFIG_MAP], complete=True)
    assert "references/missing-object" in [f.code for f in complete.errors]
    from k8sdsl import Cluster

    declared = Cluster(objects=[{"kind": "ConfigMap", "name": "web-settings", "namespace": "shop"}])
    assert (
        "references/missing-object"
        not in findings([POD_WITH_MISSING_CONFIG_MAP], cluster=declared, complete=True).codes()
    )


def test_findings_of_a_chart_are_its_own(tmp_path: Path) -> None:
    app, web, base = two_charts(tmp_path)
    bad = ConfigMap(web, "huge", data={"a": "x"})
    bad.api_object  # noqa: B018 - through cdk8s, so the JSON patch below applies
    import cdk8s

    bad.api_object.add_json_patch(cdk8s.JsonPatch.add("/data/b", 1))
    assert "schema/type" in findings(web).codes()
    assert "schema/type" in findings(bad).codes()
    assert findings(base).codes() == []


def test_assert_findings_names_what_is_missing_and_unexpected() -> None:
    report = assert_findings(
        [POD_WITH_MISSING_CONFIG_MAP],
        {"references/missing-object"},
        severity="error",
        complete=True,
    )
    assert report.has_errors()
    with pytest.raises(AssertionError) as info:
        assert_findings([POD_WITH_MISSING_CONFIG_MAP], {"storage/unbound-claim"}, complete=True)
    text = str(info.value)
    assert "missing ['storage/unbound-claim']" in text
    assert "'references/missing-object'" in text.split("unexpected", 1)[1]
    assert "web-settings" in text  # the report follows
    with pytest.raises(ValueError, match="severity"):
        assert_findings([], set(), severity="fatal")


def test_to_yaml_is_the_snapshot_text() -> None:
    text = to_yaml({"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "a"}})
    assert text == "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
    assert textwrap.dedent(text) == text
