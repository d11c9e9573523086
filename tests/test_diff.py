"""``k8sdsl diff``: the repo's dist/ against itself, against an edited copy, and at a git ref."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from k8sdsl._diff import LOSES, RESTARTS, WIDENS, compare, diff_objects
from k8sdsl.cli import main

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"


def _edit(folder: Path, name: str, change: Callable[[list[Any]], list[Any]]) -> None:
    file = folder / name
    docs = [d for d in yaml.safe_load_all(file.read_text()) if d is not None]
    file.write_text(yaml.safe_dump_all(change(docs), sort_keys=False))


def _first(docs: list[Any], kind: str, name: str | None = None) -> dict[str, Any]:
    return next(
        d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)
    )


def _flags(out: str) -> set[tuple[str, str, str]]:
    data = json.loads(out)
    return {(f["impact"], f["object"].split(" (in ")[0], f["reason"]) for f in data["flagged"]}


def test_dist_against_itself_is_no_change(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(DIST), str(DIST)]) == 0
    assert capsys.readouterr().out.strip() == "no changes"
    assert main(["diff", str(DIST), str(DIST), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["changed"] is False and data["objects"] == []


@pytest.fixture
def edited(tmp_path: Path) -> Path:
    """dist/ with five edits: an image tag, an RBAC verb, a PV reclaim policy, a removed PVC,
    a removed NetworkPolicy."""
    new = tmp_path / "dist"
    shutil.copytree(DIST, new)

    def image(docs: list[Any]) -> list[Any]:
        web = _first(docs, "Deployment", "web")
        c = web["spec"]["template"]["spec"]["containers"][0]
        c["image"] = c["image"].replace("web:2.3.1", "web:2.4.0")
        return [d for d in docs if d is not _first(docs, "NetworkPolicy", "api-from-web")]

    def verb(docs: list[Any]) -> list[Any]:
        _first(docs, "Role")["rules"][0]["verbs"].append("delete")
        return docs

    def reclaim(docs: list[Any]) -> list[Any]:
        _first(docs, "PersistentVolume")["spec"]["persistentVolumeReclaimPolicy"] = "Delete"
        return docs

    def claim(docs: list[Any]) -> list[Any]:
        pvc = _first(docs, "PersistentVolumeClaim")
        return [d for d in docs if d is not pvc]

    _edit(new, "shop.k8s.yaml", image)
    _edit(new, "access-control.k8s.yaml", verb)
    _edit(new, "volume-gallery.k8s.yaml", reclaim)
    _edit(new, "dynamic-storage.k8s.yaml", claim)
    return new


def test_edits_give_exactly_those_flags(edited: Path, capsys: pytest.CaptureFixture[str]) -> None:
    role = _first(list(yaml.safe_load_all((DIST / "access-control.k8s.yaml").read_text())), "Role")
    pv = _first(
        [d for d in yaml.safe_load_all((DIST / "volume-gallery.k8s.yaml").read_text()) if d],
        "PersistentVolume",
    )
    pvc = _first(
        [d for d in yaml.safe_load_all((DIST / "dynamic-storage.k8s.yaml").read_text()) if d],
        "PersistentVolumeClaim",
    )
    assert main(["diff", str(DIST), str(edited), "--format", "json"]) == 1
    out = capsys.readouterr().out
    verbs = role["rules"][0]["verbs"]
    pvc_ns = pvc["metadata"].get("namespace")
    pvc_where = f"{pvc_ns}/{pvc['metadata']['name']}" if pvc_ns else pvc["metadata"]["name"]
    role_where = f"{role['metadata']['namespace']}/{role['metadata']['name']}"
    assert _flags(out) == {
        (
            LOSES,
            f"PersistentVolume {pv['metadata']['name']}",
            'spec.persistentVolumeReclaimPolicy: "Retain" -> "Delete"',
        ),
        (LOSES, f"PersistentVolumeClaim {pvc_where}", "PersistentVolumeClaim removed"),
        (WIDENS, f"Role.rbac.authorization.k8s.io {role_where}", "rules[0].verbs: delete added"),
        (
            WIDENS,
            "NetworkPolicy.networking.k8s.io shop/api-from-web",
            "NetworkPolicy removed: the pods it isolated are open to its traffic",
        ),
        (
            RESTARTS,
            "Deployment.apps shop/web",
            "spec.template.spec.containers[name=app].image changed: the pods are replaced",
        ),
    }
    data = json.loads(out)
    # flagged first, data loss before access before restarts
    assert [f["impact"] for f in data["flagged"]] == [LOSES, LOSES, WIDENS, WIDENS, RESTARTS]
    web = next(o for o in data["objects"] if o["object"] == "Deployment.apps shop/web")
    assert web["changes"] == [
        {
            "path": "spec.template.spec.containers[name=app].image",
            "change": "changed",
            "old": next(
                d
                for d in yaml.safe_load_all((DIST / "shop.k8s.yaml").read_text())
                if d["kind"] == "Deployment" and d["metadata"]["name"] == "web"
            )["spec"]["template"]["spec"]["containers"][0]["image"],
            "new": web["changes"][0]["new"],
        }
    ]
    assert "web:2.4.0" in web["changes"][0]["new"]
    assert (
        verbs + ["delete"]
        == next(o for o in data["objects"] if o["kind"] == "Role")["changes"][0]["new"]
    )


def test_markdown_puts_the_flagged_table_first(
    edited: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", str(DIST), str(edited), "--format", "markdown"]) == 1
    out = capsys.readouterr().out
    table = out.index("| Impact | Object | Change |")
    details = out.index("<details><summary>All changes (5 objects)</summary>")
    assert table < details and out.rstrip().endswith("</details>")
    assert "| loses data | `PersistentVolumeClaim" in out
    assert "```diff\n" in out


def test_text_report(edited: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(DIST), str(edited)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("3 changed, 0 added, 2 removed; 5 flagged\n\nFlagged\n  ! loses data")
    assert "  - NetworkPolicy.networking.k8s.io shop/api-from-web (removed)" in out


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def test_git_ref_against_the_working_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "repo"
    (repo / "dist").mkdir(parents=True)
    shutil.copy(DIST / "shop.k8s.yaml", repo / "dist" / "shop.k8s.yaml")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "shop")
    monkeypatch.chdir(repo)
    assert main(["diff", "--git", "HEAD"]) == 0
    assert capsys.readouterr().out.strip() == "no changes"
    _edit(
        repo / "dist",
        "shop.k8s.yaml",
        lambda docs: [d for d in docs if d["kind"] != "PodDisruptionBudget"],
    )
    assert main(["diff", "--git", "HEAD", "dist", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [(o["object"], o["status"]) for o in data["objects"]] == [
        ("PodDisruptionBudget.policy shop/web", "removed")
    ]
    assert main(["diff", "--git", "no-such-ref"]) == 2
    assert "no-such-ref" in capsys.readouterr().err


def test_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(DIST)]) == 2
    assert "OLD and NEW" in capsys.readouterr().err
    assert main(["diff", str(DIST), str(tmp_path / "nope")]) == 2
    assert "no such file" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [\n")
    assert main(["diff", str(DIST / "shop.k8s.yaml"), str(bad)]) == 2


def _deployment(**pod: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d", "namespace": "n"},
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {"name": "c", "image": "i", "envFrom": [{"configMapRef": {"name": "cm"}}]}
                    ],
                    **pod,
                }
            }
        },
    }


def test_security_context_weakened() -> None:
    old = _deployment(securityContext={"runAsNonRoot": True})
    new = copy.deepcopy(old)
    spec = new["spec"]["template"]["spec"]
    spec["securityContext"]["runAsNonRoot"] = False
    spec["hostNetwork"] = True
    spec["containers"][0]["securityContext"] = {
        "privileged": True,
        "capabilities": {"add": ["NET_ADMIN"]},
    }
    spec["volumes"] = [{"name": "h", "hostPath": {"path": "/var/run"}}]
    reasons = {(f.impact, f.reason) for f in diff_objects([old], [new]).objects[0].flags}
    assert {r for i, r in reasons if i == WIDENS} == {
        "spec.template.spec.securityContext.runAsNonRoot: containers may run as root",
        "spec.template.spec.hostNetwork: pods share the node's namespace",
        "spec.template.spec.containers[name=c].securityContext.privileged: privileged container",
        "spec.template.spec.containers[name=c].securityContext.capabilities.add: "
        "capabilities NET_ADMIN added",
        "spec.template.spec.volumes[name=h].hostPath.path: a hostPath volume mounts the node's "
        "/var/run",
    }
    assert sum(1 for i, _ in reasons if i == RESTARTS) == 1  # one restart flag per object


def test_configmap_data_used_by_pods_restarts_them() -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "n"}}
    other = {**cm, "metadata": {"name": "unused", "namespace": "n"}}
    old = [_deployment(), {**cm, "data": {"a": "1"}}, {**other, "data": {"a": "1"}}]
    new = [_deployment(), {**cm, "data": {"a": "2"}}, {**other, "data": {"a": "2"}}]
    result = diff_objects(old, new)
    flagged = {(o.identity.name, f.impact) for f, o in result.flagged()}
    assert flagged == {("cm", RESTARTS)}
    assert [o.identity.name for o in result.objects] == ["cm", "unused"]


def test_statefulset_data_loss() -> None:
    sts = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "db", "namespace": "n"},
        "spec": {"volumeClaimTemplates": [{"metadata": {"name": "data"}}]},
    }
    new = copy.deepcopy(sts)
    new["spec"]["persistentVolumeClaimRetentionPolicy"] = {"whenDeleted": "Delete"}
    flags = diff_objects([sts], [new]).objects[0].flags
    assert [(f.impact, f.reason) for f in flags] == [
        (
            LOSES,
            "spec.persistentVolumeClaimRetentionPolicy.whenDeleted: claims are deleted with the "
            "pods",
        )
    ]
    assert [f.reason for f in diff_objects([sts], []).objects[0].flags] == [
        "StatefulSet with claim templates removed"
    ]


def test_paths_match_named_items_and_quote_odd_keys() -> None:
    old = {
        "metadata": {"labels": {"app.kubernetes.io/name": "a"}},
        "items": [{"name": "x", "v": 1}],
    }
    new = {
        "metadata": {"labels": {"app.kubernetes.io/name": "b"}},
        "items": [{"name": "y"}, {"name": "x", "v": 2}],
    }
    paths = [(c.path, c.kind) for c in compare(old, new)]
    assert paths == [
        ("items[name=x].v", "changed"),
        ("items[name=y]", "added"),
        ('metadata.labels["app.kubernetes.io/name"]', "changed"),
    ]


def test_text_shows_whole_strings(edited: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(DIST), str(edited)]) == 1
    line = next(ln for ln in capsys.readouterr().out.splitlines() if "].image:" in ln)
    assert line.rstrip().endswith('"') and "web:2.4.0@sha256:" in line and "..." not in line


def test_an_object_in_several_files_is_told_apart_by_file() -> None:
    pv = {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pv"}}
    delete = {**pv, "spec": {"persistentVolumeReclaimPolicy": "Delete"}}
    old = [(pv, "a.yaml")]
    new = [(pv, "a.yaml"), (delete, "b.yaml")]
    result = diff_objects(old, new)
    assert [(o.identity.describe(), o.status) for o in result.objects] == [
        ("PersistentVolume pv (in b.yaml)", "added")
    ]
    assert [f.impact for f, _ in result.flagged()] == [LOSES]


def test_network_policy_and_binding_widening() -> None:
    policy = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "db", "namespace": "n"},
        "spec": {
            "podSelector": {"matchLabels": {"app": "db"}},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "api"}}}]}],
        },
    }
    opened = copy.deepcopy(policy)
    opened["spec"]["policyTypes"] = ["Ingress"]
    del opened["spec"]["ingress"][0]["from"]
    narrowed = copy.deepcopy(policy)
    narrowed["spec"]["ingress"][0]["ports"] = [{"port": 5432}]
    binding = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": {"name": "b", "namespace": "n"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r"},
        "subjects": [{"kind": "ServiceAccount", "name": "a"}],
    }
    more = copy.deepcopy(binding)
    more["subjects"].append({"kind": "ServiceAccount", "name": "b"})
    fewer = {**binding, "subjects": []}
    result = diff_objects([policy, binding], [opened, more])
    assert {(o.identity.kind, f.reason) for f, o in result.flagged()} == {
        ("NetworkPolicy", "spec.ingress[0].from: removed, the rule allows every source"),
        ("NetworkPolicy", "spec.policyTypes: no longer isolates Egress"),
        ("RoleBinding", "subjects[name=b]: a subject added"),
    }
    # adding ports to a rule, or dropping a subject, only narrows
    assert diff_objects([policy, binding], [narrowed, fewer]).flagged() == []
    assert diff_objects([policy, binding], [narrowed, fewer]).changed
