"""Authentication and the replay cache: API keys for REST, WS-Security UsernameToken for SOAP."""
