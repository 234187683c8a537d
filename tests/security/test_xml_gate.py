"""The XML gate decides on characters, not bytes: a DTD is refused (1006) in any encoding the hub
could be tricked into reading, and the encoding itself must be UTF-8 or UTF-16 with BOM,
declaration and bytes agreeing (1008)."""

from __future__ import annotations

import codecs

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from adapters.soap import xmlsafe
from broker.errors import MalformedInput
from simulators.samples import SampleTown, header
from simulators.sender import JukiSender
from tests.support import RunningHub

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
BODY = (f'<soap:Envelope xmlns:soap="{SOAP}"><soap:Body>'
        '<j:JuminShokaiRequest xmlns:j="urn:chipla:ns:jumin:1"><j:atenaNo>{ref}</j:atenaNo>'
        '</j:JuminShokaiRequest></soap:Body></soap:Envelope>')
LAUGHS = ('<!DOCTYPE soap:Envelope [<!ENTITY l0 "lol">'
          + "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10)) + "]>")
DTDS = {
    "none": ("", "1"),
    "internal-subset-unused": ('<!DOCTYPE soap:Envelope [<!ELEMENT x ANY>]>', "1"),
    "internal-entity-used": ('<!DOCTYPE soap:Envelope [<!ENTITY a "100000001">]>', "&a;"),
    "external-entity": ('<!DOCTYPE soap:Envelope [<!ENTITY x SYSTEM "file:///etc/passwd">]>', "&x;"),
    "external-dtd": ('<!DOCTYPE soap:Envelope SYSTEM "http://127.0.0.1:9/evil.dtd">', "1"),
    "attlist-default": ('<!DOCTYPE soap:Envelope [<!ATTLIST soap:Envelope hacked CDATA "yes">]>', "1"),
    "billion-laughs": (LAUGHS, "&l9;"),
}
ENCODINGS: dict[str, tuple[str, bytes, list[str | None]]] = {
    # name: (python codec, BOM bytes, declaration names that agree)
    "utf-8": ("utf-8", b"", ["UTF-8", "utf-8", "utf8", None]),
    "utf-8-bom": ("utf-8", codecs.BOM_UTF8, ["UTF-8", "utf8", None]),
    "utf-16-le-bom": ("utf-16-le", codecs.BOM_UTF16_LE, ["UTF-16", None]),
    "utf-16-be-bom": ("utf-16-be", codecs.BOM_UTF16_BE, ["UTF-16", None]),
    "utf-16-le": ("utf-16-le", b"", ["UTF-16"]),
    "utf-16-be": ("utf-16-be", b"", ["UTF-16"]),
    "utf-32-le-bom": ("utf-32-le", codecs.BOM_UTF32_LE, []),
    "utf-32-be-bom": ("utf-32-be", codecs.BOM_UTF32_BE, []),
    "utf-32-le": ("utf-32-le", b"", []),
}
FOREIGN_DECLARATIONS = ["Shift_JIS", "ISO-8859-1", "EUC-JP", "US-ASCII", "UTF-32", "windows-31j"]


def document(dtd: str, encoding: str, declared: str | None) -> bytes:
    prolog, ref = DTDS[dtd]
    decl = f'<?xml version="1.0" encoding="{declared}"?>' if declared else ""
    codec_name, bom, _ = ENCODINGS[encoding]
    return bom + (decl + prolog + BODY.format(ref=ref)).encode(codec_name)


def expected(dtd: str, encoding: str, declared: str | None) -> str | None:
    """The result code the gate must give, or None when the document passes the gate."""
    agreeing = {(name or "").lower() for name in ENCODINGS[encoding][2]}
    if not agreeing or (declared or "").lower() not in agreeing:
        return "1008"
    return None if dtd == "none" else "1006"


@settings(max_examples=300, deadline=None)
@given(dtd=st.sampled_from(sorted(DTDS)), encoding=st.sampled_from(sorted(ENCODINGS)),
       declared=st.sampled_from([None, "UTF-8", "utf-8", "utf8", "UTF-16", *FOREIGN_DECLARATIONS]))
