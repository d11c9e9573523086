"""Differential tests: ``k8sdsl.core._yaml`` must write exactly what cdk8s writes.

The oracle is the real ``cdk8s.Yaml.stringify`` called through jsii (batched, one call per
``BATCH`` documents; a failing batch is re-run document by document to print a readable diff).

jsii itself changes two kinds of data on the way to Node, so those are checked against a second
oracle: the same cdk8s ``lib/yaml.js`` (and its bundled npm ``yaml`` 2.9.1) from the very
tarball jsii loads, run directly with the venv's Node on JSON input:

* jsii drops dict entries whose value is ``None`` (``{"a": None}`` arrives as ``{}``);
* jsii cannot send NaN/Infinity at all (its JSON channel crashes the kernel).

A cross-check asserts that both oracles agree on everything jsii can carry.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import random
import struct
import subprocess
import sys
import tarfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import cdk8s
import pytest
import yaml

from k8sdsl.core._yaml import dump_document, dump_documents

BATCH = 50
Oracle = Callable[[Sequence[Any]], str]

# --------------------------------------------------------------------------------------------
# Corpus 1: hand-written tricky scalar strings
# --------------------------------------------------------------------------------------------

# fmt: off
TRICKY: list[str] = [
    # YAML 1.1 null / bool (incl. the one-letter y/n that 1.2 dropped)
    "", "~", "null", "Null", "NULL", "nULL", "none", "None",
    "y", "Y", "n", "N", "yes", "Yes", "YES", "yEs", "no", "No", "NO",
    "true", "True", "TRUE", "tRUE", "false", "False", "FALSE",
    "on", "On", "ON", "oN", "off", "Off", "OFF",
    # ints: decimal, octal (0755), binary, hex, underscores, sexagesimal
    "0", "1", "-1", "+1", "007", "0755", "0o755", "08", "09", "0b1010", "0b102",
    "0x1F", "0x1g", "0xdead_beef", "1_000", "_1000", "1__0", "65535", "9007199254740993",
    "1:20", "1:60", "190:20:30", "-1:30", "1:20.5", "190:20:30.15", "12:30:45", "1:2:3:4",
    # floats
    "1.0", "1.", ".5", ".", "-.", "+.", "1e3", "1E3", "1e+3", "1.5e-3", "e3", "E3", ".e3",
    "1e", "e", "1_000.5", "6.8523015e+5", "+", "-0", "0.0", "-0.0",
    ".inf", "-.inf", "+.inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN", "-.nan", "inf", "nan",
    "NaN", "Infinity", "-Infinity",
    # timestamps
    "2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5",
    "2001-12-15T02:59:43.1Z", "2001-12-14T21:59:43.", "2002-1-1", "20011214",
    "2001-12-14 21:59:43 +35",
    # merge key & friends
    "<<", "<", "=", "<<<", "<< ",
    # indicators at the start, ': ', ' #', trailing ':'
    "- ", "-", "--", "- a", "-a", "-1a", "?", "? a", "?a", ":", ": a", ":a", "a:", "a: b",
    "a:b", "a :b", "http://example.com:8080/path", "#", "# comment", "a #b", "a#b", "a# b",
    "*", "*alias", "&anchor", "!tag", "!!str", "|", "|-", ">", ">-", "'", "''", "'quoted'",
    '"', '""', '"quoted"', "it's", 'say "hi"', "both ' and \"", "%", "%YAML 1.1", "@", "@foo",
    "`", "`cmd`", "[", "[1, 2]", "]", "{", "{a: 1}", "}", ",", ",a", "a,b", "a, b", "a]",
    # document markers
    "---", "--- a", "---a", "...", "... a", "....", "a\n---\nb", "a\n...\nb", "%x", "a\n%x",
    "a\r---", "-- -",
    # spaces and tabs
    " ", "  ", " a", "a ", " a ", "\t", "\ta", "a\t", "a\tb", "a  b", "a\t#b",
    # multi-line: clip / strip / keep chomping, indentation indicator, whitespace lines
    "\n", "\n\n", "a\n", "a\nb", "a\nb\n", "a\nb\n\n", "a\n\n\nb", "\na", "\n\na\n", " a\nb",
    "  indented\nnext", "a\n b", "a \nb", "a\n ", "a\n\t", "a\n \n", "a\n\tb", "line1\nline2\n",
    "#!/bin/sh\nset -e\necho \"hello\"\nsleep 3600\n", "- a\n- b", "key: value\nother: 1\n",
    "trailing spaces   \nnext", "\t\tx\ny", " \n", "\n \n", "x\n\n", "x\n\n \n", "a'b\nc",
    'a"b\nc \n', "a\n---", "---\n", "... \nx",
    # control characters (double quotes, YAML escapes), folding of long double-quoted lines
    "\x00", "a\x01b", "\x07", "\x08", "\x0b", "\x0c", "\r", "a\r\nb", "\x1b[31mred\x1b[0m",
    "\x7f", "\x85", "\x9f", "tab\tand\x01ctl",
    "a\x01\nb and a long enough line to switch to folded double quotes",
    "first line is here \x02\n second starts with a space and is long",
    "x\n\n\n y\x01 " + "b" * 60, "\x01\n\n" + "z" * 50 + "\n",
    # JSON length 39/40/41 around doubleQuotedMinMultiLineLength (40 UTF-16 units; 😀 is 2)
    *("a\x01\n" + "b" * k for k in (28, 29, 30)),
    *("😀\x01\n" + "b" * k for k in (27, 28, 29)),
    # unicode
    "é", "ünïcödé", "日本語", "😀", "emoji 🚀 rocket", "\u00a0", "a\u00a0b", "\u2028",
    "a\u2029b", "\ufeffbom", "ｆｕｌｌ", "١٢٣", "²", "Ⅻ", "😀\n😀", "😀" * 30 + "\x01\nx",
    # long (lineWidth 0: never folded)
    "x" * 200, "word " * 50, "a b " * 400, ("lorem ipsum dolor " * 20 + "\n") * 5,
    # backslashes
    "\\", "C:\\path\\file", "a\\nb", "\\n", "\\\n",
    # Kubernetes-typical values
    "ReadWriteMany", "ReadWriteOnce", "0.5", "500m", "1Gi", "100Mi", "2", "/var/nfs/general",
    "nfsvers=4.1", "hard", "nginx:1.25", "registry.k8s.io/pause:3.9",
    "ghcr.io/org/app@sha256:" + "0123456789abcdef" * 4, "10.0.0.0/8", "192.168.1.0/24",
    "::1/128", "fd00::/8", "0.0.0.0/0", "sleep", "3600", "k8s-app", "kube-dns",
    "app.kubernetes.io/name", "TCP", "UDP", "IfNotPresent", "RuntimeDefault", "Always",
    '{"key": "value"}', '{"a":[1,2],"b":{"c":null}}', '["sh", "-c"]', "/bin/sh", "-c",
    "--port=8080", "-v=2", "$(POD_NAME)", "${VAR}", "a=b", "key=value,other=1", "0644", "420",
    "1.2.3", "v1", "v1.2.3", "1.25", "apps/v1", "example.com/foo", "30s", "1h30m", "10%",
    "100%", "@every 1m", "*/5 * * * *", "0 0 * * 0", "foo:bar", "10:30", "8080:80",
    "user@example.com", "a!b", "a&b", "a*b", "a|b", "a>b", "a%b", "a@b", "a`b", "a?b", "a-b",
]
# fmt: on
TRICKY = list(dict.fromkeys(TRICKY))  # unique, order kept (also usable as dict keys)

# Strings that must NOT reach the jsii oracle as dict keys with special meaning to jsii.
_JSII_RESERVED_PREFIX = "$jsii"

# --------------------------------------------------------------------------------------------
# Oracles
# --------------------------------------------------------------------------------------------


def cdk8s_oracle(docs: Sequence[Any]) -> str:
    """The real thing: ``cdk8s.Yaml.stringify(*docs)`` through jsii."""
    return str(cdk8s.Yaml.stringify(*docs))


_NODE_SCRIPT = r"""
const { Yaml } = require(process.argv[1]);
const SENTINEL = '\u0000num', UNDEF = '\u0000undefined';
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', () => {
  const batches = JSON.parse(input, (k, v) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) &&
    Object.keys(v).length === 1 && SENTINEL in v ? Number(v[SENTINEL]) : v);
  const out = batches.map((docs) =>
    Yaml.stringify(...docs.map((d) => (d === UNDEF ? undefined : d))));
  process.stdout.write(JSON.stringify(out));
});
"""


def _node_binary() -> str:
    node = os.environ.get("JSII_NODE") or str(Path(sys.executable).parent / "node")
    assert Path(node).exists(), f"no node binary at {node}; set JSII_NODE"
    return node


def _encode_for_node(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return {
            "\u0000num": "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
        }
    if isinstance(value, dict):
        return {k: _encode_for_node(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode_for_node(v) for v in value]
    return value


@pytest.fixture(scope="module")
def node_oracle(tmp_path_factory: pytest.TempPathFactory) -> Callable[[list[list[Any]]], list[str]]:
    """cdk8s's own lib/yaml.js from the jsii tarball, run with Node on JSON (keeps nulls and
    non-finite numbers that jsii cannot transmit).  Takes a list of batches, one Node run."""
    tarballs = sorted((Path(cdk8s.__file__).parent / "_jsii").glob("cdk8s@*.jsii.tgz"))
    assert tarballs, "cdk8s jsii tarball not found"
    dest = tmp_path_factory.mktemp("cdk8s-src")
    with tarfile.open(tarballs[-1]) as tf:
        tf.extractall(dest, filter="data")
    yaml_js = str(dest / "package" / "lib" / "yaml.js")
    node = _node_binary()

    def run(batches: list[list[Any]]) -> list[str]:
        payload = [
            ["\u0000undefined" if d is None else _encode_for_node(d) for d in batch]
            for batch in batches
        ]
        proc = subprocess.run(
            [node, "-e", _NODE_SCRIPT, yaml_js],
            input=json.dumps(payload),
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="surrogatepass",
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        result: list[str] = json.loads(proc.stdout)
        return result

    return run


# --------------------------------------------------------------------------------------------
# Comparison with readable diffs
# --------------------------------------------------------------------------------------------


def _diff(doc: Any, expected: str, actual: str) -> str:
    shown = repr(doc)
    if len(shown) > 300:
        shown = shown[:300] + "..."
    lines = difflib.unified_diff(
        [repr(x) for x in expected.splitlines(keepends=True)],
        [repr(x) for x in actual.splitlines(keepends=True)],
        fromfile="cdk8s",
        tofile="k8sdsl",
        lineterm="",
    )
    return f"document: {shown}\n" + "\n".join(lines)


def _mismatches(docs: Sequence[Any], oracle: Oracle) -> list[str]:
    """Compare in batches; re-run a failing batch document by document for precise diffs."""
    failures: list[str] = []
    for start in range(0, len(docs), BATCH):
        batch = list(docs[start : start + BATCH])
        expected = oracle(batch)
        actual = dump_documents(batch)
        if expected == actual:
            continue
        before = len(failures)
        for doc in batch:
            exp1, act1 = oracle([doc]), dump_documents([doc])
            if exp1 != act1:
                failures.append(_diff(doc, exp1, act1))
        if len(failures) == before:  # only the joining differs
            failures.append(_diff(batch, expected, actual))
    return failures


def assert_same_as_cdk8s(docs: Sequence[Any], oracle: Oracle = cdk8s_oracle) -> None:
    failures = _mismatches(docs, oracle)
    assert not failures, (
        f"{len(failures)} of {len(docs)} documents differ from cdk8s:\n\n"
        + "\n\n".join(failures[:25])
    )


def _assert_jsii_safe(value: Any) -> None:
    """The jsii oracle changes None-valued dict entries and cannot carry NaN/inf."""
    if isinstance(value, dict):
        for k, v in value.items():
            assert v is not None and not str(k).startswith(_JSII_RESERVED_PREFIX)
            _assert_jsii_safe(v)
    elif isinstance(value, list):
        for v in value:
            _assert_jsii_safe(v)
    elif isinstance(value, float):
        assert math.isfinite(value)


# --------------------------------------------------------------------------------------------
# Corpus 2: seeded random documents
# --------------------------------------------------------------------------------------------

# fmt: off
TOKENS = [
    "a", "b", "x", "y", "n", "e", "E", "0", "1", "7", "9", "_", ".", " ", "  ", "\t", "\n",
    "\n\n", ":", ": ", "#", " #", "-", "- ", "---", "...", "?", "'", '"', "\\", "%", "@", "`",
    "{", "}", "[", "]", ",", "&", "*", "!", "|", ">", "~", "<<", "=", "/", "0x", "0b", "inf",
    "nan", "null", "true", "yes", "on", "é", "日", "😀", "\u2028", "\x85", "\x01", "\r",
    "\x7f", "\u00a0", "\x00", "\x1b", "2001-12-14", "1:20", "1e3",
]
# fmt: on


def _rand_str(r: random.Random) -> str:
    if r.random() < 0.15:
        return r.choice(TRICKY)
    n = r.choice([0, 1, 1, 1, 2, 2, 3, 4, 6, 10])
    s = "".join(r.choice(TOKENS) for _ in range(n))
    if r.random() < 0.05:
        s *= r.randint(10, 40)  # long strings, long double-quoted lines
    return s


def _rand_float(r: random.Random, nonfinite: bool) -> float:
    kind = r.randrange(9)
    if kind == 0:
        return r.uniform(-1e6, 1e6)
    if kind == 1:
        return r.random() * 10.0 ** r.randint(-30, 30)
    if kind == 2:
        return float(r.randint(-(10**6), 10**6))  # int-valued: JS prints no ".0"
    if kind == 3:
        return r.choice(
            [
                -0.0,
                0.0,
                0.1 + 0.2,
                1e21,
                1e-7,
                1e-6,
                1e16,
                1e15,
                123e20,
                5e-324,
                1.7976931348623157e308,
                2.0**53,
                2.0**53 + 2,
                0.5,
                -1.5e-10,
            ]
        )
    if kind == 4 and nonfinite:
        return r.choice([math.nan, math.inf, -math.inf])
    while True:  # any finite double
        f: float = struct.unpack("<d", r.getrandbits(64).to_bytes(8, "little"))[0]
        if math.isfinite(f):
            return f


def _rand_int(r: random.Random) -> int:
    return r.choice(
        [
            r.randint(-10, 10),
            r.randint(-(2**31), 2**31),
            r.randint(-(2**63), 2**63),
            2**53,
            2**53 + 1,
            -(2**53) - 1,
            10**21,
            10**25,
            0,
        ]
    )


def _rand_value(
    r: random.Random, depth: int, map_nulls: bool, nonfinite: bool, in_map: bool
) -> Any:
    kind = r.randrange(12 if depth < 4 else 7)
    if kind <= 2:
        return _rand_str(r)
    if kind == 3:
        return _rand_int(r)
    if kind == 4:
        return _rand_float(r, nonfinite)
    if kind == 5:
        return r.random() < 0.5
    if kind == 6:
        if in_map and not map_nulls:
            return _rand_str(r)
        return None
    if kind == 7:
        return {} if r.random() < 0.5 else []
    if kind <= 9:
        return {
            _rand_str(r): _rand_value(r, depth + 1, map_nulls, nonfinite, True)
            for _ in range(r.randint(1, 5))
        }
    return [_rand_value(r, depth + 1, map_nulls, nonfinite, False) for _ in range(r.randint(1, 5))]


def random_documents(seed: int, count: int, *, map_nulls: bool, nonfinite: bool) -> list[Any]:
    r = random.Random(seed)
    docs: list[Any] = []
    while len(docs) < count:
        doc = _rand_value(r, 0, map_nulls, nonfinite, False)
        if not map_nulls and doc is None:
            continue  # a None document means `undefined` to cdk8s; covered elsewhere
        docs.append(doc)
    return docs


# --------------------------------------------------------------------------------------------
# Corpus 3: realistic Kubernetes objects
# --------------------------------------------------------------------------------------------

SCRIPT = """#!/bin/sh
set -eu
echo "starting: $(date)" >&2
for f in /data/*.json; do
  [ -f "$f" ] || continue
  jq -r '.items[] | "\\(.name): \\(.value)"' "$f"
done
sleep 3600
"""


def pod() -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "web-0",
            "namespace": "default",
            "labels": {"app.kubernetes.io/name": "web", "k8s-app": "web", "tier": "frontend"},
            "annotations": {
                "prometheus.io/scrape": "true",
                "prometheus.io/port": "9090",
                "config.json": '{"replicas": 3, "debug": false}',
                "kubectl.kubernetes.io/default-container": "app",
            },
        },
        "spec": {
            "securityContext": {
                "runAsNonRoot": True,
                "runAsUser": 1000,
                "fsGroup": 2000,
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "initContainers": [
                {"name": "init", "image": "busybox:1.36", "command": ["sh", "-c", SCRIPT]},
            ],
            "containers": [
                {
                    "name": "app",
                    "image": "ghcr.io/example/web@sha256:" + "0123456789abcdef" * 4,
                    "imagePullPolicy": "IfNotPresent",
                    "command": ["sleep"],
                    "args": ["3600"],
                    "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                    "env": [
                        {"name": "DEBUG", "value": "true"},
                        {"name": "TIMEOUT", "value": "3600"},
                        {"name": "RATIO", "value": "0.5"},
                        {"name": "EMPTY", "value": ""},
                        {"name": "MODE", "value": "0755"},
                        {"name": "YES", "value": "yes"},
                        {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                    ],
                    "resources": {
                        "requests": {"cpu": "500m", "memory": "1Gi"},
                        "limits": {"cpu": "2", "memory": "2Gi", "ephemeral-storage": "1.5"},
                    },
                    "securityContext": {
                        "allowPrivilegeEscalation": False,
                        "readOnlyRootFilesystem": True,
                        "capabilities": {"drop": ["ALL"], "add": []},
                    },
                    "volumeMounts": [
                        {"name": "data", "mountPath": "/data"},
                        {"name": "config", "mountPath": "/etc/config", "readOnly": True},
                    ],
                    "livenessProbe": {
                        "httpGet": {"path": "/healthz", "port": "http"},
                        "initialDelaySeconds": 10,
                        "periodSeconds": 2.5,
                    },
                },
            ],
            "volumes": [
                {"name": "data", "persistentVolumeClaim": {"claimName": "data"}},
                {"name": "config", "configMap": {"name": "web", "defaultMode": 420}},
                {"name": "tmp", "emptyDir": {}},
            ],
            "tolerations": [{"key": "node-role", "operator": "Exists", "effect": "NoSchedule"}],
            "nodeSelector": {"kubernetes.io/os": "linux"},
        },
    }


def network_policy() -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "allow-dns", "namespace": "default"},
        "spec": {
            "podSelector": {},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [
                {
                    "from": [
                        {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.0.1.0/24"]}},
                        {"namespaceSelector": {"matchLabels": {"k8s-app": "kube-dns"}}},
                        {
                            "podSelector": {
                                "matchExpressions": [
                                    {"key": "tier", "operator": "In", "values": ["frontend", "on"]},
                                ]
                            }
                        },
                    ],
                    "ports": [
                        {"protocol": "TCP", "port": 8080},
                        {"protocol": "UDP", "port": "dns"},
                    ],
                }
            ],
            "egress": [
                {"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}, {"ipBlock": {"cidr": "fd00::/8"}}]},
                {"ports": [{"protocol": "UDP", "port": 53, "endPort": 65535}]},
            ],
        },
    }


def persistent_volume() -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": "nfs-general", "labels": {"type": "nfs"}},
        "spec": {
            "capacity": {"storage": "1Gi"},
            "accessModes": ["ReadWriteMany"],
            "persistentVolumeReclaimPolicy": "Retain",
            "storageClassName": "",
            "mountOptions": ["hard", "nfsvers=4.1"],
            "nfs": {"server": "10.0.0.5", "path": "/var/nfs/general", "readOnly": False},
        },
    }


def config_map() -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "web"},
        "data": {
            "app.yaml": "server:\n  port: 8080\n  host: 0.0.0.0\n",
            "keep.txt": "trailing blank lines\n\n\n",
            "strip.txt": "no final newline",
            "indented.txt": "  starts with spaces\nthen normal\n",
            "crlf.txt": "windows\r\nline endings\r\n",
            "marker.txt": "---\ndocument marker inside\n...\n",
            "1": "index-like key goes first in JS",
            "nginx.conf": "server {\n\tlisten 80;\n\tlocation / { return 200 'ok'; }\n}\n",
        },
        "binaryData": {},
    }


def kubernetes_objects() -> list[Any]:
    cron = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "backup"},
        "spec": {
            "schedule": "*/5 * * * *",
            "jobTemplate": {
                "spec": {
                    "template": {
                        "spec": {
                            "restartPolicy": "OnFailure",
                            "containers": [
                                {"name": "b", "image": "alpine", "args": ["-c", "echo '*'"]}
                            ],
                        }
                    }
                }
            },
        },
    }
    return [pod(), network_policy(), persistent_volume(), config_map(), cron]


