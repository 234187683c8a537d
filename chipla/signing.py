"""The town's signing identity for the 正本 the hub issues, from configuration.

``CHIPLA_SIGNING_KEY`` / ``CHIPLA_SIGNING_CERT`` name the town's key and organisation certificate. Without
them (the embedded default, like the SQLite file) the hub makes a throw-away CA and certificate at
start and says so: 正本 signed with it verify only against that run's certificate.
"""

from __future__ import annotations

import logging
from functools import cache

from broker import xmldsig
from broker.services.zei.issuing import Issuer
from chipla.config import Settings
from chipla.pki import certification_authority, organisation_certificate

log = logging.getLogger(__name__)


def issuer(settings: Settings) -> Issuer:
    if settings.signing_key:
        signer = xmldsig.Signer.from_files(settings.signing_key, settings.signing_cert)
    else:
        log.warning("signing 正本 with a throw-away certificate; set CHIPLA_SIGNING_KEY and CHIPLA_SIGNING_CERT")
        signer = throwaway_signer()
    return Issuer(signer, settings.signing_issuer)


def throwaway_issuer(name: str = Settings.signing_issuer) -> Issuer:
    return Issuer(throwaway_signer(), name)


@cache
def throwaway_signer() -> xmldsig.Signer:
    """One throw-away identity per process: making RSA keys for every hub a test starts would cost more
    than the test."""
    town = organisation_certificate(certification_authority())
    return xmldsig.Signer.from_pem(town.key_pem, town.cert_pem)
