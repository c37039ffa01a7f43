"""What a package's modules declare at their top level, found by reading their source first:
`CHANNEL = ChannelSpec(...)` in bot/channels, `page = Page(...)` in bot/console/pages. So a
new channel or page is a new file, edited into no list; and helper modules beside them (the
web chat's transport, say) are not imported for nothing, since every command reads the
settings, which list the channels."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from types import ModuleType


def _declares(module_name: str, marker: str) -> bool:
    spec = importlib.util.find_spec(module_name)
    origin = spec.origin if spec is not None else None
    if origin is None or not origin.endswith(".py"):
        return True  # no source to read (a compiled module): import it and look
    with open(origin, encoding="utf-8") as source:
        return any(line.startswith(marker) for line in source)


def declaring(package: ModuleType, marker: str) -> list[ModuleType]:
    """The package's modules with a top-level line starting with `marker`, imported, in
    module-name order."""
    found = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda info: info.name):
        name = f"{package.__name__}.{info.name}"
        if _declares(name, marker):
            found.append(importlib.import_module(name))
    return found