# --------------------------------------------------------------------------------------------
# Tests against cdk8s through jsii
# --------------------------------------------------------------------------------------------


def _scalar_value_docs(strings: Sequence[str]) -> list[Any]:
    docs: list[Any] = []
    for s in strings:
        docs += [s, {"v": s}, [s], {"a": {"b": [s, {"c": s}]}}, [[s], {"k": [s]}]]
    return docs


def _scalar_key_docs(strings: Sequence[str]) -> list[Any]:
    docs: list[Any] = []
    for s in strings:
        docs += [{s: "v"}, {"o": {s: s}}, [{s: 1, "z": [s]}], {s: {"x": [s]}, "b": {s: {}}}]
    return docs


def test_corpus_is_large_enough() -> None:
    assert len(TRICKY) >= 150


def test_tricky_strings_as_values() -> None:
    docs = _scalar_value_docs(TRICKY)
    for d in docs:
        _assert_jsii_safe(d)
    assert_same_as_cdk8s(docs)


def test_tricky_strings_as_keys() -> None:
    assert_same_as_cdk8s(_scalar_key_docs(TRICKY))


def test_all_tricky_keys_in_one_mapping_keep_js_property_order() -> None:
    # JS puts canonical array-index keys ("0", "1", "420", "3600", ...) first, numerically.
    mapping = {s: i for i, s in enumerate(TRICKY)}
    assert_same_as_cdk8s([mapping, {"root": mapping}, [mapping]])


