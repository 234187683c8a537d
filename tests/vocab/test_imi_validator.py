from typing import Any

import pytest

from vocab.imi import CANONICAL_CONTEXT_URL, Severity, is_valid, validate


def person() -> dict[str, Any]:
    return {
        "@context": CANONICAL_CONTEXT_URL,
        "@type": "人型",
        "種別": "住民",
        "ID": {"@type": "ID型", "識別値": "000000123456"},
        "氏名": [{"@type": "氏名型", "姓名": "木曽 太郎", "姓名カナ表記": "キソ タロウ"}],
        "性別": "男",
        "性別コード": {"@type": "コード型", "識別値": "1"},
        "生年月日": {"@type": "日付型", "標準型日付": "1980-04-01", "表記": "昭和55年4月1日"},
        "住所": [
            {
                "@type": "住所型",
                "表記": "三重県桑名郡木曽岬町大字西対海地251",
                "郵便番号": "4980807",
                "都道府県": "三重県",
                "市区町村": "木曽岬町",
                "町名": "西対海地",
                "番地": "251",
                "住所コード": [{"@type": "コード型", "識別値": "243035"}],
            }
        ],
        "連絡先": [{"@type": "連絡先型", "電話番号": "0567-68-1611"}],
        "メタデータ": {"@type": "文書型", "説明": "sample"},
    }


def errors(doc: Any) -> list[str]:
    return [f"{issue.path}: {issue.message}" for issue in validate(doc) if issue.severity is Severity.ERROR]


def test_good_person_is_valid() -> None:
    assert validate(person()) == []
    assert is_valid(person())


def test_good_facility_with_subclass_values() -> None:
    doc = {
        "@context": [CANONICAL_CONTEXT_URL, "https://chipla.example/ns/hub.jsonld"],
        "@type": "施設型",
        "名称": {"@type": "名称型", "表記": "木曽岬町役場", "カナ表記": "キソサキチョウヤクバ"},
        "住所": {"@type": "住所型", "郵便番号": "4980807"},
        "地理座標": {"@type": "座標型", "緯度": "35.0513", "経度": "136.7835"},
        "利用可能時間": [
            {"@type": "定期スケジュール型", "開催期日": "月", "開始時間": "08:30:00", "終了時間": "17:15:00"}
        ],
        "収容人数": {"@type": "数量型", "数値": 120, "単位表記": "人"},
        "関与": [
            {"@type": "関与型", "役割": "管理者", "関与者": {"@type": "法人型", "名称": {"表記": "木曽岬町"}}}
        ],
    }
    assert errors(doc) == []


def test_graph_documents() -> None:
    doc = {"@context": CANONICAL_CONTEXT_URL, "@graph": [person(), {"@type": "活動型", "名称": "x"}]}
    assert errors(doc) == ["$.@graph[1].名称: 名称: a literal 'x' where an object of 名称型 is expected"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update({"@type": "住民型"}), "$.@type: unknown class '住民型'"),
        (lambda d: d.pop("@type"), "$: missing @type"),
        (lambda d: d.update({"身長cm": 170}), "$.身長cm: unknown property '身長cm' for 人型"),
        (
            lambda d: d.update({"郵便番号": "4980807"}),
            "$.郵便番号: property 郵便番号 is not defined for 人型",
        ),
        (
            lambda d: d.update({"住所": [{"@type": "人型"}]}),
            "$.住所[0].@type: 人型 is not 住所型 or a subclass of it",
        ),
        (
            lambda d: d.update({"氏名": "木曽 太郎"}),
            "$.氏名: 氏名: a literal '木曽 太郎' where an object of 氏名型 is expected",
        ),
        (
            lambda d: d.update({"性別": {"@type": "コード型", "識別値": "1"}}),
            "$.性別: an object where a literal (xsd:string) is expected",
        ),
        (
            lambda d: d["生年月日"].update({"標準型日付": "昭和55年4月1日"}),
            "$.生年月日.標準型日付: 標準型日付: expected an xsd:date (YYYY-MM-DD), got '昭和55年4月1日'",
        ),
        (
            lambda d: d["生年月日"].update({"標準型日付": "1980-02-30"}),
            "$.生年月日.標準型日付: 標準型日付: '1980-02-30' is not a real calendar date",
        ),
        (
            lambda d: d["住所"][0].update({"郵便番号": "498-0807"}),
            "$.住所[0].郵便番号: 郵便番号: '498-0807' does not match ^[0-9]{7}$",
        ),
        (
            lambda d: d.update({"生年月日": [{"@type": "日付型", "標準型日付": "1980-04-01"}]}),
            "$.生年月日: 生年月日 takes at most one value {0..1}, got a list",
        ),
        (
            lambda d: d["連絡先"][0].update({"電話番号": "0567-68-1611 (代表)"}),
            "$.連絡先[0].電話番号: 電話番号: expected a telephone number of 0-9 + - ( ) , only, "
            "got '0567-68-1611 (代表)'",
        ),
        (
            lambda d: d["住所"][0]["住所コード"].append("243035"),
            "$.住所[0].住所コード[1]: 住所コード: a literal '243035' where an object of コード型 is expected",
        ),
    ],
)
def test_bad_documents(change: Any, expected: str) -> None:
    doc = person()
    change(doc)
    assert errors(doc) == [expected]
    assert not is_valid(doc)


