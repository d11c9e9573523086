"""Probes and lifecycle hooks: how the kubelet checks a container and what runs around it.

A probe has exactly one handler (exec, httpGet, tcpSocket or grpc); build it with a named
factory (``Probe.http(path="/healthz", port="http")``) so that is a type, not a
runtime surprise. Setting ``host`` on an httpGet or tcpSocket handler makes the kubelet
connect to another machine; the baseline Pod Security Standard forbids it from 1.34.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from k8sdsl.core._model import K8sModel
from k8sdsl.core._types import NonEmptyStr, Port, PortName

PortRef = Port | PortName
"""A container port by number (``8080``) or by name (``"http"``)."""

Seconds = Annotated[int, Field(ge=0)]
PositiveCount = Annotated[int, Field(ge=1)]


class UriScheme(StrEnum):
    HTTP = "HTTP"
    HTTPS = "HTTPS"


class HttpHeader(K8sModel):
    name: NonEmptyStr
    value: str


class ExecAction(K8sModel):
    """Run ``command`` in the container (no shell: use ``["sh", "-c", "..."]`` for one)."""

    command: tuple[NonEmptyStr, ...] = Field(min_length=1)


class HttpGetAction(K8sModel):
    """An HTTP GET; any status from 200 to 399 is success."""

    path: str | None = None
    port: PortRef
    host: str | None = None
    scheme: UriScheme | None = None
    http_headers: tuple[HttpHeader, ...] | None = None


class TcpSocketAction(K8sModel):
    """A TCP connect; success when the port accepts the connection."""

    port: PortRef
    host: str | None = None


class GrpcAction(K8sModel):
    """The gRPC health checking protocol on ``port`` (a number: names are not allowed)."""

    port: Port
    service: str | None = None


class SleepAction(K8sModel):
    """Sleep before the container stops (lifecycle only; Kubernetes 1.30+ by default)."""

    seconds: Seconds


def _headers(headers: Mapping[str, str] | None) -> tuple[HttpHeader, ...] | None:
    if not headers:
        return None
    return tuple(HttpHeader(name=k, value=v) for k, v in headers.items())


class Probe(K8sModel):
    """A liveness, readiness or startup probe. Unset timings take Kubernetes' defaults:
    ``period_seconds`` 10, ``timeout_seconds`` 1, ``success_threshold`` 1,
    ``failure_threshold`` 3, ``initial_delay_seconds`` 0."""

    exec_: ExecAction | None = Field(default=None, serialization_alias="exec")
    http_get: HttpGetAction | None = None
    tcp_socket: TcpSocketAction | None = None
    grpc: GrpcAction | None = None
    initial_delay_seconds: Seconds | None = None
    period_seconds: PositiveCount | None = None
    timeout_seconds: PositiveCount | None = None
    success_threshold: PositiveCount | None = None
    failure_threshold: PositiveCount | None = None
    termination_grace_period_seconds: PositiveCount | None = None

    @model_validator(mode="after")
    def _one_handler(self) -> Self:
        handlers = [h for h in (self.exec_, self.http_get, self.tcp_socket, self.grpc) if h]
        if len(handlers) != 1:
            raise PydanticCustomError(
                "probe_handler",
                "a probe needs exactly one handler (exec, httpGet, tcpSocket or grpc)",
                {"hint": "use Probe.exec(), Probe.http(), Probe.tcp() or Probe.grpc_health()"},
            )
        return self

    @classmethod
    def exec(cls, *, command: Sequence[str], **timing: Any) -> Probe:
        return cls(exec_=ExecAction(command=tuple(command)), **timing)

    @classmethod
    def http(
        cls,
        *,
        path: str = "/",
        port: int | str,
        scheme: UriScheme | str | None = None,
        headers: Mapping[str, str] | None = None,
        **timing: Any,
    ) -> Probe:
        return cls(
            http_get=HttpGetAction(
                path=path, port=port, scheme=scheme, http_headers=_headers(headers)
            ),
            **timing,
        )

    @classmethod
    def tcp(cls, *, port: int | str, **timing: Any) -> Probe:
        return cls(tcp_socket=TcpSocketAction(port=port), **timing)

    @classmethod
    def grpc_health(cls, *, port: int, service: str | None = None, **timing: Any) -> Probe:
        return cls(grpc=GrpcAction(port=port, service=service), **timing)


class LifecycleHandler(K8sModel):
    """What a lifecycle hook does: exec, httpGet, sleep (``tcpSocket`` is deprecated and
    never runs as a hook, so it is not offered)."""

    exec_: ExecAction | None = Field(default=None, serialization_alias="exec")
    http_get: HttpGetAction | None = None
    sleep: SleepAction | None = None

    @model_validator(mode="after")
    def _one_handler(self) -> Self:
        handlers = [h for h in (self.exec_, self.http_get, self.sleep) if h]
        if len(handlers) != 1:
            raise PydanticCustomError(
                "hook_handler",
                "a lifecycle hook needs exactly one handler (exec, httpGet or sleep)",
                {"hint": "use LifecycleHandler.exec(), .http() or .sleep_for()"},
            )
        return self

    @classmethod
    def exec(cls, *, command: Sequence[str]) -> LifecycleHandler:
        return cls(exec_=ExecAction(command=tuple(command)))

    @classmethod
    def http(
        cls, *, path: str = "/", port: int | str, scheme: UriScheme | str | None = None
    ) -> LifecycleHandler:
        return cls(http_get=HttpGetAction(path=path, port=port, scheme=scheme))

    @classmethod
    def sleep_for(cls, *, seconds: int) -> LifecycleHandler:
        return cls(sleep=SleepAction(seconds=seconds))


class Lifecycle(K8sModel):
    """Hooks run after a container starts and before it is stopped."""

    post_start: LifecycleHandler | None = None
    pre_stop: LifecycleHandler | None = None


__all__ = [
    "ExecAction",
    "GrpcAction",
    "HttpGetAction",
    "HttpHeader",
    "Lifecycle",
    "LifecycleHandler",
    "PortRef",
    "Probe",
    "SleepAction",
    "TcpSocketAction",
    "UriScheme",
]
