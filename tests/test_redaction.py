"""Redaction on any shape of record: no value of a class the destination may not receive survives,
whether it sits in a record, in a list of records or in a list of plain values, and the original
is never changed."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from broker.classification import CLASSES, FieldClasses

KEYS = st.sampled_from(["jumin", "shikibetsu", "kojinBango", "shimei", "renraku", "x"])
plain = st.one_of(st.text(max_size=5), st.integers(), st.booleans(), st.none())
records = st.recursive(
    st.dictionaries(KEYS, plain, max_size=4),
    lambda inner: st.one_of(st.dictionaries(KEYS, st.one_of(plain, inner, st.lists(inner, max_size=3),
                                                            st.lists(plain, min_size=1, max_size=3)),
                                            max_size=4),
                            st.lists(inner, max_size=3)),
    max_leaves=20,
).filter(lambda r: isinstance(r, dict))
paths = st.lists(KEYS, min_size=1, max_size=3).map(".".join)


def _leaves(node: Any, path: str = "") -> list[tuple[str, Any]]:
    """(dotted path, value) of every plain value; a list's items share the list's path."""
    if isinstance(node, dict):
        return [leaf for k, v in node.items() for leaf in _leaves(v, f"{path}.{k}" if path else k)]
    if isinstance(node, list):
        return [leaf for item in node for leaf in _leaves(item, path)]
    return [(path, node)]


@settings(max_examples=300, deadline=None)
@given(records, st.dictionaries(paths, st.sampled_from(CLASSES), max_size=4),
       st.frozensets(st.sampled_from(CLASSES)))
def test_no_value_of_a_withheld_class_survives(body: dict[str, Any], table: dict[str, str],
                                              allowed: frozenset[str]) -> None:
    classes = FieldClasses(table)
    before = copy.deepcopy(body)
    redacted, removed = classes.redact(body, allowed)
    assert body == before  # the stored original is never touched
    for path, _ in _leaves(redacted):
        assert classes.class_of(path) in allowed, (path, redacted)
    for path, _ in _leaves(before):  # what was dropped is named
        if classes.class_of(path) not in allowed:
            assert any(path == r or path.startswith(r + ".") for r in removed), (path, removed)


def test_a_list_of_plain_values_is_withheld_by_its_class() -> None:
    classes = FieldClasses({"shikibetsu.kojinBango": "specific"})
    body = {"jumin": {"shikibetsu": {"atenaNo": "100000001", "kojinBango": ["123456789012", "210987654321"]}}}
    redacted, removed = classes.redact(body, frozenset({"public", "personal"}))
    assert redacted == {"jumin": {"shikibetsu": {"atenaNo": "100000001"}}}
    assert removed == ["jumin.shikibetsu.kojinBango"]
    kept, none = classes.redact(body, frozenset(CLASSES))
    assert kept == body and none == []
