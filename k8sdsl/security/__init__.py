"""Security: exemptions in writing, and admission policies that enforce k8sdsl's rules
in the cluster."""

from k8sdsl.security._exemptions import (
    CHECKOV_IDS,
    CHECKOV_SKIP_PREFIX,
    EXEMPTION_PREFIX,
    PROFILE_ANNOTATION,
    Control,
    Exemption,
    exemption_annotations,
    exemption_reason,
)

__all__ = [
    "CHECKOV_IDS",
    "CHECKOV_SKIP_PREFIX",
    "EXEMPTION_PREFIX",
    "PROFILE_ANNOTATION",
    "Control",
    "Exemption",
    "exemption_annotations",
    "exemption_reason",
]
