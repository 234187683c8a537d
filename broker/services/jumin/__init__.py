"""住民基本台帳 (service ``jumin``): rules, projection, queries, and the declaration that joins them.

The composition root registers :func:`declare`; nothing in the core imports this package.
"""

from __future__ import annotations

import mappings
from broker.services.jumin.queries import (
    NOTIFY,
    SERVICE,
    decode_cursor,
    encode_cursor,
    get_resident,
    get_setai,
    list_ido,
    parse_since,
)
from broker.services.jumin.rules import check_codes, ido_category, subject_key
from broker.services.jumin.service import JuminService


def declare(specs: mappings.SpecRegistry) -> JuminService:
    return JuminService(specs)


__all__ = ["NOTIFY", "SERVICE", "JuminService", "check_codes", "declare", "decode_cursor", "encode_cursor",
           "get_resident", "get_setai", "ido_category", "list_ido", "parse_since", "subject_key"]
