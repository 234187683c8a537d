"""REST handlers named by the operationIds of api_specs/openapi.yaml (connexion is spec-first)."""