def test_long_keys_become_explicit() -> None:
    docs = [
        {"k" * 1024: 1},
        {"k" * 1025: 1},
        {"k" * 1030: [1, 2]},
        {"a": {"k" * 1030: {"b": 1, "c": [2]}}},
        {"é" * 1020: {}},
        {"😀" * 513: "two UTF-16 units each"},
        {"😀" * 512: "exactly 1024 units"},
        {"\x01" * 300: "escapes make it longer"},
        [{"k" * 2000: "x\ny"}],
    ]
    assert_same_as_cdk8s(docs)


def test_numbers_bools_and_empty_containers() -> None:
    docs: list[Any] = [
        0,
        1,
        -1,
        2**31,
        2**53,
        2**53 + 1,
        -(2**53) - 1,
        2**64,
        10**21,
        10**400,
        -(10**400),
        0.0,
        -0.0,
        1.0,
        2.0,
        -2.0,
        0.5,
        0.1 + 0.2,
        1e15,
        1e16,
        1e20,
        1e21,
        1.5e21,
        1e-6,
        1e-7,
        1.5e-7,
        123456789.123,
        5e-324,
        1.7976931348623157e308,
        True,
        False,
        {},
        [],
        {"a": {}, "b": [], "c": [[]], "d": [{}], "e": [[], {}], "f": {"g": {}}},
        [[[[1]]], [[], [[]]]],
        {"n": [None, None]},
        [None],
    ]
    assert_same_as_cdk8s(docs)