def test_gate_over_encodings_boms_declarations_and_dtds(dtd: str, encoding: str, declared: str | None) -> None:
    data = document(dtd, encoding, declared)
    want = expected(dtd, encoding, declared)
    if want is None:
        assert xmlsafe.parse(data).tag == f"{{{SOAP}}}Envelope"
        return
    with pytest.raises(MalformedInput) as refused:
        xmlsafe.parse(data)
    assert refused.value.result.code == want, (dtd, encoding, declared)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_gate_never_fails_other_than_with_a_refusal(data: bytes) -> None:
    try:
        xmlsafe.parse(data)
    except MalformedInput as refused:
        assert refused.result.code in ("1001", "1006", "1007", "1008")


@settings(max_examples=200, deadline=None)
@given(dtd=st.sampled_from(sorted(set(DTDS) - {"none"})), encoding=st.sampled_from(["utf-8", "utf-16-le-bom",
                                                                                     "utf-16-be-bom"]),
       padding=st.integers(min_value=0, max_value=5000))
def test_a_dtd_is_found_however_far_from_the_start(dtd: str, encoding: str, padding: int) -> None:
    prolog, ref = DTDS[dtd]
    codec_name, bom, _ = ENCODINGS[encoding]
    text = "<!--" + "x" * padding + "-->" + prolog + BODY.format(ref=ref)
    with pytest.raises(MalformedInput) as refused:
        xmlsafe.parse(bom + text.encode(codec_name))
    assert refused.value.result.code == "1006"


CORPUS = [
    ("utf-16-internal-dtd", document("internal-subset-unused", "utf-16-le-bom", None), "1006"),
    ("utf-16-no-bom-internal-dtd", document("internal-subset-unused", "utf-16-be", "UTF-16"), "1006"),
    ("utf-16-attlist", document("attlist-default", "utf-16-be-bom", "UTF-16"), "1006"),
    ("utf-16-used-entity", document("internal-entity-used", "utf-16-le-bom", None), "1006"),
    ("utf-16-billion-laughs", document("billion-laughs", "utf-16-le-bom", None), "1006"),
    ("utf-8-attlist", document("attlist-default", "utf-8", None), "1006"),
    ("utf-8-used-entity", document("internal-entity-used", "utf-8", None), "1006"),
    ("utf-32-bom", document("none", "utf-32-le-bom", None), "1008"),
    ("utf-32-bom-dtd", document("billion-laughs", "utf-32-be-bom", None), "1008"),
    ("utf-16-declaring-shift-jis", document("none", "utf-16-le-bom", "Shift_JIS"), "1008"),
    ("utf-8-bom-declaring-latin-1", document("none", "utf-8-bom", "ISO-8859-1"), "1008"),
    ("utf-16-without-bom-or-declaration", document("none", "utf-16-le", None), "1008"),
]


@pytest.mark.parametrize(("name", "data", "code"), CORPUS, ids=[c[0] for c in CORPUS])
def test_hostile_encodings_at_the_running_hub(shared_hub: RunningHub, name: str, data: bytes, code: str) -> None:
    hub = shared_hub
    resp = httpx.post(f"{hub.url}/soap/jumin", content=data, timeout=30,
                      headers={"content-type": "text/xml", "soapaction": "urn:chipla:jumin:JuminShokai"})
    assert resp.status_code == 500
    root = etree.fromstring(resp.content)
    assert root.findtext(".//{urn:chipla:ns:common:1}code") == code, name
    assert root.findtext(".//faultcode") == "soap:Client", name
    assert b"Traceback" not in resp.content and b"root:" not in resp.content
    ok = JukiSender(hub.url, "juki", hub.juki_password).send(header("juki"), SampleTown().next_ido())
    assert ok["result"]["code"] == "0000"


def test_utf16_with_bom_is_still_welcome(shared_hub: RunningHub) -> None:
    """The policy refuses what it must and no more: a UTF-16 query is answered (not found here)."""
    hub = shared_hub
    resp = httpx.post(f"{hub.url}/soap/jumin", content=document("none", "utf-16-le-bom", "UTF-16"),
                      headers={"content-type": "text/xml"})
    code = etree.fromstring(resp.content).findtext(".//{urn:chipla:ns:common:1}code")
    assert code == "2001"  # past the gate: refused only for the missing token
