"""Masking follows the classification policy; latency percentiles are nearest-rank values."""

from __future__ import annotations

import json

from adapters.inbound.console import masking, stats
from simulators.samples import SampleTown, header
from tests.support import raw_soap


def test_only_public_fields_survive_masking_in_json_and_xml() -> None:
    ido = SampleTown(seed=3).tennyu()
    person = ido["jumin"]
    secrets_ = [person["shimei"]["shimei"], person["shikibetsu"]["kojinBango"], person["shikibetsu"]["atenaNo"]]
    meta = header("juki") | {"subjectKey": person["shikibetsu"]["atenaNo"]}
    as_json = json.dumps({"meta": meta, "ido": ido}, ensure_ascii=False).encode()
    as_xml = raw_soap(meta, "{urn:chipla:ns:jumin:1}IdoTsuchiRequest", {"ido": ido}, "juki", "secret-password")
    for original in (as_json, as_xml):
        shown = masking.pretty(original, "", "jumin", masked=True)
        assert shown is not None and "243035" in shown and masking.MASK in shown
        assert [v for v in secrets_ if v in shown] == []
        unmasked = masking.pretty(original, "", "jumin", masked=False)
        assert unmasked is not None and all(v in unmasked for v in secrets_)
    assert "secret-password" not in as_xml.decode()  # the digest, not the password, is on the wire
    assert masking.pretty(b"<not xml", "", "jumin", masked=True) is None
    assert masking.pretty(b"<not xml", "", "jumin", masked=False) == "<not xml"


def test_mapped_forms_keep_only_json_ld_keywords() -> None:
    out = masking.mask_mapped({"@type": "人型", "氏名": {"@type": "氏名型", "姓名": "木曽 太郎"}, "年齢": 40})
    assert out == {"@type": "人型", "氏名": {"@type": "氏名型", "姓名": masking.MASK}, "年齢": masking.MASK}


def test_fingerprint_tells_subjects_apart_without_showing_them() -> None:
    a, b = masking.fingerprint("k" * 32, "100000001"), masking.fingerprint("k" * 32, "100000002")
    assert a != b and len(a) == 8 and "100000001" not in a
    assert masking.fingerprint("x" * 32, "100000001") != a  # keyed: not a lookup table of all numbers


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert stats.percentiles(values) == {"n": 100, "p50": 50.0, "p90": 90.0, "p99": 99.0}
    assert stats.percentiles([7.0]) == {"n": 1, "p50": 7.0, "p90": 7.0, "p99": 7.0}
    assert stats.percentiles([]) == {"n": 0}
