"""個人住民税 (service ``zei``): 特別徴収税額通知 from the 個人住民税 system to employers.

One notice is one employer (特別徴収義務者, keyed by its 指定番号) and one 年度. The hub keeps the
notice, makes the employer's 正本 from it, signs the 正本 (enveloped XML-DSig with the town's
certificate) and hands it only to that employer: delivered to a registered endpoint, or fetched by
the employer with its own credentials. Contract: ``api_specs/wsdl/zei.wsdl``, ``xsd/zei.xsd``.
"""

from __future__ import annotations

from broker.services.zei.issuing import Issuer
from broker.services.zei.service import ZeiService


def declare(issuer: Issuer) -> ZeiService:
    return ZeiService(issuer)


__all__ = ["Issuer", "ZeiService", "declare"]
