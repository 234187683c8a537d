"""Enveloped XML signatures on documents the hub issues, with signxml (never hand-written crypto).

One profile only, so that a verifier can insist on it: RSA-SHA256 over SHA-256 digests, exclusive
XML canonicalisation, one Reference to the whole document (``URI=""``) with the enveloped-signature
transform, and the signer's certificate (with its chain, when the file holds one) in ``ds:KeyInfo``.
Such a signature also verifies with ``xmlsec1 --verify``.

Verification pins the certificate the caller trusts: the key in the document's own KeyInfo is never
taken on its word. Anything else — another algorithm, a second Reference, a signature over only part
of the document, a DTD — is refused as :class:`SignatureInvalid`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree
from signxml import (
    CanonicalizationMethod,
    DigestAlgorithm,
    InvalidInput,
    SignatureConfiguration,
    SignatureMethod,
    XMLSigner,
    XMLVerifier,
)
from signxml.exceptions import InvalidSignature

DS = "http://www.w3.org/2000/09/xmldsig#"
SIGNATURE_METHOD = SignatureMethod.RSA_SHA256
DIGEST = DigestAlgorithm.SHA256
C14N = CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0
MAX_BYTES = 16 * 1024 * 1024

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                          remove_blank_text=False)


class SignatureInvalid(Exception):
    """The document is not signed as this profile requires, or its signature does not verify."""


class KeyMaterialError(ValueError):
    """The key or certificate file cannot be used (missing, unreadable, not RSA, not matching)."""


def parse(document: bytes) -> etree._Element:
    """Parse a document to sign or verify: no DTD, no entities, no network, bounded size."""
    if len(document) > MAX_BYTES:
        raise SignatureInvalid(f"document is larger than {MAX_BYTES} bytes")
    try:
        tree = etree.fromstring(document, _PARSER).getroottree()
    except etree.XMLSyntaxError as exc:
        raise SignatureInvalid(f"not well-formed XML: {exc}") from exc
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise SignatureInvalid("a document with a DTD is not accepted")
    return tree.getroot()


def _certificates(pem: bytes, source: str) -> list[x509.Certificate]:
    try:
        certs = x509.load_pem_x509_certificates(pem)
    except ValueError as exc:
        raise KeyMaterialError(f"{source}: no PEM certificate could be read ({exc})") from exc
    if not certs:
        raise KeyMaterialError(f"{source}: no PEM certificate found")
    return certs


@dataclass(frozen=True)
class Signer:
    """The town's signing key and certificate (first in the file; any further ones are its chain)."""

    key: rsa.RSAPrivateKey
    chain: tuple[x509.Certificate, ...]

    @classmethod
    def from_pem(cls, key_pem: bytes, cert_pem: bytes, *, passphrase: bytes | None = None,
                 source: str = "key/certificate") -> Signer:
        try:
            key = serialization.load_pem_private_key(key_pem, password=passphrase)
        except (ValueError, TypeError) as exc:
            raise KeyMaterialError(f"{source}: the private key cannot be read ({exc})") from exc
        if not isinstance(key, rsa.RSAPrivateKey):
            raise KeyMaterialError(f"{source}: the key must be RSA for RSA-SHA256, not {type(key).__name__}")
        chain = _certificates(cert_pem, source)
        public = chain[0].public_key()
        if not isinstance(public, rsa.RSAPublicKey) or public.public_numbers() != key.public_key().public_numbers():
            raise KeyMaterialError(f"{source}: the certificate does not belong to the private key")
        return cls(key, tuple(chain))

    @classmethod
    def from_files(cls, key_path: str | Path, cert_path: str | Path, *, passphrase: bytes | None = None) -> Signer:
        try:
            key_pem, cert_pem = Path(key_path).read_bytes(), Path(cert_path).read_bytes()
        except OSError as exc:
            raise KeyMaterialError(f"cannot read {exc.filename}: {exc.strerror}") from exc
        return cls.from_pem(key_pem, cert_pem, passphrase=passphrase, source=f"{key_path} / {cert_path}")

    @property
    def certificate(self) -> x509.Certificate:
        return self.chain[0]

    def sign(self, document: bytes) -> bytes:
        """The document with an enveloped ds:Signature as the last child of its root element."""
        root = parse(document)
        if root.find(f"{{{DS}}}Signature") is not None:
            raise SignatureInvalid("the document is already signed")
        signer = XMLSigner(signature_algorithm=SIGNATURE_METHOD, digest_algorithm=DIGEST, c14n_algorithm=C14N)
        signed = signer.sign(root, key=self.key, cert=list(self.chain))
        return bytes(etree.tostring(signed, xml_declaration=True, encoding="UTF-8"))


def _profile() -> SignatureConfiguration:
    return SignatureConfiguration(require_x509=True, location="./", expect_references=1,
                                  signature_methods=frozenset({SIGNATURE_METHOD}),
                                  digest_algorithms=frozenset({DIGEST}),
                                  default_reference_c14n_method=C14N)


def verify(document: bytes, cert_pem: bytes) -> etree._Element:
    """The signed root element when ``document`` carries a valid signature of this profile by the
    certificate in ``cert_pem``; :class:`SignatureInvalid` with the reason otherwise."""
    trusted = _certificates(cert_pem, "certificate")[0]
    root = parse(document)
    signatures = root.findall(f".//{{{DS}}}Signature")
    if len(signatures) != 1 or signatures[0].getparent() is not root:
        raise SignatureInvalid(f"expected one enveloped ds:Signature under the root, found {len(signatures)}")
    method = signatures[0].find(f"{{{DS}}}SignedInfo/{{{DS}}}CanonicalizationMethod")
    if method is None or method.get("Algorithm") != C14N.value:
        raise SignatureInvalid("SignedInfo is not canonicalised with exclusive c14n")
    reference = signatures[0].find(f"{{{DS}}}SignedInfo/{{{DS}}}Reference")
    if reference is None or reference.get("URI") != "":
        raise SignatureInvalid('the signature must cover the whole document (Reference URI="")')
    try:
        result = XMLVerifier().verify(root, x509_cert=trusted, expect_config=_profile())
    except (InvalidSignature, InvalidInput) as exc:
        raise SignatureInvalid(str(exc) or type(exc).__name__) from exc
    assert not isinstance(result, list)  # expect_references=1
    signed = result.signed_xml
    if signed is None or signed.tag != root.tag:
        raise SignatureInvalid("the signature does not cover the document element")
    return signed


__all__ = ["DS", "KeyMaterialError", "SignatureInvalid", "Signer", "parse", "verify"]
