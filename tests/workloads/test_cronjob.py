"""CronJob: the Job on a schedule; schedules and time zones judged like the API server,
with the field that is wrong named, on constructs and on YAML through ``k8sdsl check``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from k8sdsl import App, Chart, K8sDslError
from k8sdsl.cli import main
from k8sdsl.core._cron import iana_time_zones, schedule_problems, time_zone_problem
from k8sdsl.workloads import ConcurrencyPolicy, CronJob, RestartPolicy, SecurePodTemplate

from ..conftest import assert_schema_valid

IMAGE = (
    "registry.example.com/team/backup:2.1"
    "@sha256:5d0da3dc976460b72c77d94c8a1ad043720b0416bfc16c52c45d4847e53fadb6"
)


@pytest.fixture
def chart(app: App) -> Chart:
    return Chart(app, "ops", namespace="ops")


def backup(chart: Chart, id: str = "backup", **kwargs: Any) -> CronJob:
    kwargs.setdefault("schedule", "30 2 * * *")
    return CronJob(
        chart,
        id,
        name="backup",
        template=SecurePodTemplate(image=IMAGE, command=["/bin/backup"]),
        **kwargs,
    )


def test_cronjob_golden(chart: Chart, yaml_snapshot: Any) -> None:
    job = backup(
        chart,
        time_zone="Europe/Paris",
        successful_jobs_history_limit=5,
        failed_jobs_history_limit=2,
        starting_deadline_seconds=600,
        backoff_limit=2,
        ttl_seconds_after_finished=86400,
    )
    assert job.to_k8s() == yaml_snapshot
    assert_schema_valid([job], ["1.28", "1.37"])
    spec = job.to_k8s()["spec"]
    assert spec["schedule"] == "30 2 * * *" and spec["timeZone"] == "Europe/Paris"
    assert spec["concurrencyPolicy"] == "Forbid"  # the documented default
    job_spec = spec["jobTemplate"]["spec"]
    assert job_spec["backoffLimit"] == 2
    pod = job_spec["template"]
    assert pod["spec"]["restartPolicy"] == "Never"
    assert pod["metadata"]["labels"] == {"app.kubernetes.io/name": "backup"}
    # pods that run to completion are not probed: no probes exemption is recorded
    assert not any("probes" in key for key in pod["metadata"].get("annotations", {}))


def test_defaults_and_choices(chart: Chart) -> None:
    spec = backup(chart, concurrency_policy=ConcurrencyPolicy.ALLOW, suspend=True).to_k8s()["spec"]
    assert spec["concurrencyPolicy"] == "Allow" and spec["suspend"] is True
    for field in ("timeZone", "successfulJobsHistoryLimit", "startingDeadlineSeconds"):
        assert field not in spec


@pytest.mark.parametrize(
    ("schedule", "field", "message"),
    [
        ("0 0 * * 8", "day-of-week", "day-of-week '8' is outside 0-6"),
        ("0 0 * * 7", "day-of-week", "day-of-week '7' is outside 0-6"),
        ("61 * * * *", "minute", "minute '61' is outside 0-59"),
        ("0 24 * * *", "hour", "hour '24' is outside 0-23"),
        ("0 0 0 * *", "day-of-month", "day-of-month '0' is outside 1-31"),
        ("0 0 1 FOO *", "month", "month 'FOO' is not a number nor a name"),
        ("*/0 * * * *", "minute", "step '0'"),
        ("10-2 * * * *", "minute", "starts after it ends"),
        ("1/2/3 * * * *", "minute", "more than one '/'"),
        ("-5 * * * *", "minute", "is negative"),
        ("0 0 * *", None, "has 4 fields, not 5"),
        ("0 0 0 * * *", None, "(Kubernetes has no seconds or year field)"),
        ("@hourlyy", None, "not a schedule macro"),
        ("@every 1x", None, "not a duration"),
        ("", None, "empty"),
        ("CRON_TZ=Europe/Paris 0 3 * * *", None, "TZ or CRON_TZ"),
        ("TZ=UTC 0 3 * * *", None, "TZ or CRON_TZ"),
    ],
)
def test_wrong_schedules_name_the_field(schedule: str, field: str | None, message: str) -> None:
    problems = schedule_problems(schedule)
    assert problems, schedule
    assert problems[0].field == field and message in problems[0].message
    assert problems[0].hint


@pytest.mark.parametrize(
    "schedule",
    [
        "0 3 * * *",
        "*/15 * * * *",
        "0 9-17/2 * * MON-FRI",
        "0 0 1 jan,jul *",
        "5/15 * * * *",
        "0 0 ? * SUN",
        "0,30 * 1-15 * 0-6",
        "@hourly",
        "@daily",
        "@midnight",
        "@annually",
        "@every 1h30m",
        "  0 3 * * *  ",
    ],
)
def test_valid_schedules(schedule: str) -> None:
    assert schedule_problems(schedule) == []


def test_time_zones() -> None:
    assert len(iana_time_zones()) > 400  # the database is there (tzdata or the system's)
    assert time_zone_problem("Europe/Paris") is None
    assert time_zone_problem("Etc/UTC") is None
    wrong = time_zone_problem("Europe/Pariss")
    assert wrong is not None and wrong.hint == "did you mean 'Europe/Paris'?"
    local = time_zone_problem("Local")
    assert local is not None and "explicit" in local.message
    assert time_zone_problem("") is not None
    assert time_zone_problem("../etc/passwd") is not None


def test_construction_errors_name_the_field(chart: Chart) -> None:
    with pytest.raises(K8sDslError) as err:
        backup(chart, schedule="0 0 * * 8")
    (finding,) = err.value.findings
    assert (finding.code, finding.path) == ("workloads/cron-schedule", "spec.schedule")
    assert "day-of-week '8' is outside 0-6" in finding.message
    with pytest.raises(K8sDslError) as err:
        backup(chart, "b2", schedule="0 3 * * *", time_zone="Europe/Pariss")
    (finding,) = err.value.findings
    assert (finding.code, finding.hint) == (
        "workloads/cron-time-zone",
        "did you mean 'Europe/Paris'?",
    )
    with pytest.raises(K8sDslError) as err:
        backup(chart, "b3", successful_jobs_history_limit=-1)
    assert err.value.findings[0].path.endswith("successful_jobs_history_limit")
    with pytest.raises(K8sDslError) as err:
        CronJob(
            chart,
            "always",
            schedule="@daily",
            template=SecurePodTemplate(image=IMAGE, restart_policy=RestartPolicy.ALWAYS),
        )
    assert err.value.findings[0].code == "workloads/restart-policy"
    with pytest.raises(K8sDslError):
        backup(chart, "b4", concurrency_policy="Sometimes")
    with pytest.raises(K8sDslError) as err:
        CronJob(chart, "n" * 53, schedule="@daily", template=SecurePodTemplate(image=IMAGE))
    assert (err.value.findings[0].code, err.value.findings[0].path) == (
        "workloads/cron-name-length",
        "metadata.name",
    )
    CronJob(chart, "n" * 52, schedule="@daily", template=SecurePodTemplate(image=IMAGE))


# -- YAML through k8sdsl check ------------------------------------------------------------------

CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata: {name: backup, namespace: ops}
spec:
  schedule: "30 2 * * *"
  timeZone: Europe/Paris
  successfulJobsHistoryLimit: 3
  startingDeadlineSeconds: 300
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: backup, image: registry.example.com/backup:2.1}]
"""


