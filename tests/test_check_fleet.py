"""``k8sdsl check`` at fleet size: ``--jobs`` (worker processes), ``--shard I/N`` with a final
``--cross-only`` job, and ``--cache DIR`` give the serial run's findings, byte for byte."""

from __future__ import annotations

import json
import shutil
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml

from k8sdsl._fleet import check_files, shard_of
from k8sdsl.cli import main
from k8sdsl.core._shard import parse_shard
from k8sdsl.core._versions import K8sVersion
from k8sdsl.rules._registry import RuleContext

FIXTURES = Path(__file__).parent / "fixtures"


def _app(i: int, *, claim: str | None = None) -> list[dict[str, object]]:
    name = f"app-{i}"
    labels = {"app.kubernetes.io/name": name}
    return [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "namespace": f"team-{i % 3}", "labels": dict(labels)},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": dict(labels)},
                "template": {
                    "metadata": {"labels": dict(labels)},
                    "spec": {
                        "containers": [
                            {
                                "name": "web",
                                "image": "registry.example.com/web:latest",
                                "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                            }
                        ],
                        "volumes": [
                            {"name": "data", "persistentVolumeClaim": {"claimName": claim or name}}
                        ],
                    },
                },
            },
        },
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": name, "namespace": f"team-{i % 3}"},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "1Gi"}},
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": name, "namespace": f"team-{i % 3}"},
            "spec": {"selector": dict(labels), "ports": [{"port": 80, "targetPort": 8080}]},
        },
    ]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository of many files: every fixture of the test suite (schema errors, typos,
    duplicate keys, unreadable files, CNI files) and a fleet whose objects reference each
    other across files (a claim in another file, a missing claim, a duplicate object)."""
    root = tmp_path_factory.mktemp("repo")
    shutil.copytree(FIXTURES, root / "fixtures")
    fleet = root / "fleet"
    fleet.mkdir()
    for f in range(24):
        docs = [d for i in range(f * 3, f * 3 + 3) for d in _app(i)]
        if f == 5:
            docs += _app(1000, claim="no-such-claim")
        if f == 7:
            docs += _app(3)[1:2]  # app-3's claim again: a duplicate object across files
        if f == 9:
            docs[0]["spec"]["Replicas"] = 3  # type: ignore[index] - a typo the schema reports
        (fleet / f"team-{f:02d}.yaml").write_text(yaml.safe_dump_all(docs, sort_keys=False))
    return root


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", "--k8s-version", "1.35", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_parallel_output_is_byte_identical_to_serial(
    repo: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    serial = _run(capsys, "--format", fmt, "--jobs", "1", str(repo))
    parallel = _run(capsys, "--format", fmt, "--jobs", "2", str(repo))
    assert serial[0] == parallel[0] == 2  # the fixtures hold unreadable files
    assert serial[1] == parallel[1]
    assert serial[2] == parallel[2]
    assert "storage/missing-claim" in serial[1]  # a cross-file rule ran
    assert "app/duplicate-object" in serial[1]
    assert "schema/unknown-field" in serial[1]


def test_parallel_reports_what_the_one_pass_pipeline_reports(repo: Path) -> None:
    """The per-file split changes nothing: the same findings as check_manifests over every
    object at once (the pipeline synth runs)."""
    from k8sdsl._fleet import cni_file_findings, load_manifests, recorded_csi_drivers
    from k8sdsl._pipeline import check_manifests, rule_settings
    from k8sdsl.core._cluster import Cluster

    version = K8sVersion("1.35")
    assert not recorded_csi_drivers([repo])
    manifests, problems, _ = load_manifests([repo], version)
    cni, _ = cni_file_findings([repo], Cluster())
    settings = rule_settings(Cluster(), version, complete=False)
    whole = check_manifests(manifests, settings, [*problems, *cni])
    report, _, stats = check_files([repo], version, jobs=2)
    assert stats.jobs == 2
    assert Counter(f.to_dict().__repr__() for f in report.findings) == Counter(
        f.to_dict().__repr__() for f in whole.findings
    )


def _findings(out: str) -> Counter[str]:
    return Counter(json.dumps(f, sort_keys=True) for f in json.loads(out)["findings"])


def test_shards_and_cross_only_add_up_to_the_serial_run(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, serial, _ = _run(capsys, "--format", "json", str(repo))
    union: Counter[str] = Counter()
    unreadable: set[str] = set()
    for i in (1, 2, 3):
        code, out, err = _run(capsys, "--format", "json", "--shard", f"{i}/3", str(repo))
        assert "--cross-only" in err and f"shard {i}/3" in err
        union += _findings(out)
        unreadable |= set(json.loads(out)["unreadable"])
    _, cross, _ = _run(capsys, "--format", "json", "--cross-only", str(repo))
    cross_findings = _findings(cross)
    assert cross_findings  # the cross-object rules found something
    assert not set(cross_findings) & set(union)  # each finding comes from one job
    assert union + cross_findings == _findings(serial)
    assert unreadable == set(json.loads(serial)["unreadable"])


def test_shards_split_the_files_deterministically(repo: Path) -> None:
    files = sorted(repo.rglob("*.yaml"))
    shards = Counter(shard_of(f, 4) for f in files)
    assert set(shards) == {1, 2, 3, 4}  # every shard has work
    assert all(shard_of(f, 4) == shard_of(Path(str(f)), 4) for f in files)
    assert shard_of(Path("dist/a.yaml"), 4) == shard_of(Path("dist/a.yaml"), 4)


def test_cache_rechecks_only_the_changed_file(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = tmp_path / "repo"
    shutil.copytree(repo / "fleet", work)
    cache = tmp_path / "cache"
    files = len(list(work.glob("*.yaml")))
    first = _run(capsys, "--cache", str(cache), "--verbose", str(work))
    assert f"{files} checked, 0 from the cache" in first[2]
    second = _run(capsys, "--cache", str(cache), "--verbose", str(work))
    assert f"0 checked, {files} from the cache" in second[2]
    assert second[:2] == first[:2]
    # one file changes: a claim goes missing in another file's view
    changed = work / "team-00.yaml"
    docs = list(yaml.safe_load_all(changed.read_text()))
    kept = [
        d for d in docs if (d["kind"], d["metadata"]["name"]) != ("PersistentVolumeClaim", "app-1")
    ]
    assert len(kept) == len(docs) - 1
    changed.write_text(yaml.safe_dump_all(kept, sort_keys=False))
    third = _run(capsys, "--cache", str(cache), "--verbose", str(work))
    assert f"1 checked, {files - 1} from the cache" in third[2]
    fresh = _run(capsys, str(work))
    assert third[:2] == fresh[:2]
    assert "names claim 'app-1', which is not in namespace 'team-1'" in fresh[1]
    assert "names claim 'app-1'" not in first[1]
    # other options are other results: nothing is reused
    strict = _run(capsys, "--cache", str(cache), "--verbose", "--strict", str(work))
    assert f"{files} checked, 0 from the cache" in strict[2]


def test_cache_survives_a_damaged_entry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    work = tmp_path / "repo"
    work.mkdir()
    (work / "a.yaml").write_text(yaml.safe_dump_all(_app(1)))
    cache = tmp_path / "cache"
    first = _run(capsys, "--cache", str(cache), str(work))
    for entry in cache.rglob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    again = _run(capsys, "--cache", str(cache), "--verbose", str(work))
    assert "1 checked, 0 from the cache" in again[2]
    assert again[:2] == first[:2]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--jobs", "0"], "--jobs takes a number >= 1 or auto"),
        (["--jobs", "many"], "--jobs takes a number >= 1 or auto"),
        (["--shard", "3/2"], "--shard takes I/N with 1 <= I <= N"),
        (["--shard", "x"], "--shard takes I/N"),
        (["--shard", "1/2", "--cross-only"], "separate jobs"),
    ],
)
def test_bad_fleet_flags_are_usage_errors(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = _run(capsys, *args, str(FIXTURES / "clean-configmap.yaml"))
    assert code == 2
    assert message in err


def test_parse_shard() -> None:
    assert parse_shard("2/4") == (2, 4)
    with pytest.raises(ValueError, match="1 <= I <= N"):
        parse_shard("0/4")


def test_auto_jobs_stay_serial_for_small_inputs(repo: Path) -> None:
    _, _, stats = check_files([repo / "fleet"], K8sVersion("1.35"), jobs=None)
    assert stats.jobs == 1


def test_fresh_workers_give_the_same_output(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a process with other threads the workers are started fresh (spawn), not forked;
    the report is the same."""
    from k8sdsl import _fleet

    serial = _run(capsys, "--format", "json", "--jobs", "1", str(repo / "fleet"))
    monkeypatch.setattr(_fleet, "_can_fork", lambda: False)
    spawned = _run(capsys, "--format", "json", "--jobs", "2", str(repo / "fleet"))
    assert spawned == serial


