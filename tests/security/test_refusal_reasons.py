"""A refusal names the field and the rule, never the value: a malformed 個人番号 must not land in
the answer, in quarantine.reason (shown in the console) or in the audit chain (kept for ever)."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from sqlalchemy import select

import mappings
from broker.models import AuditEntry, Quarantine
from broker.reasons import scrub
from simulators.samples import SampleTown, header
from tests.mappings.test_chukan_csv import _legacy_row
from tests.support import RunningHub, raw_soap

BAD_BANGO = "98765432109"  # 11 digits: refused by the pattern, and must not be echoed anywhere


def _ido_with_bad_bango() -> dict:
    ido = SampleTown(seed=11).next_ido()
    ido["jumin"]["shikibetsu"]["kojinBango"] = BAD_BANGO
    return ido


def _kept_reasons(hub: RunningHub) -> tuple[list[str], list[str]]:
    with hub.parts.store.read() as s:
        reasons = list(s.execute(select(Quarantine.reason)).scalars())
        audit = [str(d) for d in s.execute(select(AuditEntry.detail)).scalars()]
    return reasons, audit


def test_soap_refusal_names_the_field_not_the_value(hub: RunningHub) -> None:
    data = raw_soap(header("juki"), "{urn:chipla:ns:jumin:1}IdoTsuchiRequest", {"ido": _ido_with_bad_bango()},
                    "juki", hub.juki_password)
    resp = httpx.post(f"{hub.url}/soap/jumin", content=data)
    root = etree.fromstring(resp.content)
    assert root.findtext(".//{urn:chipla:ns:common:1}code") == "1002"
    message = root.findtext(".//{urn:chipla:ns:common:1}message") or ""
    assert "kojinBango" in message and BAD_BANGO not in message
    reasons, audit = _kept_reasons(hub)
    assert reasons and all(BAD_BANGO not in r for r in reasons)
    assert any("kojinBango" in r for r in reasons)
    assert all(BAD_BANGO not in d for d in audit)
    with hub.parts.store.read() as s:  # the original itself stays in quarantine, for its sender to correct
        original = s.execute(select(Quarantine.original)).scalars().first()
    assert original is not None and BAD_BANGO.encode() in original


def test_rest_refusal_names_the_field_not_the_value(hub: RunningHub) -> None:
    resp = httpx.post(f"{hub.url}/api/v1/jumin/ido", headers={"X-API-Key": hub.juki_key},
                      json={"meta": header("juki"), "ido": _ido_with_bad_bango()})
    assert resp.status_code in (400, 422)
    assert BAD_BANGO not in resp.text and "kojinBango" in resp.text
    reasons, audit = _kept_reasons(hub)
    assert reasons and all(BAD_BANGO not in r for r in reasons)
    assert all(BAD_BANGO not in d for d in audit)


LIBXML_FORMS = [
    "Element '{urn:chipla:ns:jumin:1}kojinBango': [facet 'pattern'] The value '{v}' is not accepted by the "
    "pattern '[0-9]{12}'.",
    "Element '{urn:chipla:ns:jumin:1}kojinBango': [facet 'length'] The value '{v}' has a length of '3'; this "
    "differs from the allowed length of '12'.",
    "Element '{urn:chipla:ns:jumin:1}seibetsu': [facet 'enumeration'] The value '{v}' is not an element of the "
    "set {'1', '2', '9'}.",
    "Element '{urn:chipla:ns:jumin:1}birthDate': '{v}' is not a valid value of the atomic type 'xs:date'.",
    "{r} does not match '^[0-9]{12}$' - 'ido.jumin.shikibetsu.kojinBango'",
    "{r} is not a 'date'",
    "{r} is not one of ['1', '2', '9']",
    "{r} is too long",
]


@settings(max_examples=300, deadline=None)
@given(form=st.sampled_from(LIBXML_FORMS),
       value=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=4, max_size=30)
       .filter(lambda v: v.strip() != ""))
def test_scrub_removes_any_quoted_value(form: str, value: str) -> None:
    prefix = "スキーマ検証エラー: /path: " if form.startswith("Element") else ""
    if prefix:  # libxml2 quotes the value as it is
        assert scrub(prefix + form.replace("{v}", value)) == prefix + form.replace("{v}", "***")
    else:  # jsonschema writes its repr
        assert scrub(form.replace("{r}", repr(value))) == form.replace("{r}", "***")


@settings(max_examples=100, deadline=None)
@given(value=st.text(min_size=4, max_size=30).filter(lambda v: v.strip() != ""))
def test_scrub_masks_the_instance_block_of_a_full_jsonschema_error(value: str) -> None:
    def reason(quoted: str) -> str:
        return (f"{quoted} does not match '^[0-9]{{12}}$'\n\nFailed validating 'pattern' in schema:\n"
                f"    {{'pattern': '^[0-9]{{12}}$', 'type': 'string'}}\n\nOn instance['kojinBango']:\n    {quoted}")

    # exactly the two quotes of the value go; the schema's own text (which may spell the same word) stays
    assert scrub(reason(repr(value))) == reason("***")


@pytest.mark.parametrize("reason", ["'kojinBango' is a required property", "電文が空です",
                                    "Additional properties are not allowed ('x' was unexpected)"])
def test_scrub_keeps_reasons_that_quote_no_value(reason: str) -> None:
    assert scrub(reason) == reason


@pytest.mark.parametrize(("column", "value"), [("個人番号", "98765432109"), ("個人番号", "9876543210９X"),
                                               ("生年月日", "昭和99年13月45日"), ("生年月日", "S99.1.1"),
                                               ("生年月日", "9990101")])
def test_file_door_reasons_do_not_quote_personal_values(column: str, value: str) -> None:
    """The file door's reasons (quarantine and the console) name the column and the rule only."""
    mapped = mappings.registry().get("chukan-jumin-csv-import", 1).apply(_legacy_row(**{column: value}))
    assert not mapped.ok
    reasons = " ".join(e.reason for e in mapped.errors)
    assert value not in reasons and value[:6] not in reasons, reasons
