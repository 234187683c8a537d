"""The file door: legacy files (fixed width, 中間標準レイアウト CSV) read, mapped, stored, and sent.

``sources`` (files, layouts, encodings), ``pipeline`` (read → map → store in chunks → send),
``report`` (the error CSV), ``sending`` (records as notices through the shared intake).
"""
