"""Every text a person reads is NFC Vietnamese; code never imports a platform in handlers."""

import ast
import unicodedata
from pathlib import Path

ROOT = Path(__file__).parents[1]
SOURCES = [path for folder in ("bot", "handlers", "content", "scheduler", "delivery", "db",
                               "messages")
           for path in (ROOT / folder).rglob("*.py")]


def test_every_string_literal_is_nfc():
    offenders = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if not unicodedata.is_normalized("NFC", node.value):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_handlers_never_import_a_platform_library():
    platform_modules = ("telegram", "httpx", "aiohttp", "fastapi", "starlette", "bot")
    below_the_flows = ("bot.channels.registry",)  # channels' names and labels, by name only
    for path in (ROOT / "handlers").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name not in below_the_flows:
                    assert name.split(".")[0] not in platform_modules, f"{path.name} imports {name}"
