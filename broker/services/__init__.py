"""業務-specific rules of the core: subject keys, code-list checks, projections and 照会 queries."""
