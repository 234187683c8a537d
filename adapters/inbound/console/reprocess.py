"""Reprocess a quarantined 異動通知 after an operator corrected it.

The corrected bytes go through the same checks as at the door they came in by — the common header
and the body against the XSD, the hub's code lists, ACL and rules — and are accepted on behalf of
the system that sent them. Only the WS-Security token is not checked again: the original one has
expired, and the operator's reprocess is itself audited (who, which quarantine entry, which receipt).
The quarantine entry stays as it was: the original refusal remains evidence.
"""

from __future__ import annotations

import json
from typing import Any

from adapters.soap import codec, envelope, xmlsafe
from broker import audit
from broker.envelope import Envelope, Header
from broker.errors import HeaderInvalid, MalformedInput, NotAllowed, SchemaInvalid
from broker.hub import Hub
from broker.services import jumin


def parse_corrected(raw: bytes, max_bytes: int) -> Envelope:
    """An envelope from corrected SOAP (XML) or REST (JSON) bytes, checked like the doors check them."""
    if raw.lstrip()[:1] == b"{":
        try:
            body: Any = json.loads(raw)
        except ValueError as exc:
            raise MalformedInput(f"JSON として解析できません: {exc}") from exc
        if not isinstance(body, dict) or not isinstance(body.get("meta"), dict) or "ido" not in body:
            raise SchemaInvalid("meta と ido を持つ JSON が必要です")
        codec.check(f"{{{codec.NS_COMMON}}}PfHeader", body["meta"], HeaderInvalid)
        codec.check(f"{{{codec.NS_JUMIN}}}IdoTsuchiRequest", {"ido": body["ido"]}, SchemaInvalid)
        header = Header.from_wire(body["meta"])
        env = Envelope(header=header, body={"ido": body["ido"]}, original=raw, content_type="application/json",
                       channel="rest")
    else:
        req = envelope.split(xmlsafe.parse(raw, max_bytes))
        if req.header_block is None:
            raise HeaderInvalid("共通ヘッダ (PfHeader) がありません")
        common = codec.lxml_common_schema()
        if not common.validate(req.header_block):
            raise HeaderInvalid(f"共通ヘッダの誤り: {common.error_log.last_error}")
        schema = codec.lxml_schema()
        if not schema.validate(req.body_element):
            raise SchemaInvalid(f"スキーマ検証エラー: {schema.error_log.last_error}")
        header = Header.from_wire(codec.to_dict(req.header_block))
        env = Envelope(header=header, body=codec.to_dict(req.body_element), original=raw, content_type="text/xml",
                       channel="soap")
    if (env.header.service, env.header.operation) != (jumin.SERVICE, jumin.NOTIFY):
        raise HeaderInvalid(f"再処理できるのは {jumin.SERVICE}/{jumin.NOTIFY} です")
    return env


def reprocess(hub: Hub, qid: int, sender: str | None, raw: bytes, actor: str, reason: str, max_bytes: int) -> str:
    """Accept the corrected bytes for the original sender; returns the receipt id."""
    if not sender:
        raise NotAllowed("送信元が分からない隔離電文は再処理できません (送信元システムから再送してください)")
    env = parse_corrected(raw, max_bytes)
    caller = hub.registry.system(sender)
    receipt = hub.accept(env, caller)
    with hub.store.write() as s:
        audit.append(s, actor, "quarantine.reprocessed", f"quarantine:{qid}",
                     {"receiptId": receipt.receipt_id, "duplicate": receipt.duplicate, "reason": reason[:200]})
    return receipt.receipt_id
