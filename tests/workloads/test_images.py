"""Image references: what the runtimes pull, and the errors k8sdsl gives for what they refuse."""

from __future__ import annotations

import pytest

from k8sdsl.core import ValueInputError
from k8sdsl.workloads import Container, ImageReference, ImageReferenceError

SHA = "sha256:" + "0123456789abcdef" * 4


@pytest.mark.parametrize(
    ("text", "registry", "repository", "tag", "digest"),
    [
        ("nginx", "docker.io", "library/nginx", None, None),
        ("nginx:1.27.3", "docker.io", "library/nginx", "1.27.3", None),
        ("team/app:2", "docker.io", "team/app", "2", None),
        ("index.docker.io/team/app", "docker.io", "team/app", None, None),
        ("localhost/app:1", "localhost", "app", "1", None),
        ("localhost:5000/app", "localhost:5000", "app", None, None),
        ("registry.example.com:443/a/b/c:v1", "registry.example.com:443", "a/b/c", "v1", None),
        (f"ghcr.io/acme/web:1.0@{SHA}", "ghcr.io", "acme/web", "1.0", SHA),
        (f"busybox@{SHA}", "docker.io", "library/busybox", None, SHA),
        (
            "gcr.io/google-samples/node-hello:1.0",
            "gcr.io",
            "google-samples/node-hello",
            "1.0",
            None,
        ),
    ],
)
def test_parse(
    text: str, registry: str, repository: str, tag: str | None, digest: str | None
) -> None:
    ref = ImageReference.parse(text)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (
        registry,
        repository,
        tag,
        digest,
    )
    assert ref.name == f"{registry}/{repository}"


@pytest.mark.parametrize(
    ("text", "floating", "pinned"),
    [
        ("nginx", True, False),
        ("nginx:latest", True, False),
        ("nginx:1.27", False, False),
        (f"nginx:latest@{SHA}", False, True),
    ],
)
def test_floating_and_pinned(text: str, floating: bool, pinned: bool) -> None:
    ref = ImageReference.parse(text)
    assert (ref.floating, ref.pinned) == (floating, pinned)


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("Nginx:1.0", "'nginx:1.0'"),
        ("ghcr.io/Acme/web", "lowercase"),
        (" nginx", "whitespace"),
        ("https://ghcr.io/acme/web:1", "'ghcr.io/acme/web:1'"),
        ("nginx@sha256:abc", "64"),
        ("nginx:", "[registry/]repository"),
        ("", "name an image"),
    ],
)
def test_invalid_references_name_the_fix(text: str, hint: str) -> None:
    with pytest.raises(ImageReferenceError) as err:
        ImageReference.parse(text)
    assert hint in err.value.hint


def test_container_image_is_checked_with_its_path() -> None:
    with pytest.raises(ValueInputError) as err:
        Container(name="web", image="Nginx:1.0")
    (finding,) = err.value.findings
    assert (finding.code, finding.path) == ("value/image-reference", "image")
    assert "'nginx:1.0'" in finding.hint


@pytest.mark.parametrize(
    ("text", "allowed", "expected"),
    [
        ("registry.example.com/team/app:1", ["registry.example.com"], True),
        ("registry.example.com:5000/team/app:1", ["registry.example.com"], False),
        ("ghcr.io/acme/web:1", ["ghcr.io/acme"], True),
        ("ghcr.io/acme-evil/web:1", ["ghcr.io/acme"], False),
        ("ghcr.io/acme:1", ["ghcr.io/acme"], True),
        ("nginx:1", ["docker.io"], True),
        ("nginx:1", ["index.docker.io/library"], True),
        ("nginx:1", ["docker.io/team"], False),
        ("nginx:1", [" ", ""], False),
    ],
)
def test_from_registry(text: str, allowed: list[str], expected: bool) -> None:
    assert ImageReference.parse(text).from_registry(allowed) is expected


def test_a_reference_parsed_again_gives_the_same_verdict() -> None:
    """References are parsed once per process and remembered: the same value comes back,
    and a refused text is refused again with its own text and hint (not a shared error)."""
    first = ImageReference.parse("team/app:2")
    assert ImageReference.parse("team/app:2") is first
    errors = []
    for _ in range(2):
        with pytest.raises(ImageReferenceError) as exc:
            ImageReference.parse("Team/App:2")
        errors.append(exc.value)
    assert errors[0] is not errors[1]
    assert errors[0].text == errors[1].text == "Team/App:2"
    assert errors[0].hint == errors[1].hint and errors[0].hint
