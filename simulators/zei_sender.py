"""A simulated 個人住民税 system sending 特別徴収税額通知 to the hub with zeep, through the hub's WSDL."""

from __future__ import annotations

from typing import Any

import requests
import zeep
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from adapters.wire.codec import NS_COMMON
from simulators.sender import HEADER_ORDER


class ZeiSender:
    """One SOAP client bound to the hub's ``/soap/zei`` (the WSDL is fetched from the hub itself)."""

    def __init__(self, hub_url: str, username: str, password: str, timeout: float = 30.0) -> None:
        session = requests.Session()
        session.trust_env = False  # loopback peers; no per-call proxy lookup
        transport = Transport(session=session, timeout=timeout, operation_timeout=timeout)
        self.client = zeep.Client(f"{hub_url.rstrip('/')}/soap/zei?wsdl", transport=transport,
                                  wsse=UsernameToken(username, password, use_digest=True))
        self.service = self.client.service
        self._header = self.client.get_element(f"{{{NS_COMMON}}}PfHeader")

    def header(self, meta: dict[str, Any]) -> Any:
        return self._header(**{k: meta[k] for k in HEADER_ORDER if k in meta})

    def send(self, meta: dict[str, Any], tsuchi: dict[str, Any]) -> Any:
        return self.service.ZeigakuTsuchi(tsuchi=tsuchi, _soapheaders=[self.header(meta)])

    def ichiran(self, meta: dict[str, Any], nendo: int | None = None) -> Any:
        return self.service.TsuchiIchiranShokai(nendo=nendo, _soapheaders=[self.header(meta)])

    def shutoku(self, meta: dict[str, Any], receipt_id: str) -> Any:
        return self.service.SeihonShutoku(receiptId=receipt_id, _soapheaders=[self.header(meta)])
