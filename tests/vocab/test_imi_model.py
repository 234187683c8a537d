import pytest

from vocab.imi import Cardinality, load_vocabulary

HUB_CLASSES = [
    "概念型",
    "事物型",
    "実体型",
    "人型",
    "氏名型",
    "住所型",
    "連絡先型",
    "場所型",
    "座標型",
    "地物型",
    "施設型",
    "設備型",
    "イベント型",
    "状況型",
    "活動型",
    "日時型",
    "日付型",
    "期間型",
    "定期スケジュール型",
    "数量型",
    "コード型",
    "ID型",
    "ID体系型",
    "文書型",
    "範囲制約型",
    "サービス型",
    "組織型",
    "金額型",
    "コードリスト型",
    "期間スケジュール型",
]


@pytest.mark.parametrize("name", HUB_CLASSES)
def test_hub_classes_are_present(name: str) -> None:
    vocabulary = load_vocabulary()
    assert vocabulary.is_class(name)
    assert name in vocabulary.meta["hub_uses"]


@pytest.mark.parametrize(
    ("child", "parent"),
    [
        ("人型", "実体型"),
        ("組織型", "実体型"),
        ("法人型", "組織型"),
        ("施設型", "地物型"),
        ("地物型", "場所型"),
        ("駐車場型", "施設型"),
        ("期間型", "期間スケジュール型"),
        ("定期スケジュール型", "期間スケジュール型"),
        ("範囲制約型", "制約型"),
        ("住所型", "事物型"),
        ("事物型", "概念型"),
    ],
)
def test_hierarchy(child: str, parent: str) -> None:
    vocabulary = load_vocabulary()
    assert vocabulary.is_subclass(child, parent)
    assert not vocabulary.is_subclass(parent, child)


def test_inherited_properties() -> None:
    properties = load_vocabulary().properties_of("人型")
    for inherited in ("種別", "種別コード", "メタデータ", "ID", "表記", "参照", "画像", "説明", "記述"):
        assert inherited in properties
    assert properties["氏名"] == Cardinality(0, None)
    assert properties["生年月日"] == Cardinality(0, 1)


def test_nearest_definition_wins() -> None:
    vocabulary = load_vocabulary()
    assert str(vocabulary.properties_of("期間型")["説明"]) == "{0..1}"
    assert str(vocabulary.properties_of("住所型")["説明"]) == "{0..n}"


@pytest.mark.parametrize(
    ("prop", "target"),
    [
        ("氏名", "氏名型"),
        ("住所", "住所型"),
        ("生年月日", "日付型"),
        ("標準型日付", "xsd:date"),
        ("緯度", "xsd:string"),
        ("数値", "xsd:decimal"),
        ("メタデータ", "文書型"),
        ("開始時間", "xsd:time"),
        ("電話番号", "電話番号型"),
    ],
)
def test_ranges(prop: str, target: str) -> None:
    assert load_vocabulary().range_of(prop) == target


def test_prefixed_names_resolve() -> None:
    vocabulary = load_vocabulary()
    assert vocabulary.is_class("ic:人型")
    assert vocabulary.is_class("http://imi.go.jp/ns/core/rdf#人型")
    assert not vocabulary.is_class("観測型")


@pytest.mark.parametrize(
    ("cls", "prop", "cardinality"),
    [
        ("住所型", "郵便番号", "{0..1}"),
        ("住所型", "住所コード", "{0..n}"),
        ("人型", "本籍", "{0..1}"),
        ("人型", "国籍", "{0..n}"),
        ("状況型", "説明", "{0..1}"),
        ("設備型", "名称", "{0..1}"),
        ("連絡先型", "電話番号", "{0..n}"),
    ],
)
def test_cardinalities_from_imiv(cls: str, prop: str, cardinality: str) -> None:
    assert str(load_vocabulary().properties_of(cls)[prop]) == cardinality
