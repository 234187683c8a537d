"""YAML read with its line numbers, so that a mistake in a file people edit is reported as
``file:line: what is wrong`` rather than as a Python traceback.

:class:`Located` wraps one node of a composed YAML document; accessors check the shape and raise
:class:`DataFileError` naming the file and line of the offending node.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import yaml

__all__ = ["DataFileError", "Located", "load_located"]


class DataFileError(ValueError):
    """A mistake in a data file; ``str()`` is ``file:line: message``."""

    def __init__(self, file: str, line: int, message: str) -> None:
        super().__init__(f"{file}:{line}: {message}")
        self.file, self.line, self.message = file, line, message


class Located:
    def __init__(self, node: yaml.Node, file: str) -> None:
        self.node, self.file = node, file

    @property
    def line(self) -> int:
        return self.node.start_mark.line + 1

    def fail(self, message: str) -> DataFileError:
        return DataFileError(self.file, self.line, message)

    def _mapping(self) -> list[tuple[yaml.Node, yaml.Node]]:
        if not isinstance(self.node, yaml.MappingNode):
            raise self.fail("ここには「名前: 値」の組が必要です")
        return list(self.node.value)

    def keys(self) -> list[str]:
        return [str(k.value) for k, _ in self._mapping()]

    def get(self, key: str) -> Located | None:
        for k, v in self._mapping():
            if k.value == key:
                return Located(v, self.file)
        return None

    def __getitem__(self, key: str) -> Located:
        found = self.get(key)
        if found is None:
            raise self.fail(f"「{key}」がありません")
        return found

    def items(self) -> Iterator[tuple[str, Located]]:
        for k, v in self._mapping():
            yield str(k.value), Located(v, self.file)

    def only(self, *allowed: str) -> None:
        for k, _ in self._mapping():
            if k.value not in allowed:
                raise DataFileError(self.file, k.start_mark.line + 1,
                                    f"「{k.value}」は使えません (使えるのは {', '.join(allowed)})")

    def list(self) -> list[Located]:
        if not isinstance(self.node, yaml.SequenceNode):
            raise self.fail("ここには一覧 (- で始まる行、または [a, b]) が必要です")
        return [Located(v, self.file) for v in self.node.value]

    def text(self) -> str:
        if not isinstance(self.node, yaml.ScalarNode):
            raise self.fail("ここには文字列が必要です")
        return str(self.node.value)

    def integer(self) -> int:
        value = self.text()
        if not value.lstrip("-").isdigit():
            raise self.fail(f"{value!r} は整数ではありません")
        return int(value)

    def number(self) -> float:
        try:
            return float(self.text())
        except ValueError:
            raise self.fail(f"{self.text()!r} は数値ではありません") from None

    def date(self) -> dt.date:
        try:
            return dt.date.fromisoformat(self.text())
        except ValueError:
            raise self.fail(f"{self.text()!r} は YYYY-MM-DD の日付ではありません") from None


def load_located(path: Path, name: str | None = None) -> Located:
    """Compose a YAML file (no tags executed) into a :class:`Located` root."""
    label = name or str(path)
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except UnicodeDecodeError as exc:
        raise DataFileError(label, 1, f"UTF-8 ではありません ({exc.reason})") from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise DataFileError(label, mark.line + 1 if mark else 1, f"YAML として読めません: {exc.problem}") from exc
    if node is None:
        raise DataFileError(label, 1, "空のファイルです")
    _no_aliases(node, label)
    return Located(node, label)


def _no_aliases(root: yaml.Node, label: str) -> None:
    """Refuse anchors and aliases: a town's data needs none, and a nest of aliases (the YAML form of
    an entity-expansion bomb) would make every walk over the tree explode."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise DataFileError(label, node.start_mark.line + 1, "アンカーとエイリアス (& と *) は使えません")
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(v for pair in node.value for v in pair)
