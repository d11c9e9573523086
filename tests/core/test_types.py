"""The Annotated constraints: each accepts what the API server accepts and names the fix."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from k8sdsl.core import (
    AbsolutePath,
    Cidr,
    DnsLabel,
    DnsSubdomain,
    K8sDslError,
    K8sModel,
    LabelKey,
    LabelValue,
    Port,
    PortName,
)


class Holder(K8sModel):
    label: DnsLabel | None = None
    subdomain: DnsSubdomain | None = None
    key: LabelKey | None = None
    value: LabelValue | None = None
    port: Port | None = None
    port_name: PortName | None = None
    cidr: Cidr | None = None
    path: AbsolutePath | None = None


def error_of(**kwargs: object) -> K8sDslError:
    with pytest.raises(K8sDslError) as info:
        Holder(**kwargs)
    return info.value


@pytest.mark.parametrize("good", ["a", "web-1", "x" * 63, "0abc"])
def test_dns_label_accepts(good: str) -> None:
    assert TypeAdapter(DnsLabel).validate_python(good) == good


@pytest.mark.parametrize(
    ("bad", "fix"),
    [("Web", "web"), ("web_1", "web-1"), ("-web", "web"), ("x" * 64, "x" * 63), ("a.b", "a-b")],
)
def test_dns_label_rejects_with_fix(bad: str, fix: str) -> None:
    err = error_of(label=bad)
    (finding,) = err.findings
    assert finding.code == "value/dns-label"
    assert finding.path == "label"
    assert repr(bad)[:20] in finding.message
    assert finding.hint == f"use {fix!r}"


def test_dns_subdomain_allows_dots_but_not_uppercase() -> None:
    assert Holder(subdomain="nfs.pv-1").subdomain == "nfs.pv-1"
    err = error_of(subdomain="Security-context.pod")
    assert err.findings[0].code == "value/dns-subdomain"
    assert err.findings[0].hint == "use 'security-context.pod'"


@pytest.mark.parametrize("good", ["app", "app.kubernetes.io/name", "k8s-app", "a_b.c"])
def test_label_key_accepts(good: str) -> None:
    assert Holder(key=good).key == good


@pytest.mark.parametrize("bad", ["", "/name", "Bad_Prefix/x", "-x", "a/b/c"])
def test_label_key_rejects(bad: str) -> None:
    assert error_of(key=bad).findings[0].code == "value/label-key"


def test_label_value_allows_empty_and_rejects_spaces() -> None:
    assert Holder(value="").value == ""
    err = error_of(value="my app")
    assert err.findings[0].hint == "use 'my-app'"


@pytest.mark.parametrize("bad", [0, 65536, -1])
def test_port_range(bad: int) -> None:
    err = error_of(port=bad)
    assert err.findings[0].path == "port"


def test_port_name_needs_a_letter_and_at_most_15_chars() -> None:
    assert Holder(port_name="http-metrics").port_name == "http-metrics"
    assert error_of(port_name="8080").findings[0].code == "value/port-name"
    assert error_of(port_name="a-very-long-port-name").findings[0].code == "value/port-name"


def test_cidr_host_bits_hint_shows_network() -> None:
    assert Holder(cidr="172.17.0.0/16").cidr == "172.17.0.0/16"
    err = error_of(cidr="172.17.1.5/16")
    assert err.findings[0].code == "value/cidr"
    assert err.findings[0].hint == "use '172.17.0.0/16'"
    assert error_of(cidr="10.0.0.1").findings[0].hint == "use '10.0.0.1/32'"
    assert error_of(cidr="not-an-ip").findings[0].code == "value/cidr"


def test_absolute_path_rejects_relative_and_padded() -> None:
    assert Holder(path="/data").path == "/data"
    assert error_of(path="data").findings[0].hint == "use '/data'"
    # the notes' projected sample quotes a mount path with a space in it
    assert error_of(path="/projected -volume ").findings[0].code == "value/absolute-path"


def test_every_bad_field_is_reported_not_just_the_first() -> None:
    err = error_of(label="Bad", port=0, cidr="10.0.0.1/8")
    assert sorted(f.path for f in err.findings) == ["cidr", "label", "port"]


def test_unknown_field_suggests_the_snake_case_name() -> None:
    class SecurityContext(K8sModel):
        run_as_user: int | None = None
        fs_group: int | None = None

    with pytest.raises(K8sDslError) as info:
        SecurityContext(runAsuser=1000)  # type: ignore[call-arg]
    (finding,) = info.value.findings
    assert finding.code == "value/extra-forbidden"
    assert finding.path == "runAsuser"
    assert finding.hint == "did you mean 'run_as_user'?"


def test_values_are_frozen_and_render_camel_case() -> None:
    class Mount(K8sModel):
        mount_path: str
        read_only: bool | None = None
        except_: list[str] | None = None

    m = Mount(mount_path="/x", except_=["a"])
    assert m.to_k8s() == {"mountPath": "/x", "except": ["a"]}
    with pytest.raises(ValidationError):
        m.mount_path = "/y"  # type: ignore[misc]
