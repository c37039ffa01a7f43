"""Load a content pack from disk and report every problem with its file and line.

Loading never raises on bad content: it returns the pack (or None) and a Report. The
service refuses to start on a report with errors and keeps its old pack on a bad reload.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from content.checks import check_bulletins, check_pack, check_quiz
from content.checks_truth import check_truth
from content.models import (
    Article,
    Bulletin,
    Campaign,
    Draft,
    FaqEntry,
    QuizQuestion,
    Slogan,
    SourcePolicy,
)
from content.pack import Pack


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class Report:
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, file: str, line: int, message: str) -> None:
        self.errors.append(Problem(file, line, message))

    def warn(self, file: str, line: int, message: str) -> None:
        self.warnings.append(Problem(file, line, message))

    def render(self) -> str:
        lines = [f"LỖI {problem}" for problem in self.errors]
        lines += [f"CẢNH BÁO {problem}" for problem in self.warnings]
        lines.append(f"{len(self.errors)} lỗi, {len(self.warnings)} cảnh báo.")
        return "\n".join(lines)


try:
    from yaml.cyaml import CParser as _Parser  # type: ignore[attr-defined]
except ImportError:  # no libyaml: the pure-Python parser, slower but the same results
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)


class _Loader(_Parser, yaml.constructor.SafeConstructor, yaml.resolver.BaseResolver):
    """libyaml, safe, and no implicit typing: every plain scalar stays text.

    The pack's typed models turn text into dates, numbers and booleans, and report a bad
    date with its line; YAML's own guessing would turn `number: 1` into an int the model
    refuses, or a bad date into a traceback.
    """

    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.BaseResolver.__init__(self)


_CONSTRUCT = yaml.SafeLoader("")  # only its scalar constructors are used, for rare forms
_NULLS = {"", "~", "null", "Null", "NULL"}


class SourceFile:
    """A YAML document with the line of every key and item, for precise reports."""

    def __init__(self, name: str, text: str, line_offset: int = 0) -> None:
        self.name = name
        self.lines: dict[tuple[Any, ...], int] = {}
        self.offset = line_offset
        self.data: Any = None
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
        if node is not None:
            self.data = self._build(node, ())

    def _build(self, node: yaml.Node, path: tuple[Any, ...]) -> Any:
        """Turn the node tree into Python data, noting lines on the way (one walk)."""
        self.lines[path] = node.start_mark.line + 1 + self.offset
        if isinstance(node, yaml.MappingNode):
            data = {}
            for key, value in node.value:
                data[key.value] = self._build(value, (*path, key.value))
                # a problem with a value is reported on the line of its key
                self.lines[(*path, key.value)] = key.start_mark.line + 1 + self.offset
            return data
        if isinstance(node, yaml.SequenceNode):
            return [self._build(item, (*path, index)) for index, item in enumerate(node.value)]
        return _scalar(node)  # type: ignore[arg-type]  # libyaml's nodes are scalar here

    def line(self, *path: Any) -> int:
        """The line of the deepest known part of `path`."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return 1 + self.offset


def _scalar(node: yaml.ScalarNode) -> Any:
    if node.tag.endswith(":str"):
        if node.style is None and node.value in _NULLS:  # `key:` or `key: null`, unquoted
            return None
        return node.value
    return _CONSTRUCT.construct_object(node)  # an explicit tag such as !!int


SOURCES_FILE = "sources.yaml"


class PackFiles:
    """The pack's files: the folder on disk, with the console's edits laid over it.

    `overlay` maps a pack-relative path ("articles/x.md") to the text that replaces the file
    on disk, or adds one; everything else is read from disk, so an edited pack is checked by
    exactly the same code as a pack on disk, and its problems name the same file and line.
    """

    def __init__(self, root: Path, overlay: Mapping[str, str] | None = None) -> None:
        self.root = Path(root)
        self.overlay = dict(overlay or {})

    def name(self, path: Path) -> str:
        return _relative(path, self.root)

    def is_file(self, path: Path) -> bool:
        return self.name(path) in self.overlay or path.is_file()

    def read(self, path: Path) -> str:
        name = self.name(path)
        return self.overlay[name] if name in self.overlay else path.read_text(encoding="utf-8")

    def glob(self, folder: str, suffix: str) -> list[Path]:
        found = set((self.root / folder).glob(f"*{suffix}"))
        found |= {self.root / name for name in self.overlay
                  if name.startswith(folder + "/") and name.endswith(suffix)
                  and "/" not in name[len(folder) + 1:]}
        return sorted(found, key=str)


