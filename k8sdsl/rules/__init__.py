"""Rules: registered by id, grouped by topic, run at synth and by ``k8sdsl check``."""

from k8sdsl.rules._registry import (
    RuleContext,
    RuleInfo,
    load_rules,
    registered_rules,
    rule,
    run_rules,
)

__all__ = ["RuleContext", "RuleInfo", "load_rules", "registered_rules", "rule", "run_rules"]
