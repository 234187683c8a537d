"""Taking an envelope apart in one pass over each element's children finds what ``find`` finds.

Generated envelopes put Header, Body, PfHeader, Security, UsernameToken and its fields in any order,
twice, missing, or between comments and foreign elements; the parts the door reads must be the ones
a path search (the first matching child) gives.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from adapters.soap import envelope, wsse
from adapters.wire.codec import NS_COMMON
from broker.errors import HubError

W, U = envelope.WSSE, envelope.WSU


def _children(parent: etree._Element, names: list[str], draw: st.DrawFn, text: bool = False) -> None:
    for name in draw(st.lists(st.sampled_from([*names, "{urn:other}x", "comment"]), max_size=6)):
        if name == "comment":
            parent.append(etree.Comment("c"))
        else:
            etree.SubElement(parent, name).text = draw(st.sampled_from(["", " a ", "MTIzNDU2Nzg5MDEyMzQ1Ng=="])) \
                if text else None


@st.composite
def envelopes(draw: st.DrawFn) -> etree._Element:
    ns = draw(st.sampled_from([envelope.SOAP11, envelope.SOAP12]))
    root = etree.Element(f"{{{ns}}}Envelope")
    _children(root, [f"{{{ns}}}Header", f"{{{ns}}}Body"], draw)
    for header in root.iter(f"{{{ns}}}Header"):
        _children(header, [f"{{{NS_COMMON}}}PfHeader", f"{{{W}}}Security"], draw)
        for security in header.iter(f"{{{W}}}Security"):
            _children(security, [f"{{{W}}}UsernameToken"], draw)
            for token in security.iter(f"{{{W}}}UsernameToken"):
                _children(token, [f"{{{W}}}Username", f"{{{W}}}Password", f"{{{W}}}Nonce", f"{{{U}}}Created"],
                          draw, text=True)
    for body in root.iter(f"{{{ns}}}Body"):
        _children(body, ["{urn:chipla:ns:jumin:1}IdoTsuchiRequest"], draw)
    return root


def _by_find(root: etree._Element) -> object:
    ns = etree.QName(root).namespace
    header, body = root.find(f"{{{ns}}}Header"), root.find(f"{{{ns}}}Body")
    if body is None:
        return "no body"
    kids = [c for c in body if isinstance(c.tag, str)]
    if len(kids) != 1:
        return "not one"
    pf = header.find(f"{{{NS_COMMON}}}PfHeader") if header is not None else None
    sec = header.find(f"{{{W}}}Security") if header is not None else None
    return pf, sec, kids[0]


@settings(max_examples=300, deadline=None)
@given(envelopes())
def test_split_and_read_token_take_the_first_matching_child(root: etree._Element) -> None:
    expected = _by_find(root)
    try:
        req = envelope.split(root)
    except HubError as exc:
        assert expected == ("no body" if "Body が" in exc.message else "not one")
        return
    assert (req.header_block, req.security, req.body_element) == expected
    token = req.security.find(f"{{{W}}}UsernameToken") if req.security is not None else None
    try:
        read = wsse.read_token(req.security)
    except HubError:
        assert token is None or not token.findtext(f"{{{W}}}Username") or token.find(f"{{{W}}}Password") is None
        return
    assert token is not None
    pw = token.find(f"{{{W}}}Password")
    assert pw is not None
    assert read.username == (token.findtext(f"{{{W}}}Username") or "").strip()
    assert read.password == (pw.text or "").strip()
    assert read.nonce_b64 == ((token.findtext(f"{{{W}}}Nonce") or "").strip() or None)
    assert read.created == ((token.findtext(f"{{{U}}}Created") or "").strip() or None)
