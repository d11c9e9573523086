"""Secret rules: no secret value in the manifests that go to git, and sealed values that
are really sealed.

k8sdsl's promise is that ``dist/`` holds no secret value: Secrets are made in the cluster
(an ExternalSecret, a SealedSecret, cert-manager, or by hand and declared in the cluster).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from k8sdsl.core._findings import Finding
from k8sdsl.rules._registry import RuleContext, rule
from k8sdsl.security._secrets import sealed_value_problem

#: the annotation that records, in writing, why a Secret's values are in the manifests
SECRET_DATA_ANNOTATION = "k8sdsl.io/secret-data-in-git"


def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


@rule("secret/literal-data", "a Secret whose values are in the manifests")
def literal_data(ctx: RuleContext) -> Iterator[Finding]:
    """A Secret's ``data`` is base64, not encryption: anyone who reads the repository reads
    the value, and it stays in the history after it is rotated. Make the Secret in the
    cluster instead (ExternalSecret, SealedSecret) or declare one made by hand. An error
    where the objects are the app's output (synth, ``k8sdsl check --complete``), else a
    warning; the annotation ``k8sdsl.io/secret-data-in-git: <reason>`` accepts it in
    writing (a test fixture, a public dummy value)."""
    complete = bool(ctx.settings.get("complete"))
    for m in ctx.of_kind("Secret"):
        if m.api_version != "v1":
            continue
        keys = sorted(
            f"{field}[{key!r}]"
            for field in ("data", "stringData")
            for key, value in _d(m.obj.get(field)).items()
            if value not in (None, "")
        )
        if not keys:
            continue
        reason = m.annotations.get(SECRET_DATA_ANNOTATION)
        if isinstance(reason, str) and reason.strip():
            continue
        report = m.error if complete else m.warning
        field = keys[0].split("[", 1)[0]
        yield report(
            "secret/literal-data",
            field,
            f"Secret {m.name!r} holds its values in the manifest ({', '.join(keys[:5])}"
            f"{', ...' if len(keys) > 5 else ''}): base64 is no encryption, and git keeps "
            "them",
            "make it in the cluster: an ExternalSecret (k8sdsl.security.ExternalSecret) or a "
            "SealedSecret, or declare a Secret made by hand (Cluster(objects=[ExistingObject("
            "kind='Secret', ...)])); or record why with the annotation "
            f"{SECRET_DATA_ANNOTATION}: <reason>",
        )


@rule("secret/sealed-data", "a SealedSecret value that kubeseal did not write")
def sealed_data(ctx: RuleContext) -> Iterator[Finding]:
    """sealed-secrets' controller decrypts each ``encryptedData`` value with its private key;
    a value that is not a sealed value (a plain value, base64-encoded, pasted from a Secret)
    fails to decrypt, so no Secret is made, and the value itself is readable in git. The
    construct runs the same check (:func:`~k8sdsl.security.sealed_value_problem`)."""
    for m in ctx.of_kind("SealedSecret"):
        if not m.api_version.startswith("bitnami.com/") or m.resource is not None:
            continue  # the construct refused it when it was built
        data = _d(m.obj.get("spec")).get("encryptedData")
        for key, value in sorted(_d(data).items(), key=lambda kv: str(kv[0])):
            problem = sealed_value_problem(str(key), value)
            if problem is not None:
                yield m.error("secret/sealed-data", f"spec.encryptedData[{key!r}]", *problem)