def load_pack(directory: Path, overlay: Mapping[str, str] | None = None,
              ) -> tuple[Pack | None, Report]:
    """Load and check the pack in `directory`, with `overlay` (path → text) over its files."""
    report = Report()
    directory = Path(directory)
    files = PackFiles(directory, overlay)
    if not files.is_file(directory / "campaign.yaml"):
        report.error(str(directory), 1, "không tìm thấy campaign.yaml (thư mục gói nội dung sai?)")
        return None, report
    campaign = _load_model(directory / "campaign.yaml", files, Campaign, report)
    faq = _load_list(directory / "faq.yaml", files, FaqEntry, report)
    slogans = _load_list(directory / "slogans.yaml", files, Slogan, report)
    articles = [article for path in files.glob("articles", ".md")
                if (article := _load_article(path, files, report)) is not None]
    drafts = [draft for path in files.glob("drafts", ".yaml")
              if (draft := _load_model(path, files, Draft, report)) is not None]
    bulletins = _load_list(directory / "bulletins.yaml", files, Bulletin, report)
    quiz = [question for path in files.glob("quiz", ".yaml")
            for question in _load_list(path, files, QuizQuestion, report)]
    policy = (_load_model(directory / SOURCES_FILE, files, SourcePolicy, report)
              if files.is_file(directory / SOURCES_FILE) else None)
    if campaign is None:
        return None, report
    campaign_model, campaign_source = campaign
    pack = Pack.build(campaign_model, [a for a, _ in articles], [f for f, _ in faq],
                      [s for s, _ in slogans], [d for d, _ in drafts],
                      bulletins=[b for b, _ in bulletins], quiz=[q for q, _ in quiz],
                      sources=policy[0] if policy else None)
    check_pack(pack, campaign_source, articles, faq, drafts, report)
    check_bulletins(pack, bulletins, report)
    check_quiz(pack, quiz, report)
    check_truth(pack, report, campaign=campaign_source, articles=articles, faq=faq, quiz=quiz,
                bulletins=bulletins, slogans=slogans,
                policy_file=policy[1].name if policy else None)
    return (pack if report.ok else None), report


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return value if unicodedata.is_normalized("NFC", value) else (
            unicodedata.normalize("NFC", value))
    if isinstance(value, list):
        return [_nfc(item) for item in value]
    if isinstance(value, dict):
        return {key: _nfc(item) for key, item in value.items()}
    return value


def _read(path: Path, files: PackFiles, report: Report, line_offset: int = 0,
          text: str | None = None) -> SourceFile | None:
    try:
        text = files.read(path) if text is None else text
        return SourceFile(files.name(path), text, line_offset)
    except UnicodeDecodeError:
        report.error(files.name(path), 1, "tệp không phải UTF-8")
    except yaml.MarkedYAMLError as error:
        last_line = (text or "").rstrip("\n").count("\n") + 1  # libyaml may point past the end
        line = min(error.problem_mark.line + 1 if error.problem_mark else 1, last_line)
        line += line_offset
        message = f"YAML sai cú pháp: {error.problem}"
        if error.context_mark is not None and error.context_mark.line + 1 + line_offset != line:
            message += f" (phần bắt đầu ở dòng {error.context_mark.line + 1 + line_offset})"
        report.error(files.name(path), line, message)
    return None


def _relative(path: Path, root: Path) -> str:
    full, prefix = str(path), str(root).rstrip("/") + "/"
    return full[len(prefix):] if full.startswith(prefix) else full


def _validation_problems(error: ValidationError, source: SourceFile, report: Report,
                         prefix: tuple[Any, ...] = ()) -> None:
    for item in error.errors():
        location = tuple(part for part in item["loc"])
        where = ".".join(str(part) for part in (*prefix, *location)) or "(gốc)"
        message = _vietnamese(dict(item))
        report.error(source.name, source.line(*prefix, *location), f"{where}: {message}")


