"""Strict validation against the official Kubernetes JSON schemas (``kubernetes-validate``).

Each (version, apiVersion, kind) schema is compiled once with fastjsonschema (about 0.02 ms
per object) and the compiled code is cached on disk, because compiling a Pod schema takes
about half a second. fastjsonschema stops at the first error, so an object that fails is
validated again with jsonschema's ``iter_errors`` to report every error it has.

Compiling pays off only from a couple of hundred objects of a kind (jsonschema takes about
1.5 ms for a Deployment, 0.3 ms for a Service). So a kind whose compiled code is not in the
disk cache yet (a fresh CI machine) is compiled only when a run validates at least
:data:`COMPILE_AT` objects of it; fewer are checked with jsonschema directly, which gives the
same verdicts (it is also what reports the errors of a failing object).
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import re
import sys
import tempfile
import threading
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema
import kubernetes_validate
from referencing import Registry, Resource

from k8sdsl._config_schema import config_problems
from k8sdsl._crd_schema import is_crd_api_version, validate_crd
from k8sdsl._schema_problems import SchemaProblem, schema_problems
from k8sdsl.core._suggest import suggest

_SCHEMA_ROOT = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
_DEFS_URI = "https://kubernetes.io/api/_definitions.json"
#: objects of one kind in one run from which compiling its schema pays off (see above)
COMPILE_AT = 200
_JSONSCHEMA: Callable[[Any], Any] = lambda obj: None  # noqa: E731 - "validate with jsonschema"
_KIND = re.compile(r"[A-Za-z][A-Za-z0-9]{0,62}")
_API_VERSION = re.compile(
    r"(?:[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?/)?v[0-9]+(?:(?:alpha|beta)[0-9]+)?"
)

#: kustomize's configuration files (kustomization.yaml): no API server validates them
KUSTOMIZE_CONFIG_API_VERSIONS = frozenset({"kustomize.config.k8s.io/v1beta1"})


#: the kinds of the configuration files k8sdsl pins schemas for (k8sdsl/_config_schema.py);
#: a cheap first test, so an API object never pays for the configuration look-up
CONFIG_KIND_NAMES = frozenset(
    {
        "KubeletConfiguration",
        "AuthenticationConfiguration",
        "AuthorizationConfiguration",
        "AdmissionConfiguration",
        "PodSecurityConfiguration",
        "Policy",
        "Config",
        "ClusterConfiguration",
    }
)


def is_config_kind_name(kind: str) -> bool:
    return kind in CONFIG_KIND_NAMES


def _cache_dir() -> Path:
    root = os.environ.get("K8SDSL_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache"), "k8sdsl"
    )
    tag = hashlib.sha256(
        f"2|{kubernetes_validate.__version__}|{fastjsonschema.VERSION}|{sys.version}".encode()
    ).hexdigest()[:16]
    return Path(root) / f"schemas-{tag}"


def _api_file_part(api_version: str) -> str:
    # networking.k8s.io/v1 -> networking-v1; v1 -> v1 (kubernetes-validate's file naming)
    return re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)


class SchemaSet:
    """The strict schemas of one Kubernetes version, loaded once, validators compiled once."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.dir = _SCHEMA_ROOT / f"v{version}.0-local-strict"
        if not self.dir.is_dir():
            raise ValueError(f"no schemas for Kubernetes {version}")
        self._defs: dict[str, Any] | None = None
        self._fast: dict[tuple[str, str], Callable[[Any], Any] | None] = {}
        self._uses: dict[tuple[str, str], int] = {}
        self._full: dict[tuple[str, str], jsonschema.Draft202012Validator] = {}
        self._lock = threading.Lock()

    @property
    def defs(self) -> dict[str, Any]:
        if self._defs is None:
            with open(self.dir / "_definitions.json", encoding="utf-8") as fh:
                self._defs = json.load(fh)
        return self._defs

    def _schema_file(self, api_version: str, kind: str) -> Path:
        return self.dir / f"{kind.lower()}-{_api_file_part(api_version)}.json"

    def has_kind(self, api_version: str, kind: str) -> bool:
        # the names come from YAML anyone wrote: only a Kubernetes-shaped apiVersion and kind
        # may name a schema file (never "../" or a path outside the schema folder)
        if not (_KIND.fullmatch(kind) and _API_VERSION.fullmatch(api_version)):
            return False
        return self._schema_file(api_version, kind).is_file()

    def _load_schema(self, api_version: str, kind: str) -> dict[str, Any]:
        with open(self._schema_file(api_version, kind), encoding="utf-8") as fh:
            return json.load(fh)  # type: ignore[no-any-return]

    def _fast_validator(
        self, api_version: str, kind: str, expected: int = COMPILE_AT
    ) -> Callable[[Any], Any] | None:
        """The compiled validator; ``None`` when there is no schema; :data:`_JSONSCHEMA`
        while compiling does not pay off yet (no cached code, fewer than COMPILE_AT uses)."""
        key = (api_version, kind)
        fast = self._fast.get(key, _JSONSCHEMA)
        if fast is not _JSONSCHEMA:
            return fast
        with self._lock:
            if key in self._fast:
                return self._fast[key]
            if not self.has_kind(api_version, kind):
                self._fast[key] = None
                return None
            uses = self._uses[key] = self._uses.get(key, 0) + 1
            if (
                max(uses, expected) < COMPILE_AT
                and not self._cache_file(api_version, kind).is_file()
            ):
                return _JSONSCHEMA
            self._fast[key] = self._compile(api_version, kind)
            return self._fast[key]

    def _cache_file(self, api_version: str, kind: str) -> Path:
        name = self._schema_file(api_version, kind).stem
        return _cache_dir() / self.version / f"{name}.marshal"

    def _compile(self, api_version: str, kind: str) -> Callable[[Any], Any]:
        name = self._schema_file(api_version, kind).stem
        cache = self._cache_file(api_version, kind)
        code = None
        if cache.is_file():
            try:
                code = marshal.loads(cache.read_bytes())
            except (ValueError, EOFError, TypeError):
                code = None
        if code is None:
            defs = self.defs
            schema = self._load_schema(api_version, kind)
            source = fastjsonschema.compile_to_code(
                schema,
                handlers={"https": lambda uri: defs, "http": lambda uri: defs},
            )
            source += f"\n_K8SDSL_ID = {schema.get('$id', '')!r}\n"
            code = compile(source, f"<k8s-schema {self.version} {name}>", "exec")
            try:
                cache.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=cache.parent, suffix=".tmp")
                with os.fdopen(fd, "wb") as fh:
                    fh.write(marshal.dumps(code))
                os.replace(tmp, cache)
            except OSError:
                pass  # a read-only home only costs the compile time next run
        namespace: dict[str, Any] = {}
        exec(code, namespace)
        entry = "validate_" + re.sub(r"[^a-zA-Z0-9_]", "_", namespace.get("_K8SDSL_ID", ""))
        return namespace[entry]  # type: ignore[no-any-return]

    def _full_validator(self, api_version: str, kind: str) -> jsonschema.Draft202012Validator:
        key = (api_version, kind)
        if key not in self._full:
            registry: Registry[Any] = Registry().with_resource(
                _DEFS_URI, Resource.from_contents(self.defs)
            )
            self._full[key] = jsonschema.Draft202012Validator(
                self._load_schema(api_version, kind), registry=registry
            )
        return self._full[key]

    def validate(
        self, obj: dict[str, Any], *, expected: int = COMPILE_AT
    ) -> list[SchemaProblem] | None:
        """All schema problems of ``obj``; ``None`` when the kind has no schema here.

        ``expected`` is how many objects of this kind the caller is about to validate: it
        decides whether compiling the schema pays off (see the module docstring)."""
        api_version, kind = str(obj.get("apiVersion", "")), str(obj.get("kind", ""))
        if is_config_kind_name(kind):
            # node and control-plane configuration files: the schemas k8sdsl pins
            from k8sdsl.core._versions import K8sVersion

            config = config_problems(obj, K8sVersion(self.version))
            if config is not None:
                return config
        if api_version in KUSTOMIZE_CONFIG_API_VERSIONS:
            # kustomize's own configuration, not an API object: the kustomize/* rules read it
            return []
        if is_crd_api_version(api_version):
            # custom resources: the CRD schemas registered (register_crd) or pinned
            crd = validate_crd(obj)
            if crd is not None:
                return crd
        fast = self._fast_validator(api_version, kind, expected)
        if fast is None:
            return None
        if fast is not _JSONSCHEMA:
            try:
                fast(obj)
                return []
            except fastjsonschema.JsonSchemaException:
                pass
        validator = self._full_validator(api_version, kind)
        problems = [p for err in validator.iter_errors(obj) for p in self._problems(err)]
        return sorted(set(problems), key=lambda p: (p.path, p.message))

    def _problems(self, err: jsonschema.ValidationError) -> list[SchemaProblem]:
        return schema_problems(err)

    def suggest_kind(self, kind: str) -> str | None:
        kinds = {p.name.split("-")[0] for p in self.dir.glob("*.json")}
        return suggest(kind.lower(), kinds)


@cache
def schemas_for(version: str) -> SchemaSet:
    """The one :class:`SchemaSet` per version, shared by synth and check."""
    return SchemaSet(version)
