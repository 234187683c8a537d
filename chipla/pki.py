"""A throw-away certification authority and the town's organisation certificate, LGPKI-like.

The demo, the sandbox and the tests sign 正本 with these; a real deployment loads the town's own
key and certificate from files (``chipla xmlsig sign --key --cert``, ``CHIPLA_SIGNING_KEY`` /
``CHIPLA_SIGNING_CERT``). Keys are made fresh each time and never written unless asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

KEY_BITS = 2048


@dataclass(frozen=True)
class Issued:
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())

    @property
    def cert_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def write(self, folder: Path, stem: str) -> tuple[Path, Path]:
        """Write ``stem.key`` (mode 0600) and ``stem.pem``; returns their paths."""
        folder.mkdir(parents=True, exist_ok=True)
        key_path, cert_path = folder / f"{stem}.key", folder / f"{stem}.pem"
        key_path.touch(mode=0o600)
        key_path.write_bytes(self.key_pem)
        cert_path.write_bytes(self.cert_pem)
        return key_path, cert_path


def _name(**parts: str) -> x509.Name:
    oids = {"C": NameOID.COUNTRY_NAME, "O": NameOID.ORGANIZATION_NAME,
            "OU": NameOID.ORGANIZATIONAL_UNIT_NAME, "CN": NameOID.COMMON_NAME}
    return x509.Name([x509.NameAttribute(oids[k], v) for k, v in parts.items()])


def _builder(subject: x509.Name, issuer: x509.Name, public_key: rsa.RSAPublicKey, days: int,
             not_before: datetime | None) -> x509.CertificateBuilder:
    start = not_before or datetime.now(UTC) - timedelta(minutes=5)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number()).not_valid_before(start)
            .not_valid_after(start + timedelta(days=days)))


def certification_authority(name: str = "chipla 試験用組織認証局", days: int = 3650) -> Issued:
    """A self-signed CA standing in for the LGPKI 組織認証局."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    subject = _name(C="JP", O="LGPKI (試験用)", CN=name)
    cert = (_builder(subject, subject, key.public_key(), days, None)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                                         key_cert_sign=True, crl_sign=True, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return Issued(key, cert)


def organisation_certificate(ca: Issued, *, town: str = "木曽岬町", lg_code: str = "243035",
                             days: int = 365, not_before: datetime | None = None) -> Issued:
    """The town's organisation certificate (組織証明書-like), issued by ``ca``, for signing documents."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    subject = _name(C="JP", O="LGPKI (試験用)", OU=f"{town} ({lg_code})", CN=f"{town}長")
    cert = (_builder(subject, ca.certificate.subject, key.public_key(), days, not_before)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                                         key_cert_sign=False, crl_sign=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(ca.key, hashes.SHA256()))
    return Issued(key, cert)
