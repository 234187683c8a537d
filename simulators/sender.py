"""A simulated 住民記録 system sending 住民異動通知 to the hub with zeep, through the hub's WSDL."""

from __future__ import annotations

from typing import Any

import requests
import zeep
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from adapters.wire.codec import NS_COMMON

HEADER_ORDER = ("messageId", "correlationId", "sentAt", "lgCode", "senderSystemId", "receiverSystemId",
                "service", "operation", "specVersion", "operatorId", "purposeCode", "subjectKey")


class JukiSender:
    """One SOAP client bound to the hub's endpoint (the WSDL is fetched from the hub itself)."""

    def __init__(self, hub_url: str, username: str, password: str, timeout: float = 30.0) -> None:
        session = requests.Session()
        session.trust_env = False  # loopback peers; no per-call proxy lookup
        transport = Transport(session=session, timeout=timeout, operation_timeout=timeout)
        self.client = zeep.Client(f"{hub_url.rstrip('/')}/soap/jumin?wsdl", transport=transport,
                                  wsse=UsernameToken(username, password, use_digest=True))
        self.service = self.client.service
        self._header = self.client.get_element(f"{{{NS_COMMON}}}PfHeader")

    def header(self, meta: dict[str, Any]) -> Any:
        return self._header(**{k: meta[k] for k in HEADER_ORDER if k in meta})

    def send(self, meta: dict[str, Any], ido: dict[str, Any]) -> Any:
        return self.service.IdoTsuchi(ido=ido, _soapheaders=[self.header(meta)])

    def jumin_shokai(self, meta: dict[str, Any], atena_no: str, as_of: str | None = None) -> Any:
        return self.service.JuminShokai(atenaNo=atena_no, asOf=as_of, _soapheaders=[self.header(meta)])

    def ido_ichiran(self, meta: dict[str, Any], *, since: str | None = None, cursor: str | None = None,
                    page_size: int | None = None) -> Any:
        kwargs: dict[str, Any] = {"pageSize": page_size}
        if cursor is not None:
            kwargs["cursor"] = cursor
        else:
            kwargs["since"] = since
        return self.service.IdoIchiranShokai(**kwargs, _soapheaders=[self.header(meta)])

    def setai_shokai(self, meta: dict[str, Any], setai_no: str, as_of: str | None = None) -> Any:
        return self.service.SetaiShokai(setaiNo=setai_no, asOf=as_of, _soapheaders=[self.header(meta)])
