"""A captured UsernameToken cannot be replayed by re-spelling its nonce.

Base64 has several spellings of the same bytes when the last character carries unused bits. The
digest covers the decoded bytes, so every spelling of a captured token still verifies; the replay
cache must therefore see one key per nonce, and only the canonical spelling is taken at all.
"""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from sqlalchemy import func, select

from adapters.soap import wsse
from adapters.wire import codec
from broker.errors import NotAllowed
from broker.models import Message
from broker.security import usernametoken
from broker.security.usernametoken import PASSWORD_DIGEST, UsernameToken, digest
from simulators.samples import SampleTown, header
from tests.support import RunningHub, raw_soap

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def spellings(canonical: str) -> list[str]:
    """Every base64 text that decodes (leniently) to the same bytes by changing the unused low bits
    of the last data character: 16 spellings before ``==``, 4 before ``=``, 1 without padding."""
    pad = len(canonical) - len(canonical.rstrip("="))
    if pad == 0:
        return [canonical]
    unused = 4 if pad == 2 else 2
    i = len(canonical) - pad - 1
    base = ALPHABET.index(canonical[i]) & ~((1 << unused) - 1)
    return [canonical[:i] + ALPHABET[base | k] + canonical[i + 1:] for k in range(1 << unused)]


def _code(resp: httpx.Response) -> str:
    return str(etree.fromstring(resp.content).findtext(f".//{{{codec.NS_COMMON}}}code"))


def _message_with(security: etree._Element, password: str) -> bytes:
    """A new message (new id, new body) carrying the given Security header verbatim."""
    root = etree.fromstring(raw_soap(header("juki"), "{urn:chipla:ns:jumin:1}IdoTsuchiRequest",
                                     {"ido": SampleTown(seed=uuid.uuid4().int % 10_000).next_ido()},
                                     "juki", password))
    head = root.find(f"{{{SOAP}}}Header")
    head.replace(head.find(f"{{{wsse.WSSE}}}Security"), security)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def _respelled(security: etree._Element, nonce_text: str) -> etree._Element:
    copy = etree.fromstring(etree.tostring(security))
    copy.find(f".//{{{wsse.WSSE}}}Nonce").text = nonce_text
    return copy


def test_every_respelling_of_a_captured_nonce_is_refused(hub: RunningHub) -> None:
    nonce = b"\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10"  # 16 bytes: '==' padding
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    captured = wsse.build_security("juki", hub.juki_password, nonce=nonce, created=created)
    first = httpx.post(f"{hub.url}/soap/jumin", content=_message_with(captured, hub.juki_password))
    assert first.status_code == 200, first.text
    canonical = base64.b64encode(nonce).decode()
    variants = spellings(canonical)
    assert len(variants) == 16 and all(base64.b64decode(v) == nonce for v in variants)
    for text in variants:
        resp = httpx.post(f"{hub.url}/soap/jumin",
                          content=_message_with(_respelled(captured, text), hub.juki_password))
        assert resp.status_code == 500, text
        assert _code(resp) == ("2003" if text == canonical else "2002"), text
    with hub.parts.store.read() as s:
        assert s.execute(select(func.count()).select_from(Message)).scalar_one() == 1
    # the hub goes on serving fresh tokens
    another_resident = SampleTown(seed=7, start_atena=100000901).next_ido()
    fresh = httpx.post(f"{hub.url}/soap/jumin", content=raw_soap(
        header("juki"), "{urn:chipla:ns:jumin:1}IdoTsuchiRequest", {"ido": another_resident},
        "juki", hub.juki_password))
    assert fresh.status_code == 200, fresh.text


# -- properties of the token check -------------------------------------------------------------

SECRET = "correct horse battery staple"


def _token(nonce_text: str, created: str, password: str) -> UsernameToken:
    return UsernameToken(username="juki", password=password, password_type=PASSWORD_DIGEST,
                         nonce_b64=nonce_text, created=created)


@settings(max_examples=200, deadline=None)
@given(nonce=st.binary(min_size=8, max_size=64))
def test_one_nonce_has_one_key_whatever_its_spelling(nonce: bytes) -> None:
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # fresh: the suite may run for minutes
    canonical = base64.b64encode(nonce).decode()
    keys = set()
    for text in spellings(canonical) + [canonical.rstrip("="), canonical + "\n", " " + canonical,
                                        canonical[:4] + "\n" + canonical[4:]]:
        token = _token(text, created, digest(nonce, created, SECRET))
        if text == canonical:
            keys.add(usernametoken.verify(token, SECRET).nonce_key)
            continue
        with pytest.raises(NotAllowed) as refused:
            usernametoken.verify(token, SECRET)
        assert refused.value.result.code == "2002"
    assert keys == {usernametoken.nonce_key(nonce)}


@settings(max_examples=200, deadline=None)
@given(offset_minutes=st.integers(min_value=-4 * 60, max_value=4 * 60) | st.sampled_from([0, 540]),
       fraction=st.integers(min_value=0, max_value=9), zone=st.sampled_from(["Z", "+00:00", "+09:00", "-05:00"]),
       age_seconds=st.integers(min_value=0, max_value=240))
def test_created_in_any_xsd_spelling_within_the_window_is_taken(offset_minutes: int, fraction: int, zone: str,
                                                               age_seconds: int) -> None:
    tz = {"Z": UTC, "+00:00": UTC}.get(zone) or datetime.strptime(zone, "%z").tzinfo
    at = (datetime.now(UTC) - timedelta(seconds=age_seconds)).astimezone(tz)
    text = at.strftime("%Y-%m-%dT%H:%M:%S") + (f".{at.microsecond:06d}"[: fraction + 1] if fraction else "")
    text += "Z" if zone == "Z" else at.strftime("%z")[:3] + ":" + at.strftime("%z")[3:]
    nonce = b"n" * 16
    verified = usernametoken.verify(_token(base64.b64encode(nonce).decode(), text,
                                           digest(nonce, text, SECRET)), SECRET)
    assert abs((verified.created - at).total_seconds()) < 1


@settings(max_examples=200, deadline=None)
@given(created=st.sampled_from(["2026-11-29", "2026-11-29T10:00:00", "20261129T100000Z", "2026-11-29t10:00:00z",
                                "2026-11-29 10:00:00Z", "2026-W48-7T10:00:00Z", "2026-11-29T10:00Z",
                                "２０２６-11-29T10:00:00Z"]) | st.text(max_size=30))
def test_created_that_is_not_an_xsd_datetime_with_zone_is_refused(created: str) -> None:
    nonce = b"m" * 16
    token = _token(base64.b64encode(nonce).decode(), created, digest(nonce, created, SECRET))
    with pytest.raises(NotAllowed) as refused:
        usernametoken.verify(token, SECRET)
    assert refused.value.result.code in ("2002", "2004")


@settings(max_examples=200, deadline=None)
@given(password=st.text(min_size=1, max_size=40), nonce=st.binary(min_size=8, max_size=32))
def test_a_digest_made_with_any_other_password_is_refused(password: str, nonce: bytes) -> None:
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if password == SECRET:
        return
    token = _token(base64.b64encode(nonce).decode(), created, digest(nonce, created, password))
    with pytest.raises(NotAllowed) as refused:
        usernametoken.verify(token, SECRET)
    assert refused.value.result.code == "2002"