def test_random_documents() -> None:
    docs = random_documents(20250611, 400, map_nulls=False, nonfinite=False)
    for d in docs:
        _assert_jsii_safe(d)
    assert_same_as_cdk8s(docs)


def test_kubernetes_objects() -> None:
    objs = kubernetes_objects()
    assert_same_as_cdk8s(objs)
    assert_same_as_cdk8s([objs])  # also as one document (a list of objects)


def test_documents_join_like_cdk8s() -> None:
    # None documents are `undefined` to cdk8s: an empty line, no `null`.
    docs: list[Any] = [None, {"a": 1}, None, None, "x", "a\nb\n\n", {}, [], None]
    assert dump_documents(docs) == cdk8s_oracle(docs)
    assert dump_documents([]) == cdk8s_oracle([]) == ""


def test_non_string_keys_convert_like_json() -> None:
    docs = [{1: "a", 2.5: "b", False: "c", None: "d", 1e16: "e", "z": 0}]
    assert_same_as_cdk8s(docs)


# --------------------------------------------------------------------------------------------
# What jsii cannot carry: the direct Node oracle (same lib/yaml.js, same npm yaml)
# --------------------------------------------------------------------------------------------


def _node_compare(node_oracle: Callable[[list[list[Any]]], list[str]], docs: list[Any]) -> None:
    batches = [docs[i : i + BATCH] for i in range(0, len(docs), BATCH)]
    expected = node_oracle(batches)
    failures: list[str] = []
    for batch, exp in zip(batches, expected, strict=True):
        if dump_documents(batch) != exp:
            singles = node_oracle([[d] for d in batch])
            failures += [
                _diff(d, e, dump_documents([d]))
                for d, e in zip(batch, singles, strict=True)
                if dump_documents([d]) != e
            ]
    assert not failures, f"{len(failures)} differ:\n\n" + "\n\n".join(failures[:25])


