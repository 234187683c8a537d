"""Open-data row mappings: the 自治体標準オープンデータセット templates (headers by position, required
columns, value types) and the mapping of a town's rows onto them."""
