"""文字 handling for municipal data: kana width, vendor 外字, 縮退 to JIS X 0208, search keys.

Modules: ``kana`` (width, カナ fields), ``gaiji`` (PUA → MJ/UCS/IVS through the town's table),
``shrink`` (縮退 with the scheme recorded), ``match`` (異体字-tolerant keys).

Nothing here rewrites a registered name: every function returns a new string or a result
object, and the exact original stays with the caller (STANDARDS §1, name rule).

Exceptions::

    ValueError
    ├── GaijiTableError
    └── UnmappedGaijiError
"""

from vocab.moji.gaiji import (
    GaijiEntry,
    GaijiTable,
    GaijiTableError,
    UnmappedGaijiError,
    is_private_use,
    load_gaiji_table,
    resolve_gaiji,
)
from vocab.moji.kana import invalid_kana_positions, is_kana_field, to_fullwidth_kana, to_halfwidth_ascii
from vocab.moji.match import match_key, match_prefix, matches
from vocab.moji.shrink import DEFAULT_ORDER, ShrinkResult, ShrinkScheme, Substitution, fits_jisx0208, shrink

__all__ = [
    "DEFAULT_ORDER",
    "GaijiEntry",
    "GaijiTable",
    "GaijiTableError",
    "ShrinkResult",
    "ShrinkScheme",
    "Substitution",
    "UnmappedGaijiError",
    "fits_jisx0208",
    "invalid_kana_positions",
    "is_kana_field",
    "is_private_use",
    "load_gaiji_table",
    "match_key",
    "match_prefix",
    "matches",
    "resolve_gaiji",
    "shrink",
    "to_fullwidth_kana",
    "to_halfwidth_ascii",
]