def test_jsii_drops_none_values_so_nulls_need_the_node_oracle(
    node_oracle: Callable[[list[list[Any]]], list[str]],
) -> None:
    doc = {"a": None, "b": 1}
    assert cdk8s_oracle([doc]) == "b: 1\n"  # jsii removed "a" before Node saw it
    assert dump_document(doc) == "a: null\nb: 1\n"
    assert node_oracle([[doc]]) == ["a: null\nb: 1\n"]


def test_node_oracle_agrees_with_jsii(node_oracle: Callable[[list[list[Any]]], list[str]]) -> None:
    docs = (
        random_documents(7, 100, map_nulls=False, nonfinite=False)
        + _scalar_value_docs(TRICKY[::3])
        + kubernetes_objects()
    )
    batches = [docs[i : i + BATCH] for i in range(0, len(docs), BATCH)]
    assert node_oracle(batches) == [cdk8s_oracle(b) for b in batches]


def test_nulls_in_mappings_and_non_finite_numbers(
    node_oracle: Callable[[list[list[Any]]], list[str]],
) -> None:
    docs: list[Any] = [
        {"a": None},
        {"a": {"b": None, "c": [None, {"d": None}]}},
        [{"x": None, "y": 1}],
        {s: None for s in TRICKY[:60]},
        math.nan,
        math.inf,
        -math.inf,
        {"nan": math.nan, "inf": [math.inf, -math.inf]},
    ]
    docs += random_documents(99, 300, map_nulls=True, nonfinite=True)
    _node_compare(node_oracle, docs)


