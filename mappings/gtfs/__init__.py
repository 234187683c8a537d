"""GTFS-JP feeds: the file and field list as data (``gtfs_jp.yaml``), a reader that takes real feeds as
they are (BOM or not, CRLF, quoted fields, header-only and 0-byte files) and a validator that reports
every fault with file and line."""
