"""Which restartPolicy a workload's pods may have: one checker for the workload constructs
(at the user's line) and the ``workloads/restart-policy`` rule (on YAML)."""

from __future__ import annotations

#: controllers that keep their pods running: the API server accepts only Always
KEEP_RUNNING = frozenset(
    {"Deployment", "ReplicaSet", "ReplicationController", "StatefulSet", "DaemonSet"}
)
#: controllers whose pods run to completion: Always is refused
RUN_TO_COMPLETION = frozenset({"Job", "CronJob"})


def restart_policy_problem(kind: str, policy: object) -> tuple[str, str] | None:
    """``(message, hint)`` when ``kind``'s pods may not use ``policy`` (``None``: unset)."""
    if policy is None:
        return None
    if kind in KEEP_RUNNING and policy != "Always":
        return (
            f"a {kind}'s pods must use restartPolicy Always, not {policy}",
            "drop restartPolicy (Always is the default), or run the pods as a Job",
        )
    if kind in RUN_TO_COMPLETION and policy == "Always":
        return (
            f"a {kind}'s pods must use restartPolicy Never or OnFailure, not Always",
            "use restartPolicy OnFailure (retry in place) or Never (a new pod per retry)",
        )
    return None