def test_lone_surrogates(node_oracle: Callable[[list[list[Any]]], list[str]]) -> None:
    # Lone surrogates are double-quoted and escaped. A surrogate *pair* held as two Python code
    # points is one character to JS; Node hands it back as one astral code point, so compare
    # UTF-16 code units.
    docs: list[Any] = ["\ud800", {"k\udc00": "a\ud83db"}, ["\ud83d\ude00 pair as two code points"]]

    def units(s: str) -> bytes:
        return s.encode("utf-16-le", "surrogatepass")

    expected = node_oracle([[d] for d in docs])
    for doc, exp in zip(docs, expected, strict=True):
        assert units(dump_document(doc)) == units(exp), _diff(doc, exp, dump_document(doc))
    assert dump_document("\ud800") == '"\\ud800"\n'


# --------------------------------------------------------------------------------------------
# Round trip through PyYAML (YAML 1.1)
# --------------------------------------------------------------------------------------------

# Exclusions, each with its reason.  None of them is a difference between this writer and
# cdk8s (test_round_trip_exclusions_are_written_exactly_like_cdk8s checks that); they are
# places where cdk8s's own output does not load back as the same string.
#
# 1. npm yaml's 1.1 schema leaves these plain; PyYAML resolves them to another type.
PYYAML_RESOLVES_DIFFERENTLY = {
    "<<",  # PyYAML: merge key
    "=",  # PyYAML: tag:yaml.org,2002:value
    "2001-12-14T21:59:43.",  # PyYAML's timestamp allows a bare trailing '.', npm's does not
    "2001-12-14 21:59:43 +35",  # PyYAML's timezone allows +35, npm's wants [012]?[0-9]
}
# 2. C1 controls are double-quoted but left raw (JSON.stringify does not escape them) and
#    PyYAML rejects them as non-printable; NEL/LS/PS are line breaks to PyYAML.
_PYYAML_INCOMPATIBLE_CHARS = set(map(chr, range(0x7F, 0xA0))) | {"\u2028", "\u2029"}
# 3. Lossy in npm yaml itself (YAML.parse of YAML.stringify differs): a keep-chomped block
#    whose lines are all blank (" \n" -> "k: |+\n   \n" -> "\n"), and a leading BOM.
LOSSY_UPSTREAM_EXAMPLES = [" \n", "\n \n", "  \n\n", "\ufeffbom"]


