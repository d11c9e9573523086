"""``k8sdsl check`` findings for CI: SARIF 2.1.0 for code scanning, GitHub workflow commands
for annotations on a pull request's diff.

A finding read from YAML has ``file:line`` as its source (the line of the field when the
reader knows it, else of the object), which both formats turn into a location; a finding
without a file (a construct path) gets a logical location (SARIF) or none (GitHub)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from k8sdsl.core._findings import Finding, Report, Severity

SARIF_VERSION = "2.1.0"
#: the OASIS errata01 schema, as pinned in tests/fixtures/sarif/
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_GITHUB_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
_FILE_LINE = re.compile(r"^(.*?):(\d+)$")
#: an unreadable input as the reader reports it: ``file:line:column: message``,
#: ``file:line: message`` or ``file: message``
_UNREADABLE = re.compile(r"^(?P<file>.+?)(?::(?P<line>\d+)(?::\d+)?)?: (?P<message>.*)$", re.S)


def _location(source: str) -> tuple[str, int | None] | None:
    """``(file, line)`` of a finding's source when it names a file, else ``None``."""
    m = _FILE_LINE.match(source)
    if m:
        return m.group(1), int(m.group(2))
    if source and (source == "-" or Path(source).is_file()):
        return source, None
    return None


def _uri(file: str) -> str:
    """A path relative to the working folder (the repository root in CI), with ``/``."""
    path = Path(file)
    if path.is_absolute():
        try:
            path = path.relative_to(Path.cwd())
        except ValueError:
            return path.as_uri()
    return path.as_posix()


def _text(finding: Finding) -> str:
    field = f" {finding.path}:" if finding.path else ":"
    text = f"{finding.obj.describe()}{field} {finding.message}"
    return f"{text}\nhint: {finding.hint}" if finding.hint else text


def _unreadable_findings(unreadable: Sequence[str]) -> list[Finding]:
    from k8sdsl.core._findings import ObjectRef

    out = []
    for entry in unreadable:
        m = _UNREADABLE.match(entry)
        source, message = entry, entry
        if m:
            line = m.group("line")
            source = f"{m.group('file')}:{line}" if line else m.group("file")
            message = m.group("message")
        out.append(Finding(Severity.ERROR, "yaml/unreadable", message, ObjectRef(source=source)))
    return out


def to_sarif(
    report: Report,
    unreadable: Sequence[str] = (),
    *,
    version: str,
    rule_summaries: Mapping[str, str],
) -> dict[str, Any]:
    """One SARIF log with one run: a rule per finding code that occurs (its summary from the
    rule book), a result per finding."""
    findings = [*_unreadable_findings(unreadable), *report.findings]
    codes = sorted({f.code for f in findings})
    index = {code: i for i, code in enumerate(codes)}
    rules = []
    for code in codes:
        summary = rule_summaries.get(code) or code
        rules.append(
            {
                "id": code,
                "name": code.replace("/", "-"),
                "shortDescription": {"text": summary},
            }
        )
    results = []
    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": _text(f)},
        }
        where = _location(f.obj.source)
        if where is not None:
            file, line = where
            physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(file)}}
            if line is not None:
                physical["region"] = {"startLine": line}
            result["locations"] = [{"physicalLocation": physical}]
        elif f.obj.source or f.obj.kind:
            logical = {"fullyQualifiedName": f.obj.source or f.obj.describe(), "kind": "object"}
            result["locations"] = [{"logicalLocations": [logical]}]
        if f.path:
            result["properties"] = {"fieldPath": f.path}
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "k8sdsl",
                        "version": version,
                        "rules": rules,
                    }
                },
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }


def format_sarif(report: Report, unreadable: Sequence[str] = (), **kwargs: Any) -> str:
    return json.dumps(to_sarif(report, unreadable, **kwargs), indent=2, sort_keys=True)


def _escape_data(text: str) -> str:
    # the runner's own escaping of a workflow command's message (toolkit's escapeData)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(report: Report, unreadable: Sequence[str] = ()) -> str:
    """A workflow command per finding (``::error file=F,line=N,title=CODE::message``), which
    GitHub Actions shows as an annotation on that line, then the counts."""
    lines = []
    for f in [*_unreadable_findings(unreadable), *report.findings]:
        props = []
        where = _location(f.obj.source)
        if where is not None:
            file, line = where
            props.append(f"file={_escape_property(_uri(file) if file != '-' else file)}")
            if line is not None:
                props.append(f"line={line}")
        props.append(f"title={_escape_property(f.code)}")
        lines.append(f"::{_GITHUB_COMMAND[f.severity]} {','.join(props)}::{_escape_data(_text(f))}")
    lines.append(report.format().splitlines()[-1])
    return "\n".join(lines)