def test_a_failing_worker_fails_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from k8sdsl import _fleet

    if not _fleet._can_fork():
        pytest.skip("this process has other threads: no fork")
    parent = os.getpid()
    real = _fleet._run_task

    def flaky(task: object, options: object) -> object:
        if os.getpid() != parent:
            raise OSError("disk gone")
        time.sleep(0.02)  # leave the worker tasks to take
        return real(task, options)

    monkeypatch.setattr(_fleet, "_run_task", flaky)
    with pytest.raises(RuntimeError, match="OSError: disk gone"):
        _fleet._spread([["no/such-rule"]] * 40, (RuleContext([]), []), 2)


def test_cache_keys_hold_the_registered_crds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A changed ``--crd`` file changes what a custom resource's file gives: not reused."""
    from k8sdsl._crd_schema import forget_registered_crds

    crd = tmp_path / "widget-crd.yaml"
    source = (Path(__file__).parent / "fixtures" / "crds" / "widget-crd.yaml").read_text()
    crd.write_text(source)
    work = tmp_path / "repo"
    work.mkdir()
    (work / "widget.yaml").write_text(
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: shop}\n"
        "spec: {size: 3, color: blue}\n"
    )
    cache = tmp_path / "cache"
    try:
        first = _run(capsys, "--cache", str(cache), "--verbose", "--crd", str(crd), str(work))
        assert "1 checked, 0 from the cache" in first[2]
        again = _run(capsys, "--cache", str(cache), "--verbose", "--crd", str(crd), str(work))
        assert "0 checked, 1 from the cache" in again[2]
        forget_registered_crds()
        # blue is no longer a colour the CRD allows
        crd.write_text(source.replace("enum: [red, green, blue]", "enum: [red, green]"))
        changed = _run(capsys, "--cache", str(cache), "--verbose", "--crd", str(crd), str(work))
        assert "1 checked, 0 from the cache" in changed[2]
        assert "spec.color" in changed[1]
    finally:
        forget_registered_crds()