def _pyyaml_exclusion(s: str) -> str | None:
    """Why ``s`` cannot round-trip through PyYAML, or None if it must."""
    if s in PYYAML_RESOLVES_DIFFERENTLY:
        return "resolved differently"
    if set(s) & _PYYAML_INCOMPATIBLE_CHARS:
        return "raw C1/LS/PS character"
    if "\t" in s and dump_document([s]) == f"- {s}\n":
        return "tab in a plain scalar (PyYAML's scanner rejects it; the spec allows it)"
    if s.endswith("\n") and set(s) == {" ", "\n"}:
        return "blank-only keep block (npm yaml loses it too)"
    if s.startswith("\ufeff"):
        return "leading BOM (npm yaml loses it too at stream start)"
    return None


def test_output_parses_back_with_pyyaml() -> None:
    r = random.Random(5)
    candidates = TRICKY + [_rand_str(r) for _ in range(1000)]
    strings = [s for s in candidates if _pyyaml_exclusion(s) is None]
    assert len(strings) > 0.85 * len(candidates)  # ~10% carry C1/LS/PS tokens
    failures = []
    for s in strings:
        shapes: list[Any] = [{"k": s}, {s: "v"}, [s], {"a": [{"b": s, s: [s]}]}]
        if "\n" not in s:
            # PyYAML cannot read a root block scalar at indentation 0 (`|\na\n`), which is
            # valid YAML and what npm yaml writes for a multi-line root string document.
            shapes.append(s)
        for data in shapes:
            text = dump_document(data)
            try:
                loaded = yaml.safe_load(text)
            except yaml.YAMLError as exc:
                failures.append(f"{data!r}: {text!r} -> {type(exc).__name__}")
                continue
            if loaded != data:
                failures.append(f"{data!r}: {text!r} -> {loaded!r}")
    assert not failures, "\n".join(failures[:30])


