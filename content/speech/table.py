"""The pack's reading table (speech.yaml): abbreviations and how to say them.

The pack loader will call `load_abbreviations(pack_dir)`; a pack without the file reads no
abbreviations (every one is then kept as written and listed as a warning).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import yaml

FILE_NAME = "speech.yaml"


class SpeechTableError(ValueError):
    """speech.yaml cannot be used; the message names the file, the line and what is wrong."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """Safe YAML that records a key given twice instead of silently keeping the last one."""

    duplicates: list[str]


def _mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if isinstance(key, str) and key in seen:
            loader.duplicates.append(f"dòng {key_node.start_mark.line + 1}: “{key}” có hai lần")
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def parse_abbreviations(text: str, source: str = FILE_NAME) -> dict[str, str]:
    """{written: spoken} from speech.yaml's text; raises SpeechTableError listing every problem."""
    loader = _UniqueKeyLoader(text)
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as error:
        raise SpeechTableError(f"{source}: không đọc được YAML: {error}") from None
    finally:
        loader.dispose()
    if data is None:
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("abbreviations", {}), dict):
        raise SpeechTableError(f"{source}: cần dạng “abbreviations:” rồi từng dòng “UBND: Ủy ban nhân dân”")
    unknown = sorted(str(key) for key in data if key != "abbreviations")
    problems = [f"mục không biết: {', '.join(unknown)}"] if unknown else []
    problems += loader.duplicates
    table: dict[str, str] = {}
    for written, spoken in (data.get("abbreviations") or {}).items():
        if not isinstance(written, str) or not written.strip() or written != written.strip():
            problems.append(f"chữ viết tắt không hợp lệ: {written!r}")
        elif not isinstance(spoken, str) or not spoken.strip():
            problems.append(f"“{written}” chưa có cách đọc")
        elif not written[0].isalpha():
            problems.append(f"“{written}” phải bắt đầu bằng chữ cái")
        else:
            table[unicodedata.normalize("NFC", written)] = unicodedata.normalize("NFC", spoken.strip())
    if problems:
        raise SpeechTableError(f"{source}: " + "; ".join(problems))
    return table


def load_abbreviations(pack_dir: Path | str) -> dict[str, str]:
    """The table of `pack_dir/speech.yaml`, or {} when the pack has none."""
    path = Path(pack_dir) / FILE_NAME
    if not path.is_file():
        return {}
    return parse_abbreviations(path.read_text(encoding="utf-8"), str(path))
