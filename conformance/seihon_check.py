"""The kit's own check of a signed 正本, with signxml (the kit imports nothing of the hub).

The profile the contract publishes: one enveloped ds:Signature as the last child of z:Seihon,
RSA-SHA256, SHA-256 digests, exclusive c14n, one Reference ``URI=""``; the signature must verify
with the certificate the procurement office gave the kit (``--town-cert``), not with whatever the
document's KeyInfo carries.
"""

from __future__ import annotations

from lxml import etree
from signxml import (
    CanonicalizationMethod,
    DigestAlgorithm,
    InvalidInput,
    SignatureConfiguration,
    SignatureMethod,
    XMLVerifier,
)
from signxml.exceptions import InvalidSignature

from conformance.contract import NS_ZEI

DS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0.value
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def problems(document: bytes, cert_pem: bytes) -> list[str]:
    """Why the 正本 is not signed as the contract says (empty when it is)."""
    try:
        root = etree.fromstring(document, _PARSER)
    except etree.XMLSyntaxError as exc:
        return [f"正本が XML として解析できません: {exc}"]
    if root.tag != f"{{{NS_ZEI}}}Seihon":
        return [f"正本の文書要素が z:Seihon ではありません: {root.tag}"]
    out: list[str] = []
    sigs = root.findall(f".//{{{DS}}}Signature")
    if len(sigs) != 1 or sigs[0].getparent() is not root or root[-1] is not sigs[0]:
        out.append(f"Seihon の最後の子に ds:Signature が1つだけあるはずが {len(sigs)} 個")
        return out
    info = sigs[0].find(f"{{{DS}}}SignedInfo")
    algorithms = {
        "CanonicalizationMethod": (info.find(f"{{{DS}}}CanonicalizationMethod") if info is not None else None,
                                   EXC_C14N),
        "SignatureMethod": (info.find(f"{{{DS}}}SignatureMethod") if info is not None else None,
                            SignatureMethod.RSA_SHA256.value),
    }
    for name, (el, expected) in algorithms.items():
        got = el.get("Algorithm") if el is not None else None
        if got != expected:
            out.append(f"{name} は {expected} のはずが {got}")
    refs = info.findall(f"{{{DS}}}Reference") if info is not None else []
    if len(refs) != 1 or refs[0].get("URI") != "":
        out.append('Reference は URI="" の1つだけのはず')
    config = SignatureConfiguration(location="./", expect_references=1,
                                    signature_methods=frozenset({SignatureMethod.RSA_SHA256}),
                                    digest_algorithms=frozenset({DigestAlgorithm.SHA256}))
    try:
        XMLVerifier().verify(root, x509_cert=cert_pem.decode("ascii"), expect_config=config)
    except (InvalidSignature, InvalidInput, ValueError) as exc:
        out.append(f"署名を町の証明書で検証できません: {exc}")
    return out
