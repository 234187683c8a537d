"""XML-DSig on the employer's 正本: signed with the town's certificate (RSA-SHA256, exclusive c14n),
verified by the hub's verifier, by the independent ``xmlsec1`` command and by ``chipla xmlsig``;
any change to the signed content, another signer, or another profile is refused."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from broker import xmldsig
from broker.clock import now
from broker.services.zei import seihon
from chipla.cli import main
from chipla.pki import Issued
from tests.zei_samples import town_pki, tsuchi


@pytest.fixture(scope="module")
def pki() -> tuple[Issued, Issued]:
    return town_pki()


@pytest.fixture(scope="module")
def signed(pki: tuple[Issued, Issued]) -> bytes:
    _, town = pki
    document = seihon.build("3f6c2a1e-0000-4000-8000-000000000001", now(), "木曽岬町長", tsuchi())
    return xmldsig.Signer.from_pem(town.key_pem, town.cert_pem).sign(document)


def _files(tmp_path: Path, pki: tuple[Issued, Issued]) -> dict[str, Path]:
    ca, town = pki
    key, cert = town.write(tmp_path, "town")
    _, ca_cert = ca.write(tmp_path, "ca")
    return {"key": key, "cert": cert, "ca": ca_cert}


def test_profile_is_rsa_sha256_exclusive_c14n_over_the_whole_document(signed: bytes) -> None:
    text = signed.decode("utf-8")
    assert 'Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"' in text
    assert 'Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"' in text
    assert 'Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"' in text
    assert '<ds:Reference URI="">' in text and "<ds:X509Certificate>" in text


def test_verify_returns_the_signed_content(signed: bytes, pki: tuple[Issued, Issued]) -> None:
    content = seihon.read(xmldsig.verify(signed, pki[1].cert_pem))
    assert content["tsuchi"]["tokuchoGimusha"]["shiteiNo"] == "20260001"
    assert content["tsuchi"]["nozeiGimusha"][0]["getsugaku"][0] == {"tsuki": 6, "gaku": 11256}


@pytest.mark.skipif(shutil.which("xmlsec1") is None and not os.environ.get("CI"),
                    reason="xmlsec1 is not installed (scripts/system-deps.sh installs it)")
def test_the_independent_xmlsec1_verifies_and_catches_a_changed_amount(
        tmp_path: Path, signed: bytes, pki: tuple[Issued, Issued]) -> None:
    files = _files(tmp_path, pki)
    good, bad = tmp_path / "good.xml", tmp_path / "bad.xml"
    good.write_bytes(signed)
    bad.write_bytes(signed.replace(b"<gaku>11256</gaku>", b"<gaku>11257</gaku>", 1))
    for trust in (["--trusted-pem", str(files["ca"])], ["--pubkey-cert-pem", str(files["cert"])]):
        ok = subprocess.run(["xmlsec1", "--verify", *trust, str(good)], capture_output=True, text=True)
        assert ok.returncode == 0, ok.stderr
        tampered = subprocess.run(["xmlsec1", "--verify", *trust, str(bad)], capture_output=True, text=True)
        assert tampered.returncode != 0


def test_cli_signs_and_verifies_with_exit_codes(tmp_path: Path, pki: tuple[Issued, Issued],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    files = _files(tmp_path, pki)
    plain, out = tmp_path / "seihon.xml", tmp_path / "seihon.signed.xml"
    plain.write_bytes(seihon.build("r-1", now(), "木曽岬町長", tsuchi()))
    assert main(["xmlsig", "sign", "--key", str(files["key"]), "--cert", str(files["cert"]), str(plain), str(out)]) == 0
    assert main(["xmlsig", "verify", "--cert", str(files["cert"]), str(out)]) == 0
    assert "valid" in capsys.readouterr().out
    out.write_bytes(out.read_bytes().replace(b"<gaku>10200</gaku>", b"<gaku>10300</gaku>", 1))
    assert main(["xmlsig", "verify", "--cert", str(files["cert"]), str(out)]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("INVALID") and "Digest mismatch" in lines[0]


def test_cli_names_unusable_key_material(tmp_path: Path, pki: tuple[Issued, Issued],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    files = _files(tmp_path, pki)
    doc = tmp_path / "d.xml"
    doc.write_bytes(b"<a/>")
    assert main(["xmlsig", "sign", "--key", str(files["key"]), "--cert", str(files["ca"]), str(doc), "-"]) == 2
    assert "does not belong to the private key" in capsys.readouterr().err
    assert main(["xmlsig", "sign", "--key", str(tmp_path / "missing.key"), "--cert", str(files["cert"]),
                 str(doc), "-"]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main(["xmlsig", "verify", "--cert", str(files["key"]), str(doc)]) == 2


def test_another_signer_is_refused(signed: bytes, pki: tuple[Issued, Issued]) -> None:
    ca, _ = pki
    from chipla.pki import organisation_certificate

    impostor = organisation_certificate(ca)  # same CA, another key: not the certificate we trust
    with pytest.raises(xmldsig.SignatureInvalid):
        xmldsig.verify(signed, impostor.cert_pem)
    resigned = xmldsig.Signer.from_pem(impostor.key_pem, impostor.cert_pem).sign(
        _strip_signature(signed))
    with pytest.raises(xmldsig.SignatureInvalid):
        xmldsig.verify(resigned, pki[1].cert_pem)


def _strip_signature(document: bytes) -> bytes:
    root = xmldsig.parse(document)
    sig = root.find(f"{{{xmldsig.DS}}}Signature")
    assert sig is not None
    root.remove(sig)
    from lxml import etree

    return bytes(etree.tostring(root))


def test_unsigned_wrapped_or_doctype_documents_are_refused(signed: bytes, pki: tuple[Issued, Issued]) -> None:
    cert = pki[1].cert_pem
    with pytest.raises(xmldsig.SignatureInvalid, match="found 0"):
        xmldsig.verify(_strip_signature(signed), cert)
    wrapped = b"<Wrapper>" + signed.split(b"?>", 1)[1] + b"<evil>1</evil></Wrapper>"
    with pytest.raises(xmldsig.SignatureInvalid, match="enveloped"):
        xmldsig.verify(wrapped, cert)
    dtd = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'
    with pytest.raises(xmldsig.SignatureInvalid, match="DTD"):
        xmldsig.verify(dtd, cert)
    with pytest.raises(xmldsig.SignatureInvalid, match="not well-formed"):
        xmldsig.verify(b"<a>", cert)


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(position=st.integers(min_value=0, max_value=23), delta=st.integers(min_value=1, max_value=99_999))
def test_any_changed_monthly_amount_breaks_the_signature(signed: bytes, pki: tuple[Issued, Issued],
                                                          position: int, delta: int) -> None:
    parts = signed.split(b"<gaku>")
    k = position % (len(parts) - 1) + 1
    amount, rest = parts[k].split(b"</gaku>", 1)
    parts[k] = str(int(amount) + delta).encode() + b"</gaku>" + rest
    with pytest.raises(xmldsig.SignatureInvalid):
        xmldsig.verify(b"<gaku>".join(parts), pki[1].cert_pem)
