import pytest

from vocab.moji.shrink import DEFAULT_ORDER, ShrinkScheme, fits_jisx0208, shrink


@pytest.mark.parametrize(
    ("text", "degraded", "scheme"),
    [
        ("髙島屋", "高島屋", ShrinkScheme.JIS_INCORPORATION_UCS_UNIFICATION),
        ("𠮷野家", "吉野家", ShrinkScheme.JIS_INCORPORATION_UCS_UNIFICATION),
        ("山﨑", "山崎", ShrinkScheme.MOJ_FAMILY_REGISTER_NOTICE),
        ("麴町", "麹町", ShrinkScheme.NTA_JIS_SHRINK_MAP),
        ("葛\U000e0100城", "葛城", ShrinkScheme.JIS_INCORPORATION_UCS_UNIFICATION),
    ],
)
def test_shrink_records_the_scheme(text: str, degraded: str, scheme: ShrinkScheme) -> None:
    result = shrink(text)
    assert result.text == degraded
    assert result.source == text
    assert result.scheme is scheme
    assert result.changed and result.complete
    assert fits_jisx0208(result.text)


def test_substitution_details() -> None:
    result = shrink("髙橋﨑子")
    assert [(s.position, s.original, s.replacement) for s in result.substitutions] == [
        (0, "髙", "高"),
        (2, "﨑", "崎"),
    ]
    assert result.schemes == (
        ShrinkScheme.JIS_INCORPORATION_UCS_UNIFICATION,
        ShrinkScheme.MOJ_FAMILY_REGISTER_NOTICE,
    )
    # The overall scheme is the least faithful one used.
    assert result.scheme is ShrinkScheme.MOJ_FAMILY_REGISTER_NOTICE


@pytest.mark.parametrize("text", ["木曽岬町", "木曾岬町", "渡邉", "ABC 123", "ｷｿｻｷ", "キソサキ", ""])
def test_jis_text_is_unchanged(text: str) -> None:
    result = shrink(text)
    assert result.text == text
    assert not result.changed
    assert result.scheme is None


def test_unconvertible_character_gets_geta_and_is_not_complete() -> None:
    result = shrink("𩸽定食")
    assert result.text == "〓定食"
    assert not result.complete
    assert result.substitutions[0].scheme is None


def test_private_use_is_not_guessed() -> None:
    result = shrink("\ue001")
    assert result.text == "〓" and not result.complete


def test_scheme_order_can_be_chosen() -> None:
    only_582 = shrink("﨑", order=(ShrinkScheme.MOJ_NOTICE_582,))
    assert only_582.scheme is not ShrinkScheme.MOJ_FAMILY_REGISTER_NOTICE
    assert shrink("﨑", order=DEFAULT_ORDER).scheme is ShrinkScheme.MOJ_FAMILY_REGISTER_NOTICE
    with pytest.raises(ValueError, match="not an MJ縮退マップ scheme"):
        shrink("髙", order=(ShrinkScheme.NTA_JIS_SHRINK_MAP,))


def test_original_is_not_rewritten() -> None:
    name = "髙橋"
    shrink(name)
    assert name == "髙橋"


def test_fits_jisx0208() -> None:
    assert fits_jisx0208("木曽岬町 ABC ｱｲｳ")
    assert not fits_jisx0208("髙")
    assert not fits_jisx0208("①")
