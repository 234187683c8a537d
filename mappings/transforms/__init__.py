"""Named transforms for spec rules; `registry.transforms()` is the table the loader resolves names in.

Modules by kind of value: ``text`` (width, 外字, names, joins), ``dates`` (和暦 → ISO), ``codes``
(code lists, 団体コード, address parts), ``imi_values`` (日付型, コード型, ID型 objects).
"""

from mappings.transforms.registry import Arg, Transform, get, transforms

__all__ = ["Arg", "Transform", "get", "transforms"]
