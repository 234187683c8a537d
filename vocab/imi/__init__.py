"""共通語彙基盤 (IMI) core 2.4.1: vocabulary data, local JSON-LD context and a validator."""

from vocab.imi.context import CANONICAL_CONTEXT_URL, build_context, load_context
from vocab.imi.model import Cardinality, Vocabulary, load_vocabulary
from vocab.imi.validator import Issue, Severity, is_valid, validate

__all__ = [
    "CANONICAL_CONTEXT_URL",
    "Cardinality",
    "Issue",
    "Severity",
    "Vocabulary",
    "build_context",
    "is_valid",
    "load_context",
    "load_vocabulary",
    "validate",
]
