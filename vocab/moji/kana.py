"""Kana width and カナ-field checks.

Legacy files (Shift_JIS, fixed-width) often carry half-width katakana (JIS X 0201), where a
voiced sound is two characters: ``ｶﾞ`` = ``ｶ`` + ``ﾞ``. ``to_fullwidth_kana`` joins such pairs into
one full-width character (``ガ``), which is how standard systems store カナ. A sound mark that
cannot be joined (``ﾞ`` after a non-kana) becomes the spacing mark ``゛`` rather than a combining
character that would silently attach to its neighbour.

All functions return new strings; the input is never altered.
"""

from __future__ import annotations

import unicodedata

__all__ = ["invalid_kana_positions", "is_kana_field", "to_fullwidth_kana", "to_halfwidth_ascii"]

_HALF_START, _HALF_END = 0xFF61, 0xFF9F
_HALF_VOICED, _HALF_SEMI_VOICED = "\uff9e", "\uff9f"
_COMBINING = {_HALF_VOICED: "\u3099", _HALF_SEMI_VOICED: "\u309a"}
_SPACING = {_HALF_VOICED: "\u309b", _HALF_SEMI_VOICED: "\u309c"}

#: ！ (U+FF01) … ～ (U+FF5E) → ! … ~, and the ideographic space → " "; one table, made once
_TO_HALFWIDTH_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

# Full-width katakana ァ..ヺ (U+30A1–U+30FA), 長音 ー, and the two spaces.
_KANA_FIELD_EXTRA = frozenset("ー\u3000 ")


def _is_half_kana(char: str) -> bool:
    return _HALF_START <= ord(char) <= _HALF_END


def to_fullwidth_kana(text: str) -> str:
    """Half-width katakana and punctuation → full-width, joining ``ｶﾞ`` → ``ガ``, ``ﾊﾟ`` → ``パ``."""
    out: list[str] = []
    for char in text:
        if not _is_half_kana(char):
            out.append(char)
            continue
        if char in _COMBINING:
            if out:
                joined = unicodedata.normalize("NFC", out[-1] + _COMBINING[char])
                if len(joined) == 1:
                    out[-1] = joined
                    continue
            out.append(_SPACING[char])
            continue
        out.append(unicodedata.normalize("NFKC", char))
    return "".join(out)


def to_halfwidth_ascii(text: str) -> str:
    """Full-width ASCII (``１２３ＡＢＣ－``) and the ideographic space → their ASCII forms."""
    if text.isascii():  # nothing to convert: both kinds of input character are outside ASCII
        return text
    return text.translate(_TO_HALFWIDTH_ASCII)


def invalid_kana_positions(text: str) -> list[tuple[int, str]]:
    """Positions and characters that a カナ field may not hold.

    Allowed: full-width katakana (ァ–ヺ, including ヴ ヵ ヶ), the 長音 ``ー`` and spaces (full- or
    half-width). Half-width kana are reported, not fixed: converting is the caller's decision
    (see ``to_fullwidth_kana``), because a validator that repairs hides bad upstream data.
    """
    return [
        (index, char)
        for index, char in enumerate(text)
        if not (0x30A1 <= ord(char) <= 0x30FA or char in _KANA_FIELD_EXTRA)
    ]


def is_kana_field(text: str) -> bool:
    """True when ``text`` holds only the characters a カナ field allows (empty text included)."""
    return not invalid_kana_positions(text)
