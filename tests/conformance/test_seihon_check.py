"""The kit's own 正本 check agrees with the hub's signer, and catches a changed amount, another
signer and another signature profile — independently of the hub's verifier."""

from __future__ import annotations

from lxml import etree
from signxml import CanonicalizationMethod, XMLSigner

from broker import xmldsig
from broker.clock import now
from broker.services.zei import seihon
from chipla.pki import organisation_certificate
from conformance import seihon_check
from tests.zei_samples import town_pki, tsuchi


def test_kit_accepts_the_hubs_profile_and_refuses_deviations() -> None:
    ca, town = town_pki()
    unsigned = seihon.build("r-kit", now(), "木曽岬町長", tsuchi())
    signed = xmldsig.Signer.from_pem(town.key_pem, town.cert_pem).sign(unsigned)
    assert seihon_check.problems(signed, town.cert_pem) == []
    changed = signed.replace(b"<gaku>10200</gaku>", b"<gaku>10300</gaku>", 1)
    assert any("検証できません" in p for p in seihon_check.problems(changed, town.cert_pem))
    other = organisation_certificate(ca)
    assert seihon_check.problems(signed, other.cert_pem)
    inclusive = XMLSigner(c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_1).sign(
        etree.fromstring(unsigned), key=town.key, cert=[town.certificate])
    found = seihon_check.problems(etree.tostring(inclusive), town.cert_pem)
    assert any("CanonicalizationMethod" in p for p in found)
    assert seihon_check.problems(b"<Other/>", town.cert_pem)
