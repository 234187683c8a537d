"""The pinned 業務 lists that are the KPI denominators (STANDARDS.md §2.5, §2.8).

APPLIC's own unit list (annex 業務1-3) is not public; the 26 below are the digest's reconstruction,
counting 児童扶養手当 (marked "?" there) so that the list has the 26 units the white paper reports.
Changing either list changes every KPI ever reported, so the lists carry a version.
"""

from __future__ import annotations

APPLIC_VERSION = "applic-26-2016"
ACT_VERSION = "act-20-2021"

APPLIC_26: tuple[str, ...] = (
    "住民基本台帳", "印鑑登録", "選挙人名簿管理", "外国人登録", "住登外管理",
    "個人住民税", "法人住民税", "固定資産税", "軽自動車税", "収滞納管理",
    "国民健康保険", "国民年金", "介護保険", "後期高齢者医療",
    "児童手当", "生活保護", "障害者福祉", "健康管理", "就学", "児童扶養手当", "子ども・子育て支援",
    "乳幼児医療", "ひとり親医療", "財務会計", "人事給与", "文書管理",
)

ACT_20: tuple[str, ...] = (
    "住民基本台帳", "印鑑登録", "選挙人名簿管理", "戸籍", "戸籍の附票",
    "個人住民税", "法人住民税", "固定資産税", "軽自動車税",
    "国民健康保険", "国民年金", "介護保険", "後期高齢者医療",
    "児童手当", "生活保護", "障害者福祉", "健康管理", "就学", "児童扶養手当", "子ども・子育て支援",
)

STANDARDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "applic": (APPLIC_VERSION, APPLIC_26),
    "act": (ACT_VERSION, ACT_20),
}

assert len(APPLIC_26) == 26 and len(set(APPLIC_26)) == 26
assert len(ACT_20) == 20 and len(set(ACT_20)) == 20
