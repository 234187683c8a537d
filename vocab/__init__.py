"""chipla's common vocabulary: the innermost layer, importing nothing else of the project.

Modules, one idea each:

- ``vocab.lgcode``     団体コード check digit, 5 ↔ 6 digits
- ``vocab.codelists``  code lists (性別, 続柄, 異動事由, 年号, 介護) from CSV data
- ``vocab.kansuji``    漢数字 → integers
- ``vocab.eras``       the 元号 table and its boundaries
- ``vocab.wareki``     和暦 / 西暦 text → ISO 8601 and back, legacy GYYMMDD fields
- ``vocab.moji``       文字: kana width, 外字 resolution, 縮退 to JIS X 0208, 異体字-tolerant match keys
- ``vocab.address``    address normalisation (都道府県 / 市区町村 / 大字 / 番地 / 方書, 町字ID)
- ``vocab.imi``        IMI core vocabulary 2.4.1 as data, local JSON-LD context, validator

Every function returns new values; none rewrites a registered name in place.
"""