def cron_findings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str
) -> list[dict[str, Any]]:
    path = tmp_path / "objects.yaml"
    path.write_text(text)
    main(["check", "--format", "json", str(path)])
    found = json.loads(capsys.readouterr().out)["findings"]
    return [f for f in found if f["code"].startswith("workloads/cron")]


def test_the_valid_cronjob_has_no_finding(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert cron_findings(capsys, tmp_path, CRONJOB) == []


@pytest.mark.parametrize(
    ("old", "new", "code", "severity", "path", "text"),
    [
        (
            '"30 2 * * *"',
            '"30 2 * * 8"',
            "workloads/cron-schedule",
            "error",
            "spec.schedule",
            "day-of-week '8' is outside 0-6",
        ),
        (
            '"30 2 * * *"',
            '"CRON_TZ=UTC 30 2 * * *"',
            "workloads/cron-schedule",
            "error",
            "spec.schedule",
            "TZ or CRON_TZ",
        ),
        (
            "timeZone: Europe/Paris",
            "timeZone: Europe/Pariss",
            "workloads/cron-time-zone",
            "error",
            "spec.timeZone",
            "not in the IANA time zone database",
        ),
        (
            "timeZone: Europe/Paris",
            "timeZone: Local",
            "workloads/cron-time-zone",
            "error",
            "spec.timeZone",
            "not an explicit time zone",
        ),
        (
            "successfulJobsHistoryLimit: 3",
            "successfulJobsHistoryLimit: -1",
            "workloads/cron-limits",
            "error",
            "spec.successfulJobsHistoryLimit",
            "negative",
        ),
        (
            "{name: backup, namespace: ops}",
            "{name: " + "b" * 53 + ", namespace: ops}",
            "workloads/cron-name-length",
            "error",
            "metadata.name",
            "has 53 characters",
        ),
        (
            "startingDeadlineSeconds: 300",
            "startingDeadlineSeconds: 5",
            "workloads/cron-limits",
            "warning",
            "spec.startingDeadlineSeconds",
            "every 10 seconds",
        ),
    ],
)
def test_cron_rules_on_yaml(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    old: str,
    new: str,
    code: str,
    severity: str,
    path: str,
    text: str,
) -> None:
    source = CRONJOB.replace(old, new)
    assert source != CRONJOB
    found = cron_findings(capsys, tmp_path, source)
    assert [(f["code"], f["severity"], f["path"]) for f in found] == [(code, severity, path)]
    assert text in found[0]["message"] and found[0]["hint"]
