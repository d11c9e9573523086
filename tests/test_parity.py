"""One rule book: for every finding code a construct can raise, a YAML file on which
``k8sdsl check`` gives that code (tests/fixtures/parity/<family>--<name>.yaml, or
``.conflist`` for CNI configuration, with ``.cluster.yaml`` beside it when the case needs a
declared cluster). Codes that
only a construct's own arguments can cause say so below, with the YAML code for the same
mistake where there is one. The construct codes are read from the source, so a new one
fails here until it has a YAML case or a written reason."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from k8sdsl.cli import main
from k8sdsl.rules._registry import load_rules, registered_rules

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "parity"
CODE = re.compile(r'"([a-z0-9]+(?:-[a-z0-9]+)*/[a-z0-9]+(?:-[a-z0-9]+)*)"')
#: where the constructs and values live (the layers below the rule book)
CONSTRUCT_SOURCES = [
    *(ROOT / "k8sdsl" / p for p in ("core", "volumes", "storage", "workloads", "network")),
    ROOT / "k8sdsl" / "security",
    ROOT / "k8sdsl" / "_namespace_and_configmap.py",
]

#: codes only a construct's arguments can cause -> why, and the YAML code for the same mistake
CONSTRUCT_ONLY: dict[str, tuple[str, str | None]] = {
    "network/no-direction": (
        "a NetworkPolicy construct with neither rules nor policy_types; in YAML the API server "
        "defaults policyTypes to Ingress",
        None,
    ),
    "network/probe-namespace": ("ClusterDnsProbe is a composite construct", None),
    "rbac/grant": ("the arguments of Grant (cluster_role= with rules=)", None),
    "rbac/subject-namespace": (
        "ServiceAccount.as_subject() on an account without a namespace; in YAML the subject "
        "without a namespace is refused",
        "rbac/invalid-binding",
    ),
    "storage/claim-ref-namespace": (
        "PersistentVolume(claim_ref=...) naming a claim without a namespace",
        "storage/dangling-claim-ref",
    ),
    "storage/nfs-namespace": ("NfsVolume is a composite construct", None),
    "storage/csi-migration": ("migrated_to_csi() given a source it cannot translate", None),
    "volumes/unknown-type": ("volume_facts(key) asked about a key that is no volume type", None),
    "workloads/expose-no-port": ("Deployment.expose() without a port to expose", None),
    "workloads/probe-mount-path": ("SecurityContextProbe is a composite construct", None),
    "tls/certificate-names": (
        "a Certificate construct given no names; in YAML cert-manager refuses it",
        None,
    ),
    "tls/trust-bundle": ("ClusterTrustBundle given text without a PEM certificate", None),
}


def construct_codes() -> set[str]:
    load_rules()
    families = {r.id.split("/", 1)[0] for r in registered_rules()} | {"admission"}
    codes: set[str] = set()
    for source in CONSTRUCT_SOURCES:
        files = [source] if source.is_file() else sorted(source.rglob("*.py"))
        for path in files:
            codes.update(c for c in CODE.findall(path.read_text()) if c.split("/")[0] in families)
    return codes - NOT_CODES


#: strings of the code's shape that are no code (image repositories)
NOT_CODES = {"flannel/flannel", "calico/node", "calico/cni"}


def fixture_for(code: str) -> Path:
    """``<family>--<name>.yaml`` (or ``.conflist``, for CNI configuration files)."""
    stem = code.replace("/", "--")
    found = [p for p in FIXTURES.glob(stem + ".*") if not p.name.endswith(".cluster.yaml")]
    return found[0] if found else FIXTURES / (stem + ".yaml")


def test_every_construct_code_has_a_yaml_case_or_a_reason() -> None:
    codes = construct_codes()
    assert len(codes) >= 20  # the scan finds them (it would pass vacuously otherwise)
    missing = sorted(c for c in codes if c not in CONSTRUCT_ONLY and not fixture_for(c).exists())
    assert missing == [], f"add tests/fixtures/parity/<code>.yaml for: {missing}"
    assert set(CONSTRUCT_ONLY) <= codes, "a construct-only code no construct raises any more"


def yaml_codes(path: Path, capsys: pytest.CaptureFixture[str]) -> set[str]:
    """The codes ``k8sdsl check --complete`` gives, against ``<fixture>.cluster.yaml`` when
    the case needs a declared cluster (its network, for the range rules)."""
    cluster = path.with_name(path.name.split(".")[0] + ".cluster.yaml")
    flags = ["--cluster", str(cluster)] if cluster.exists() else []
    main(["check", "--format", "json", "--complete", *flags, str(path)])
    return {f["code"] for f in json.loads(capsys.readouterr().out)["findings"]}


@pytest.mark.parametrize("code", sorted(c for c in construct_codes() if c not in CONSTRUCT_ONLY))
def test_k8sdsl_check_gives_the_code_on_yaml(code: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert code in yaml_codes(fixture_for(code), capsys)


@pytest.mark.parametrize(
    "code", sorted(c for c, (_, yaml_code) in CONSTRUCT_ONLY.items() if yaml_code is not None)
)
def test_the_same_mistake_on_yaml_has_its_code(
    code: str, capsys: pytest.CaptureFixture[str]
) -> None:
    yaml_code = CONSTRUCT_ONLY[code][1]
    assert yaml_code is not None
    assert yaml_code in yaml_codes(fixture_for(yaml_code), capsys)
