"""A wrong argument to a construct or value is a finding with a fix, not a bare TypeError,
when the app definitions are built by ``python -m apps``."""

from __future__ import annotations

import types
from pathlib import Path
from typing import Any

import pytest

import apps
from k8sdsl import App, Chart, ConfigMap, K8sDslError, PersistentVolumeClaim, Volume
from k8sdsl.core._arguments import argument_error_finding


def type_error(call: Any) -> TypeError:
    with pytest.raises(TypeError) as info:
        call()
    return info.value


@pytest.fixture
def chart(app: App) -> Chart:
    return Chart(app, "c", namespace="ns")


def test_a_mistyped_keyword_gets_did_you_mean(chart: Chart) -> None:
    exc = type_error(lambda: ConfigMap(chart, "x", dta={"a": "1"}))
    finding = argument_error_finding(exc, "apps/x.py:3")
    assert finding is not None
    assert (finding.code, finding.path, finding.hint) == (
        "construct/unknown-argument",
        "dta",
        "did you mean 'data'?",
    )
    assert finding.obj.kind == "ConfigMap" and finding.obj.source == "apps/x.py:3"


def test_a_value_method_lists_its_arguments() -> None:
    exc = type_error(lambda: Volume.empty_dir("cache").mount(pth="/cache"))
    finding = argument_error_finding(exc, "here")
    assert finding is not None
    assert finding.message == "Volume.mount takes no argument 'pth'"
    assert "mount_path" in finding.hint


def test_missing_and_positional_arguments(chart: Chart) -> None:
    missing = argument_error_finding(
        type_error(lambda: PersistentVolumeClaim(chart, "data")), "here"
    )
    assert missing is not None and missing.code == "construct/missing-argument"
    assert missing.hint == "pass storage=..., access_modes=..."
    positional = argument_error_finding(
        type_error(lambda: ConfigMap(chart, "y", {"a": "1"})), "here"
    )
    assert positional is not None and positional.code == "construct/positional-argument"


def test_other_type_errors_are_left_alone() -> None:
    assert argument_error_finding(TypeError("unsupported operand"), "here") is None
    assert (
        argument_error_finding(TypeError("len() takes exactly one argument (2 given)"), "here")
        is None
    )


def test_build_app_reports_the_line_of_the_app_definition(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "typo.py"
    source.write_text(
        "from k8sdsl import Chart, ConfigMap\n"
        "def build(app):\n"
        "    chart = Chart(app, 'typo', namespace='ns')\n"
        "    ConfigMap(chart, 'settings', dta={'a': '1'})\n"
    )
    module = types.ModuleType("typo")
    module.__file__ = str(source)
    exec(compile(source.read_text(), str(source), "exec"), module.__dict__)
    monkeypatch.setattr(apps, "app_modules", lambda: [module])
    with pytest.raises(K8sDslError) as info:
        apps.build_app(outdir=tmp_path / "dist")
    (finding,) = info.value.findings
    assert finding.obj.source == f"{source}:4"
    assert finding.hint == "did you mean 'data'?"