def _vietnamese(item: dict[str, Any]) -> str:
    kind = item["type"]
    if kind == "missing":
        return "thiếu trường bắt buộc"
    if kind == "extra_forbidden":
        return "trường không được hỗ trợ"
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        return "ngày không hợp lệ (cần dạng YYYY-MM-DD)"
    if kind == "string_pattern_mismatch":
        return "mã không hợp lệ (chỉ chữ thường a-z, số và dấu -, không quá 40 ký tự)"
    if kind in ("too_short", "too_long"):
        context = item.get("ctx", {})
        least, most = context.get("min_length"), context.get("max_length")
        if kind == "too_short" and least in (None, 1):
            return "danh sách không được để trống"
        if least is not None and least == most:
            return f"cần đúng {least} mục, có {context.get('actual_length', '?')}"
        bound = f"ít nhất {least}" if kind == "too_short" else f"nhiều nhất {most}"
        return f"cần {bound} mục, có {context.get('actual_length', '?')}"
    if kind in ("less_than_equal", "greater_than_equal", "less_than", "greater_than"):
        context = item.get("ctx", {})
        bounds = {"less_than_equal": ("không được lớn hơn", "le"),
                  "greater_than_equal": ("không được nhỏ hơn", "ge"),
                  "less_than": ("phải nhỏ hơn", "lt"), "greater_than": ("phải lớn hơn", "gt")}
        words, key = bounds[kind]
        return f"giá trị {words} {context.get(key)}"
    if kind == "literal_error":
        return f"giá trị không hợp lệ, cần một trong: {item['ctx']['expected']}"
    return str(item["msg"]).removeprefix("Value error, ")


def _load_model(path: Path, files: PackFiles, model: type[BaseModel], report: Report,
                ) -> tuple[Any, SourceFile] | None:
    source = _read(path, files, report)
    if source is None:
        return None
    if not isinstance(source.data, dict):
        report.error(source.name, 1, "cần một bảng khóa: giá trị")
        return None
    try:
        return model.model_validate(_nfc(source.data)), source
    except ValidationError as error:
        _validation_problems(error, source, report)
        return None


def _load_list(path: Path, files: PackFiles, model: type[BaseModel], report: Report,
               ) -> list[tuple[Any, tuple[SourceFile, int]]]:
    if not files.is_file(path):
        return []
    source = _read(path, files, report)
    if source is None or source.data is None:
        return []
    if not isinstance(source.data, list):
        report.error(source.name, 1, "cần một danh sách (mỗi mục bắt đầu bằng '- ')")
        return []
    items = []
    for index, raw in enumerate(source.data):
        try:
            items.append((model.model_validate(_nfc(raw)), (source, index)))
        except ValidationError as error:
            _validation_problems(error, source, report, prefix=(index,))
    return items


def _load_article(path: Path, files: PackFiles, report: Report,
                  ) -> tuple[Article, tuple[SourceFile, str]] | None:
    name = files.name(path)
    try:
        text = files.read(path)
    except UnicodeDecodeError:
        report.error(name, 1, "tệp không phải UTF-8")
        return None
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        report.error(name, 1, "thiếu phần đầu (front matter) mở bằng dòng ---")
        return None
    try:
        closing = next(index for index, line in enumerate(lines[1:], start=1)
                       if line.strip() == "---")
    except StopIteration:
        report.error(name, 1, "phần đầu (front matter) không có dòng --- đóng")
        return None
    source = _read(path, files, report, line_offset=1, text="\n".join(lines[1:closing]))
    if source is None:
        return None
    if not isinstance(source.data, dict):
        report.error(name, 2, "phần đầu cần các dòng khóa: giá trị")
        return None
    rest = lines[closing + 1:]
    blank = next((index for index, line in enumerate(rest) if line.strip()), len(rest))
    body = "\n".join(rest[blank:]).strip()
    source.lines[("body",)] = closing + 2 + blank
    try:
        article = Article.model_validate(_nfc({**source.data, "body": body}))
    except ValidationError as error:
        _validation_problems(error, source, report)
        return None
    return article, (source, body)
