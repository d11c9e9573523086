"""Findings, reports and the one exception type users see.

Every problem k8sdsl finds, whether in Python values, in rules or in the schema, becomes a
:class:`Finding` with a stable code (the rule id), the object, the field path, the message
and a hint. A failed synth or a failed value raises :class:`K8sDslError` carrying all of them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How bad a finding is. Only errors stop a synth; ``k8sdsl check`` exits 1 on errors."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """Where a finding is: the Kubernetes identity and where it came from.

    ``source`` is the construct path (``nfs-app/data/claim``) for objects k8sdsl built, or
    ``file:line`` for objects read from YAML.
    """

    api_version: str = ""
    kind: str = ""
    name: str = ""
    namespace: str | None = None
    source: str = ""

    def describe(self) -> str:
        if not self.kind and not self.name:
            return self.source or "<input>"
        ns = f"{self.namespace}/" if self.namespace else ""
        text = f"{self.kind} {ns}{self.name}".strip()
        return f"{text} ({self.source})" if self.source else text


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem (or note) found in one place."""

    severity: Severity
    code: str
    message: str
    obj: ObjectRef = field(default_factory=ObjectRef)
    path: str = ""
    hint: str = ""

    def format(self) -> str:
        where = self.obj.describe()
        field_part = f" {self.path}:" if self.path else ":"
        line = f"{self.severity.value}[{self.code}] {where}{field_part} {self.message}"
        if self.hint:
            line += f"\n    hint: {self.hint}"
        return line

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


_FILE_LINE = re.compile(r"^(.*):(\d+)$")


def _source_key(source: str) -> tuple[str, int]:
    # "file.yaml:9" before "file.yaml:10": lines in number order, not text order
    m = _FILE_LINE.match(source)
    return (m.group(1), int(m.group(2))) if m else (source, -1)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Errors first, then by source and path, so reports read the same every run."""
    return sorted(
        findings,
        key=lambda f: (
            _SEVERITY_ORDER[f.severity],
            _source_key(f.obj.source),
            f.obj.kind,
            f.obj.name,
            f.path,
            f.code,
            f.message,
        ),
    )


@dataclass(frozen=True)
class Report:
    """All findings of one synth or check run."""

    findings: tuple[Finding, ...] = ()

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> Report:
        return cls(tuple(sort_findings(findings)))

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)

    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    def format(self) -> str:
        counts = {s: 0 for s in Severity}
        for f in self.findings:
            counts[f.severity] += 1
        lines = [f.format() for f in self.findings]
        lines.append(
            f"{counts[Severity.ERROR]} error(s), {counts[Severity.WARNING]} warning(s), "
            f"{counts[Severity.INFO]} info"
        )
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps([f.to_dict() for f in self.findings], indent=2, sort_keys=True)


class K8sDslError(Exception):
    """The one error k8sdsl raises for bad input: it carries every finding, not the first."""

    def __init__(self, findings: Sequence[Finding] | Report, summary: str = "") -> None:
        self.report = findings if isinstance(findings, Report) else Report.of(findings)
        self.summary = summary
        super().__init__(self._text())

    def __reduce__(self) -> tuple[Any, ...]:
        # rebuilt from its report (a forked worker of a parallel synth or check sends it
        # back whole), with any attribute a subclass set
        return (_rebuild_error, (type(self), self.report, self.summary, self.__dict__))

    def _text(self) -> str:
        head = self.summary or "k8sdsl found errors"
        return f"{head}\n{self.report.format()}"

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.report.findings

    @property
    def codes(self) -> list[str]:
        return self.report.codes()


def _rebuild_error(
    cls: type[K8sDslError], report: Report, summary: str, state: dict[str, Any]
) -> K8sDslError:
    error = cls.__new__(cls)
    K8sDslError.__init__(error, report, summary)
    error.__dict__.update(state)
    return error


class ValueInputError(K8sDslError, ValueError):
    """A value (pydantic model) was given bad input: raised at construction time."""
