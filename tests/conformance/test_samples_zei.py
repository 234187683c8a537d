"""The kit's 特別徴収 samples obey the hub's own 月割 rule, so a refusal the kit expects for another
reason (a reused messageId: 1009) can never arrive as an amount refusal (1013) instead."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from broker.services.zei import getsugaku, seihon
from conformance.samples_zei import fresh_notice, with_other_annual, zeigaku_tsuchi


def as_data(request: etree._Element) -> dict:  # type: ignore[type-arg]
    decoded = seihon.schema().to_dict(etree.tostring(request).decode("utf-8"), strip_namespaces=True)
    assert isinstance(decoded, dict)
    return dict(decoded["tsuchi"])


@given(st.integers(min_value=0, max_value=2**32))
def test_a_fresh_notice_and_its_changed_resend_both_pass_the_amount_rules(seed: int) -> None:
    notice = fresh_notice("243035", rng=random.Random(seed))
    changed = with_other_annual(notice)
    original, resent = as_data(zeigaku_tsuchi(notice)), as_data(zeigaku_tsuchi(changed))
    getsugaku.check(original)
    getsugaku.check(resent)
    assert resent["nozeiGimusha"][0]["nenzeigaku"] != original["nozeiGimusha"][0]["nenzeigaku"]
    assert resent["nozeiGimusha"][1:] == original["nozeiGimusha"][1:]
