"""People who operate the hub through the console: accounts, roles and password checks.

Systems (vendor software) authenticate with API keys and WS-Security; people sign in with a user
name and password, and their role decides what they may see and do:

    viewer   - reads everything, personal fields masked
    operator - also retries, reprocesses, replays, and may unmask a message with a reason (audited)
    admin    - also manages console users
"""

from broker.operators.store import (
    ROLES,
    OperatorStore,
    OperatorUser,
    UnknownUser,
    WeakPassword,
    role_at_least,
)

__all__ = ["ROLES", "OperatorStore", "OperatorUser", "UnknownUser", "WeakPassword", "role_at_least"]
