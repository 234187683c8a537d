"""YAML with line numbers.

A bad mapping stops the hub at start-up, and the operator needs to know which line to fix. PyYAML's
plain `safe_load` forgets where values came from, so we compose the node tree first, build the data
from it, and keep a side table from each value's position in the data to its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mappings.errors import MappingSpecError

Key = tuple[str | int, ...]


@dataclass
class MarkedDocument:
    """Parsed YAML data plus the 1-based line of every mapping key and sequence item."""

    file: str
    data: Any
    lines: dict[Key, int] = field(default_factory=dict)

    def line(self, *key: str | int) -> int | None:
        """Line of the value at `key`, falling back to its nearest enclosing value."""
        probe: Key = tuple(key)
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe[:-1]
        return self.lines.get((), None)

    def error(self, reason: str, *key: str | int) -> MappingSpecError:
        """A MappingSpecError that points at the value at `key`."""
        return MappingSpecError(self.file, self.line(*key), reason)


def _collect(node: yaml.Node, key: Key, lines: dict[Key, int]) -> None:
    lines[key] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            name = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            _collect(value_node, (*key, name), lines)
            # point at the key itself: that is where a reader looks for a misspelt name
            lines[(*key, name)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _collect(item, (*key, index), lines)


def load_marked(path: str | Path) -> MarkedDocument:
    """Read one YAML document, keeping lines; syntax errors become MappingSpecError too."""
    file = str(path)
    text = Path(path).read_text(encoding="utf-8")
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise MappingSpecError(file, 1, "the file is empty")
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise MappingSpecError(
            file, mark.line + 1 if mark else None, f"not valid YAML: {exc.problem}"
        ) from exc
    finally:
        loader.dispose()
    lines: dict[Key, int] = {}
    _collect(node, (), lines)
    return MarkedDocument(file=file, data=data, lines=lines)


__all__ = ["MarkedDocument", "load_marked"]