def test_round_trip_exclusions_are_written_exactly_like_cdk8s() -> None:
    """The exclusions above are not excuses: cdk8s writes the same bytes for each of them."""
    excluded = [s for s in TRICKY + LOSSY_UPSTREAM_EXAMPLES if _pyyaml_exclusion(s)]
    assert len(excluded) >= 10
    assert_same_as_cdk8s([{"k": s} for s in excluded] + [[s] for s in excluded])
    for s in PYYAML_RESOLVES_DIFFERENTLY:
        assert dump_document({"k": s}) == f"k: {s}\n"  # plain, as npm yaml's 1.1 schema allows


def test_kubernetes_objects_parse_back() -> None:
    objs = kubernetes_objects()
    assert list(yaml.safe_load_all(dump_documents(objs))) == objs


# --------------------------------------------------------------------------------------------
# Documented behaviour (also covered differentially above)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (2.0, "2"),  # JS has one number type: an int-valued float prints like an int
        (-0.0, "-0"),
        (1e16, "10000000000000000"),
        (1e21, "1e+21"),
        (1.5e-7, "1.5e-7"),
        (0.000001, "0.000001"),
        (2**64, "18446744073709552000"),  # beyond 2**53 ints become doubles
        (10**400, ".inf"),
        (math.nan, ".nan"),
        (True, "true"),
        (None, "null"),
        ("yes", '"yes"'),
        ("y", '"y"'),
        ("0755", '"0755"'),
        ("1:20", '"1:20"'),
        ("e3", '"e3"'),
        ("<<", "<<"),
        ('say "hi"', 'say "hi"'),  # quotes inside are fine in a plain scalar
        ('"hi"', "'\"hi\"'"),  # a leading quote: single quotes when only '"' occurs
        ("it's", "it's"),
        ("'x'", "\"'x'\""),
    ],
)
def test_scalar_spelling(value: Any, text: str) -> None:
    assert dump_document({"k": value}) == f"k: {text}\n"


def _walk(value: Any) -> Iterator[Any]:
    yield value
    if isinstance(value, dict):
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)


def test_block_scalars_in_kubernetes_objects() -> None:
    text = dump_documents(kubernetes_objects())
    assert "        - |\n          #!/bin/sh\n" in text
    assert '"keep.txt": |+\n' not in text and "keep.txt: |+\n" in text
    assert "indented.txt: |2\n" in text
    assert any(isinstance(v, str) and "\n" in v for o in kubernetes_objects() for v in _walk(o))
