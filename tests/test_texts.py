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


def _docstrings(tree: ast.AST) -> set[int]:
    nodes = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, nodes) and node.body and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)}


def test_flows_keep_every_resident_facing_string_in_texts_py():
    """The convention: every Vietnamese string of the flows lives in handlers/texts.py."""
    offenders = []
    for path in (ROOT / "handlers").glob("*.py"):
        if path.name == "texts.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and id(node) not in docstrings
                    and any(char.isalpha() and not char.isascii() for char in node.value)):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value[:30]!r}")
    assert offenders == []


def test_every_text_constant_is_nfc_as_loaded():
    from handlers import texts

    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from strings(item)
        elif isinstance(value, (tuple, list, frozenset, set)):
            for item in value:
                yield from strings(item)

    names = [name for name in vars(texts) if name.isupper()]
    assert len(names) > 250  # the sanity of the scan: every flow's texts are here
    for name in names:
        for text in strings(getattr(texts, name)):
            assert unicodedata.is_normalized("NFC", text), name


def test_residents_read_one_style_of_quotation_marks():
    """Issue 16, item 5: “ ” everywhere, never « », nor straight quotes around words."""
    import re

    from handlers import texts

    offenders = [name for name, value in vars(texts).items()
                 if isinstance(value, str) and not name.startswith("_")
                 and (re.search(r"[«»]", value) or re.search(r"(^|\s)[\"'][^\"']+[\"'](\s|$|[.,])",
                                                               value))]
    assert offenders == []


def test_labels_are_cut_between_words():
    from content.text import shorten
    from handlers.paging import label

    long = "Đại hội đại biểu toàn quốc lần thứ XIV của Đảng Cộng sản Việt Nam thành công tốt đẹp"
    cut = label(long)
    assert len(cut) <= 60 and cut.endswith("…") and long.startswith(cut[:-1])
    assert long[len(cut) - 1] == " "  # the cut falls before a space, never mid-word
    assert shorten("ngắn", 60) == "ngắn"
