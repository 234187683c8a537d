"""Hardened XML parsing: no DTD, no entities, no network, a size limit, UTF-8 or UTF-16 only.

The gate works on characters, not bytes: the encoding is settled first (byte order mark, the first
bytes, the XML declaration — all three must agree, or 1008), the whole document is decoded, and only
then is it searched for markup declarations. A search over raw bytes misses a DTD written in UTF-16
or UTF-32. A document type declaration is refused outright (1006) rather than parsed with entities
disabled: no platform message needs one, and refusing it closes XXE, entity expansion, attribute
defaults and external DTDs at once. After parsing, the tree is asked again whether it has a DTD, so a
spelling the search did not foresee is still refused with the same code.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from lxml import etree

from broker.errors import MalformedInput

MAX_BYTES = 1024 * 1024

_UTF8 = "utf-8"
_UTF16LE = "utf-16-le"
_UTF16BE = "utf-16-be"
# the names a declaration may give for each encoding the hub admits
_DECLARED = {
    _UTF8: {"utf-8", "utf8"},
    _UTF16LE: {"utf-16", "utf16", "utf-16le"},
    _UTF16BE: {"utf-16", "utf16", "utf-16be"},
}
_DECL = re.compile(r"<\?xml\s[^>]*?encoding\s*=\s*(['\"])(?P<name>[^'\"]{0,40})\1")
_MARKUP_DECL = re.compile(r"<!\s*(DOCTYPE|ENTITY|ATTLIST|ELEMENT|NOTATION)", re.IGNORECASE)

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
    huge_tree=False, remove_blank_text=False, remove_comments=False, collect_ids=False,
)


@dataclass(frozen=True)
class _Sniffed:
    encoding: str
    bom: bytes


def parse(data: bytes, max_bytes: int = MAX_BYTES) -> etree._Element:
    """Parse ``data`` or raise ``MalformedInput`` carrying the right result code."""
    if len(data) > max_bytes:
        raise MalformedInput(f"電文が大きすぎます ({len(data)} bytes > {max_bytes})", code="too_large")
    if not data.strip():
        raise MalformedInput("電文が空です")
    text = decode(data)
    if _MARKUP_DECL.search(text):
        raise MalformedInput("DTD・実体宣言を含む電文は受け付けません", code="forbidden_xml")
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise MalformedInput(f"XMLとして解析できません: {exc.msg}") from exc
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise MalformedInput("DTD を含む電文は受け付けません", code="forbidden_xml")
    return root


def decode(data: bytes) -> str:
    """The document as text, once its byte order mark, first bytes and declaration agree."""
    sniffed = _sniff(data)
    body = data[len(sniffed.bom):]
    try:
        text = codecs.decode(body, sniffed.encoding, errors="strict")
    except UnicodeDecodeError as exc:
        raise MalformedInput(f"{sniffed.encoding.upper()} として正しくないバイト列があります "
                             f"(offset {exc.start + len(sniffed.bom)})", code="encoding_invalid") from exc
    _check_declaration(text, sniffed)
    if "\x00" in text:
        raise MalformedInput("NUL 文字を含む電文は受け付けません", code="encoding_invalid")
    return text


def _sniff(data: bytes) -> _Sniffed:
    """The encoding the bytes themselves show (XML 1.0 appendix F); UTF-32 and EBCDIC are refused."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")) or data[:4] in (
            b"\x00\x00\x00<", b"<\x00\x00\x00", b"\x00\x00<\x00", b"\x00<\x00\x00"):
        raise MalformedInput("UTF-32 の電文は受け付けません (UTF-8 または UTF-16)", code="encoding_invalid")
    if data.startswith(codecs.BOM_UTF8):
        return _Sniffed(_UTF8, codecs.BOM_UTF8)
    if data.startswith(codecs.BOM_UTF16_LE):
        return _Sniffed(_UTF16LE, codecs.BOM_UTF16_LE)
    if data.startswith(codecs.BOM_UTF16_BE):
        return _Sniffed(_UTF16BE, codecs.BOM_UTF16_BE)
    if len(data) >= 2 and data[0] != 0 and data[1] == 0:
        return _Sniffed(_UTF16LE, b"")  # "<\0?\0" and any other ASCII start written in UTF-16LE
    if len(data) >= 2 and data[0] == 0 and data[1] != 0:
        return _Sniffed(_UTF16BE, b"")
    if data.startswith(b"\x4c\x6f\xa7\x94"):
        raise MalformedInput("EBCDIC の電文は受け付けません (UTF-8 または UTF-16)", code="encoding_invalid")
    return _Sniffed(_UTF8, b"")


def _check_declaration(text: str, sniffed: _Sniffed) -> None:
    match = _DECL.match(text[:256])
    if match is None:
        if sniffed.encoding != _UTF8 and not sniffed.bom:
            raise MalformedInput("UTF-16 の電文には BOM か encoding 宣言が必要です", code="encoding_invalid")
        return
    declared = match.group("name").strip().lower()
    if declared not in _DECLARED[sniffed.encoding]:
        raise MalformedInput(f"encoding 宣言 ({match.group('name')[:40]}) が実際の文字コード "
                             f"({sniffed.encoding.upper()}) と一致しません。受け付けるのは UTF-8 と UTF-16 です",
                             code="encoding_invalid")