@pytest.mark.parametrize(
    ("context", "ok"),
    [
        (CANONICAL_CONTEXT_URL, True),
        ([CANONICAL_CONTEXT_URL, "https://chipla.example/ns/hub.jsonld"], True),
        ([CANONICAL_CONTEXT_URL, {"hub": "https://chipla.example/ns#"}], True),
        ("https://example.org/other.jsonld", False),
        (["https://chipla.example/ns/hub.jsonld"], False),
        ({"@vocab": "http://imi.go.jp/ns/core/rdf#"}, False),
        (None, False),
        ([CANONICAL_CONTEXT_URL, 42], False),
    ],
)
def test_context_forms(context: Any, ok: bool) -> None:
    doc = person()
    if context is None:
        doc.pop("@context")
    else:
        doc["@context"] = context
    assert is_valid(doc) is ok


def test_extension_terms_are_reported_not_rejected() -> None:
    doc = person()
    doc["@context"] = [CANONICAL_CONTEXT_URL, {"atena_no": "https://chipla.example/ns#atena_no"}]
    doc["atena_no"] = "000123"
    issues = validate(doc)
    assert [issue.severity for issue in issues] == [Severity.INFO]
    assert issues[0].path == "$.atena_no"

    plain = person()
    plain["atena_no"] = "000123"
    assert not is_valid(plain)
    assert is_valid(plain, extension_terms={"atena_no"})


def test_compact_iri_needs_an_extension_context() -> None:
    doc = person()
    doc["hub:setai_no"] = "42"
    assert not is_valid(doc)
    doc["@context"] = [CANONICAL_CONTEXT_URL, "https://chipla.example/ns/hub.jsonld"]
    assert is_valid(doc)


def test_warnings_do_not_invalidate() -> None:
    doc = person()
    doc["性別"] = 1
    issues = validate(doc)
    assert [issue.severity for issue in issues] == [Severity.WARNING]
    assert is_valid(doc)


def test_value_objects_and_node_references() -> None:
    doc = person()
    doc["氏名"][0]["姓名"] = {"@value": "Taro Kiso", "@language": "en"}
    doc["本籍"] = {"@id": "urn:example:honseki:1"}
    assert is_valid(doc)
    doc["生年月日"]["標準型日付"] = {"@value": "1980-13-01"}
    assert not is_valid(doc)


def test_reference_may_be_an_iri() -> None:
    doc = person()
    doc["参照"] = ["https://www.town.kisosaki.lg.jp/"]
    assert is_valid(doc)
    doc["参照"] = ["役場のサイト"]
    assert not is_valid(doc)


def test_not_an_object() -> None:
    assert not is_valid([person()])
    assert validate("x")[0].severity is Severity.ERROR


def test_nothing_is_fetched(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the validator tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    doc = person()
    doc["@context"] = [CANONICAL_CONTEXT_URL, "https://chipla.example/ns/hub.jsonld"]
    assert is_valid(doc)
