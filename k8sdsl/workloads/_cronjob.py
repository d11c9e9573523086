"""CronJob: a :class:`Job` made on a schedule.

The schedule and time zone are checked when the CronJob is built, with the parser's rules
(:mod:`k8sdsl.core._cron`), so a wrong field is named before anything is applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import Field

from k8sdsl.core._construct import Construct
from k8sdsl.core._cron import schedule_problems, time_zone_problem
from k8sdsl.core._findings import Finding, K8sDslError, Severity
from k8sdsl.core._model import K8sModel
from k8sdsl.workloads._deployment import _JobSpec, _Workload
from k8sdsl.workloads._pod import PodTemplate, RestartPolicy
from k8sdsl.workloads._secure import without_automatic_probes_exemption

CRONJOB_NAME_MAX = 52
"""A CronJob's name limit: its Jobs are named ``<name>-<11 characters>`` within 63."""


class ConcurrencyPolicy(StrEnum):
    """What happens when a run is due while the last one still runs: ``Allow`` (Kubernetes'
    default: both run), ``Forbid`` (skip the new run) or ``Replace`` (stop the old one)."""

    ALLOW = "Allow"
    FORBID = "Forbid"
    REPLACE = "Replace"


class _CronJobSpec(K8sModel):
    schedule: str
    time_zone: str | None = None
    concurrency_policy: ConcurrencyPolicy | None = None
    suspend: bool | None = None
    successful_jobs_history_limit: Annotated[int, Field(ge=0)] | None = None
    failed_jobs_history_limit: Annotated[int, Field(ge=0)] | None = None
    starting_deadline_seconds: Annotated[int, Field(ge=0)] | None = None


class CronJob(_Workload):
    """A CronJob: a Job of ``template`` started on ``schedule`` (cron syntax, in
    ``time_zone`` when given, else in the controller manager's zone).

    ``concurrency_policy`` defaults to ``Forbid``: a run that is due while the last one
    still runs is skipped (Kubernetes' default, ``Allow``, lets two backups or two
    migrations write at once). The history limits unset keep Kubernetes' 3 successful and
    1 failed Job. The Job fields (``backoff_limit``, ``active_deadline_seconds``,
    ``ttl_seconds_after_finished``...) and the pods' ``restartPolicy: Never`` default are
    the :class:`Job`'s.
    """

    api_version: ClassVar[str] = "batch/v1"
    kind: ClassVar[str] = "CronJob"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        schedule: str,
        template: PodTemplate,
        time_zone: str | None = None,
        concurrency_policy: ConcurrencyPolicy | str | None = ConcurrencyPolicy.FORBID,
        suspend: bool | None = None,
        successful_jobs_history_limit: int | None = None,
        failed_jobs_history_limit: int | None = None,
        starting_deadline_seconds: int | None = None,
        backoff_limit: int | None = None,
        completions: int | None = None,
        parallelism: int | None = None,
        active_deadline_seconds: int | None = None,
        ttl_seconds_after_finished: int | None = None,
        name: str | None = None,
        namespace: str | None = None,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        if isinstance(template, PodTemplate) and template.restart_policy is None:
            template = template.updated(restart_policy=RestartPolicy.NEVER)
        super().__init__(
            scope,
            id,
            template=template,
            selector=None,
            name=name,
            namespace=namespace,
            labels=labels,
            annotations=annotations,
        )
        if self.template.restart_policy is RestartPolicy.ALWAYS:
            self._fail(
                "workloads/restart-policy",
                "a CronJob's pods must use restartPolicy Never or OnFailure, not Always",
                "spec.jobTemplate.spec.template.spec.restartPolicy",
                "use RestartPolicy.NEVER or RestartPolicy.ON_FAILURE",
            )
        with self._values():
            self.spec = _CronJobSpec(
                schedule=schedule,
                time_zone=time_zone,
                concurrency_policy=concurrency_policy,
                suspend=suspend,
                successful_jobs_history_limit=successful_jobs_history_limit,
                failed_jobs_history_limit=failed_jobs_history_limit,
                starting_deadline_seconds=starting_deadline_seconds,
            )
            self.job_spec = _JobSpec(
                backoff_limit=backoff_limit,
                completions=completions,
                parallelism=parallelism,
                active_deadline_seconds=active_deadline_seconds,
                ttl_seconds_after_finished=ttl_seconds_after_finished,
            )
        if len(self.name) > CRONJOB_NAME_MAX:
            self._fail(
                "workloads/cron-name-length",
                f"CronJob name {self.name!r} has {len(self.name)} characters; the API server "
                f"allows {CRONJOB_NAME_MAX} (its Jobs append an 11-character suffix)",
                "metadata.name",
                f"shorten the name to {CRONJOB_NAME_MAX} characters or fewer",
            )
        for problem in schedule_problems(self.spec.schedule):
            self._fail(
                "workloads/cron-schedule",
                problem.message,
                "spec.schedule",
                problem.hint,
            )
        if self.spec.time_zone is not None:
            tz = time_zone_problem(self.spec.time_zone)
            if tz is not None:
                self._fail("workloads/cron-time-zone", tz.message, "spec.timeZone", tz.hint)

    def _fail(self, code: str, message: str, path: str, hint: str) -> None:
        raise K8sDslError(
            [Finding(Severity.ERROR, code, message, self.ref(), path, hint)],
            summary=f"invalid CronJob at {self.node.path}",
        )

    def _adapt_template(self, template: PodTemplate) -> PodTemplate:
        # pods that run to completion are not probed (as for a Job)
        return without_automatic_probes_exemption(template)

    def _body(self) -> dict[str, Any]:
        spec = self.spec.to_k8s()
        job = self.job_spec.to_k8s()
        job["template"] = self._template_dict()
        spec["jobTemplate"] = {"spec": job}
        return {"spec": spec}


__all__ = ["CRONJOB_NAME_MAX", "ConcurrencyPolicy", "CronJob"]
