"""縮退: degrade text to what a JIS X 0208 (Shift_JIS) system can store, recording how.

Many receiving systems (税, 国保, banks, printers) hold only JIS X 0208 (plus ASCII and
half-width kana, JIS X 0201). Characters beyond it — 髙, 﨑, 𠮷, IVS glyphs — must be replaced by
a stand-in, and the MJ縮退マップ offers several schemes that can disagree for the same
character. Each replaced character therefore records the scheme that produced it, so a degraded
value can always be explained and the exact original kept beside it (STANDARDS §5, Design).

Order tried for each character (first one giving a JIS X 0208 character wins):

1. a variation selector is dropped when the base character already fits (UCS unification);
2. the MJ縮退マップ schemes through ``jntajis.mj_shrink_candidates``, in ``DEFAULT_ORDER``;
3. the 国税庁 JIS縮退マップ through ``jntajis.jnta_shrink_translit``;
4. otherwise the geta mark ``〓`` and no scheme: the result is then not ``complete``.

The original text is never modified; ``shrink`` returns a new ``ShrinkResult``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import jntajis

__all__ = ["DEFAULT_ORDER", "ShrinkResult", "ShrinkScheme", "Substitution", "fits_jisx0208", "shrink"]


class ShrinkScheme(enum.Enum):
    """Where a replacement came from; values are the names used by the MJ縮退マップ and 国税庁."""

    JIS_INCORPORATION_UCS_UNIFICATION = "JIS包摂規準・UCS統合規則"
    MOJ_NOTICE_582 = "法務省告示582号別表第四"
    MOJ_FAMILY_REGISTER_NOTICE = "法務省戸籍法関連通達・通知"
    INFERENCE_BY_READING_AND_GLYPH = "読み・字形による類推"
    NTA_JIS_SHRINK_MAP = "国税庁JIS縮退マップ"


_Combo = jntajis.MJShrinkSchemeCombo
_COMBO = {
    ShrinkScheme.JIS_INCORPORATION_UCS_UNIFICATION: _Combo.JIS_INCORPORATION_UCS_UNIFICATION_RULE,
    ShrinkScheme.MOJ_NOTICE_582: _Combo.MOJ_NOTICE_582,
    ShrinkScheme.MOJ_FAMILY_REGISTER_NOTICE: _Combo.MOJ_FAMILY_REGISTER_ACT_RELATED_NOTICE,
    ShrinkScheme.INFERENCE_BY_READING_AND_GLYPH: _Combo.INFERENCE_BY_READING_AND_GLYPH,
}

DEFAULT_ORDER: tuple[ShrinkScheme, ...] = (
    ShrinkScheme.JIS_INCORPORATION_UCS_UNIFICATION,
    ShrinkScheme.MOJ_NOTICE_582,
    ShrinkScheme.MOJ_FAMILY_REGISTER_NOTICE,
    ShrinkScheme.INFERENCE_BY_READING_AND_GLYPH,
)
"""MJ schemes from the most to the least faithful; the 国税庁 map is always tried after them."""

GETA = "〓"
_NOT_MAPPED = "\ufffe"


@dataclass(frozen=True)
class Substitution:
    """One replaced character: where, what, by what, and by which scheme (None = not convertible)."""

    position: int
    original: str
    replacement: str
    scheme: ShrinkScheme | None


@dataclass(frozen=True)
class ShrinkResult:
    """Degraded text plus the record of every replacement made to get it."""

    text: str
    source: str
    substitutions: tuple[Substitution, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.substitutions)

    @property
    def complete(self) -> bool:
        """False when some character had no stand-in and was replaced by ``〓``."""
        return all(sub.scheme is not None for sub in self.substitutions)

    @property
    def schemes(self) -> tuple[ShrinkScheme, ...]:
        """Schemes used, each once, in the order first used."""
        seen: list[ShrinkScheme] = []
        for sub in self.substitutions:
            if sub.scheme is not None and sub.scheme not in seen:
                seen.append(sub.scheme)
        return tuple(seen)

    @property
    def scheme(self) -> ShrinkScheme | None:
        """The least faithful scheme used (it bounds how far the text moved), or None if unchanged."""
        ranking = [*DEFAULT_ORDER, ShrinkScheme.NTA_JIS_SHRINK_MAP]
        used = self.schemes
        return max(used, key=ranking.index) if used else None


def _is_variation_selector(char: str) -> bool:
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def fits_jisx0208(text: str) -> bool:
    """True when every character is ASCII, half-width kana (JIS X 0201) or in JIS X 0208."""
    for char in text:
        code = ord(char)
        if code < 0x80 or 0xFF61 <= code <= 0xFF9F:
            continue
        try:
            jntajis.jnta_encode("jis", char, jntajis.ConversionMode.JISX0208)
        except UnicodeEncodeError:
            return False
    return True


def _units(text: str) -> Iterator[tuple[int, str]]:
    """Split into (position, base + variation selectors)."""
    index = 0
    while index < len(text):
        end = index + 1
        while end < len(text) and _is_variation_selector(text[end]):
            end += 1
        yield index, text[index:end]
        index = end


def _stand_in(unit: str, order: Sequence[ShrinkScheme]) -> tuple[str, ShrinkScheme | None]:
    base = unit[0]
    if len(unit) > 1 and fits_jisx0208(base):
        return base, ShrinkScheme.JIS_INCORPORATION_UCS_UNIFICATION
    for scheme in order:
        for candidate in jntajis.mj_shrink_candidates(base, int(_COMBO[scheme])):
            if candidate != base and fits_jisx0208(candidate):
                return candidate, scheme
    translit = jntajis.jnta_shrink_translit(base, replacement=_NOT_MAPPED)
    if translit and _NOT_MAPPED not in translit and fits_jisx0208(translit):
        return translit, ShrinkScheme.NTA_JIS_SHRINK_MAP
    return GETA, None


def shrink(text: str, order: Sequence[ShrinkScheme] = DEFAULT_ORDER) -> ShrinkResult:
    """Degrade ``text`` to JIS X 0208, returning the new text and every substitution made.

    ``order`` chooses which MJ縮退マップ schemes are tried and in which order (for example a
    戸籍-related receiver may want ``MOJ_FAMILY_REGISTER_NOTICE`` first).
    """
    unknown = [scheme for scheme in order if scheme not in _COMBO]
    if unknown:
        raise ValueError(f"not an MJ縮退マップ scheme: {unknown}")
    pieces: list[str] = []
    substitutions: list[Substitution] = []
    for position, unit in _units(text):
        if fits_jisx0208(unit):
            pieces.append(unit)
            continue
        replacement, scheme = _stand_in(unit, order)
        pieces.append(replacement)
        substitutions.append(Substitution(position, unit, replacement, scheme))
    return ShrinkResult("".join(pieces), text, tuple(substitutions))
