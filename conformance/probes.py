"""Deliberately bad messages: each bends one thing of an otherwise valid envelope.

The probes are harmless by construction: the external entity points at a path that does not exist
and the entity expansion is refused by any sane parser long before it costs memory, so running the
kit against a product never extracts data from it or takes it down.
"""

from __future__ import annotations

from conformance.contract import MAX_MESSAGE_BYTES, NS_JUMIN, SOAP11

XXE_TARGET = "file:///nonexistent/chipla-conformance-probe"
XXE_MARK = "chipla-conformance-xxe"
WRONG_JUMIN_NS = "urn:chipla:ns:jumin:999"
WRONG_ENVELOPE_NS = "http://example.invalid/not-a-soap-envelope"


def _split_decl(valid: bytes) -> tuple[bytes, bytes]:
    if valid.startswith(b"<?xml"):
        end = valid.index(b"?>") + 2
        return valid[:end], valid[end:]
    return b"", valid


def malformed(valid: bytes) -> bytes:
    """The envelope cut short: not well-formed XML."""
    return valid[: len(valid) // 2]


def xxe(valid: bytes) -> bytes:
    decl, rest = _split_decl(valid)
    dtd = (f'<!DOCTYPE soap:Envelope [<!ENTITY probe SYSTEM "{XXE_TARGET}">'
           f'<!ENTITY mark "{XXE_MARK}">]>').encode()
    rest = rest.replace(b"</soap:Body>", b"&mark;&probe;</soap:Body>", 1)
    return decl + dtd + rest


def billion_laughs(valid: bytes) -> bytes:
    decl, rest = _split_decl(valid)
    lines = ['<!ENTITY lol0 "lol">']
    for i in range(1, 10):
        lines.append(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">')
    dtd = ("<!DOCTYPE soap:Envelope [" + "".join(lines) + "]>").encode()
    rest = rest.replace(b"</soap:Body>", b"<!-- x -->&lol9;</soap:Body>", 1)
    return decl + dtd + rest


def oversized(valid: bytes) -> bytes:
    """A valid envelope padded past 1 MiB with a comment, so only the size is wrong."""
    pad = b"<!--" + b"x" * (MAX_MESSAGE_BYTES + 64 * 1024) + b"-->"
    return valid.replace(b"</soap:Body>", pad + b"</soap:Body>", 1)


def wrong_body_namespace(valid: bytes) -> bytes:
    return valid.replace(NS_JUMIN.encode(), WRONG_JUMIN_NS.encode())


def wrong_envelope_namespace(valid: bytes) -> bytes:
    return valid.replace(SOAP11.encode(), WRONG_ENVELOPE_NS.encode())


def shift_jis(valid: bytes) -> bytes:
    """The same envelope declared and encoded as Shift_JIS."""
    _, rest = _split_decl(valid)
    text = rest.decode("utf-8")
    return b"<?xml version='1.0' encoding='Shift_JIS'?>" + text.encode("shift_jis")
