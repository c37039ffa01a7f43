"""The command line in Vietnamese, including what typer and its bundled click print.

Typer 0.29 bundles its own click, whose texts are plain English (no gettext catalog to
translate). Three supported hooks cover them, with no monkeypatching:

- rich output is off (`rich_markup_mode=None` on the root app), so help and errors go
  through click's plain `HelpFormatter`;
- every command of the tree built by `typer.main.get_command` gets a `Context` subclass
  whose `formatter_class` words headings, the usage prefix and the `[required]` /
  `[default: …]` notes in Vietnamese, Vietnamese metavars (`--page SỐ`, not `<int>`) and
  a Vietnamese `--help` text;
- `main()` runs the command with `standalone_mode=False` and words each error itself:
  missing options and arguments, unknown commands and options, values typer's pydantic
  check refused (from the pydantic error's type, see bot/validation_text.py), "Aborted".

Confirmation prompts are `bot.cli.common.confirm` ("[c/K]"), not click's "[y/N]".
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

import typer
import typer.main

# The bundled click's exception classes: typer re-exports BadParameter; the others are its
# bases and siblings, reached through it rather than through typer's private package path.
# mypy cannot follow `__mro__`, so it is shown the same classes (and the formatter and the
# parameter and command types) at that private path; nothing imports it when the CLI runs.
BadParameter = typer.BadParameter
if TYPE_CHECKING:
    from typer._click.core import Command, Parameter
    from typer._click.exceptions import ClickException, NoSuchOption, UsageError
    from typer._click.formatting import HelpFormatter
else:
    UsageError = BadParameter.__mro__[1]
    ClickException = UsageError.__mro__[1]
    HelpFormatter = typer.Context.formatter_class

HELP_TEXT = "Hiện hướng dẫn này rồi thoát."
USAGE = "Cách dùng: "
HEADINGS = {"Options": "Tùy chọn", "Arguments": "Đối số", "Commands": "Lệnh"}
OPTIONS_METAVAR = "[TÙY CHỌN]"
SUBCOMMAND_METAVAR = "LỆNH [ĐỐI SỐ]..."
# What a value is, by the parameter's name first, then by its type.
NAMED_METAVARS = {"receipt": "MÃ-GÓP-Ý", "file": "TỆP", "directory": "THƯ-MỤC",
                  "phase": "ĐỢT", "username": "TÊN-ĐĂNG-NHẬP", "out": "TỆP",
                  "backup_file": "TỆP"}
TYPE_METAVARS = {int: "SỐ", float: "SỐ", Path: "TỆP", str: "CHỮ"}
# English errors raised as plain text by the bundled click and typer: (pattern, wording).
USAGE_ERRORS = [
    (re.compile(r"No such command '(.+)'\."), "Không có lệnh '{0}'."),
    (re.compile(r"Missing command\."), "Thiếu tên lệnh."),
    (re.compile(r"Got unexpected extra argument\(s\) \((.+)\)"), "Thừa đối số: {0}."),
    (re.compile(r"Option '(.+)' requires an argument\."), "Tùy chọn '{0}' cần một giá trị."),
    (re.compile(r"Option '(.+)' requires (\d+) arguments\."), "Tùy chọn '{0}' cần {1} giá trị."),
    (re.compile(r"Option '(.+)' does not take a value\."), "Tùy chọn '{0}' không nhận giá trị."),
    (re.compile(r"Argument '(.+)' takes (\d+) values\."), "Đối số '{0}' cần {1} giá trị."),
]
_NOTE = re.compile(r"\s*\[([^\[\]]*)\]$")
_TYPE_SUFFIX = re.compile(r" <[^<>]+>$")


def _note(text: str) -> str:
    """Typer's `[default: 8000; required]` at the end of an option's help, in Vietnamese."""
    match = _NOTE.search(text)
    if match is None:
        return text
    parts = []
    for part in match.group(1).split("; "):
        if part == "required":
            parts.append("bắt buộc")
        elif part.startswith("default: "):
            parts.append("mặc định: " + part.removeprefix("default: "))
        elif part.startswith("env var: "):
            parts.append("biến môi trường: " + part.removeprefix("env var: "))
        else:
            parts.append(part)
    return f"{text[:match.start()]}  [{'; '.join(parts)}]"


class VietnameseFormatter(HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, USAGE if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        super().write_heading(HEADINGS.get(heading, heading))

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30,
                 col_spacing: int = 2) -> None:
        # an argument's term is "TỆP <path>": the Vietnamese metavar says it already
        rows = [(term if term.startswith("-") else _TYPE_SUFFIX.sub("", term), _note(text))
                for term, text in rows]
        super().write_dl(rows, col_max, col_spacing)


class VietnameseContext(typer.Context):
    formatter_class = VietnameseFormatter


def _metavar(param: Parameter) -> str | None:
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return None
    if param.name in NAMED_METAVARS:
        return NAMED_METAVARS[param.name]
    described = getattr(param, "type_descriptor", None)
    if described is None or described.is_choice:
        return None  # typer lists the choices themselves
    if described.is_path:
        return "TỆP"
    if described.is_datetime:
        return "NGÀY"
    for kind, label in TYPE_METAVARS.items():
        if described.annotation is kind:
            return label
    return "GIÁ-TRỊ"


def localise(command: Command) -> None:
    """Word this command and every command under it in Vietnamese (see the module's doc)."""
    command.context_class = VietnameseContext
    if hasattr(command, "options_metavar"):
        command.options_metavar = OPTIONS_METAVAR
    if hasattr(command, "subcommand_metavar"):
        command.subcommand_metavar = SUBCOMMAND_METAVAR
    help_option = command.get_help_option(VietnameseContext(command))
    if help_option is not None:
        help_option.help = HELP_TEXT
    for param in command.params:
        if param.metavar is None and (label := _metavar(param)) is not None:
            param.metavar = label
    for child in getattr(command, "commands", {}).values():
        localise(child)


def _param_name(param: Parameter | None) -> str:
    if param is None:
        return ""
    if param.param_type_name == "option" and param.opts:
        return max(param.opts, key=len)
    return (param.metavar or param.name or "").strip("{}")


def explain(error: ClickException) -> str:
    """A click/typer usage error as one Vietnamese sentence."""
    kind = type(error).__name__
    param = getattr(error, "param", None)
    if kind == "MissingParameter":
        what = {"option": "tùy chọn", "argument": "đối số"}.get(
            getattr(param, "param_type_name", ""), "tham số")
        return f"Thiếu {what} {_param_name(param)}."
    if kind == "NoSuchOption":
        unknown = cast("NoSuchOption", error)
        text = f"Không có tùy chọn {unknown.option_name}."
        if unknown.possibilities:
            text += f" Có phải ý bạn là {', '.join(sorted(unknown.possibilities))}?"
        return text
    if isinstance(error, BadParameter):
        cause = error.__cause__
        if cause is not None and hasattr(cause, "errors"):
            from bot.validation_text import error_text

            detail = error_text(cause.errors()[0])
        else:
            detail = error.message
        return f"Giá trị không hợp lệ cho {_param_name(param)}: {detail}."
    message = error.format_message() if hasattr(error, "format_message") else str(error)
    for pattern, wording in USAGE_ERRORS:
        if match := pattern.fullmatch(message.strip()):
            return wording.format(*match.groups())
    return message


def _show_usage_error(error: UsageError) -> None:
    ctx = getattr(error, "ctx", None)
    if ctx is not None:
        typer.echo(ctx.get_usage(), err=True)
        typer.echo(f"Xem hướng dẫn: {ctx.command_path} --help", err=True)
        typer.echo("", err=True)
    typer.echo(f"Lỗi: {explain(error)}", err=True)


def main(app: typer.Typer, args: Sequence[str] | None = None) -> None:
    """Run the app as `loaso`, every word of it Vietnamese; exits with the command's code."""
    command = typer.main.get_command(app)
    localise(command)
    try:
        result = command.main(args=list(sys.argv[1:] if args is None else args),
                              prog_name="loaso", standalone_mode=False)
    except typer.Abort:
        typer.echo("\nĐã hủy, chưa làm gì.", err=True)
        sys.exit(1)
    except UsageError as error:
        # `loaso comments` alone: the help (click always gives this error its context)
        if type(error).__name__ == "NoArgsIsHelpError" and error.ctx is not None:
            typer.echo(error.ctx.get_help(), err=True)
            sys.exit(2)
        _show_usage_error(error)
        sys.exit(error.exit_code)
    except ClickException as error:  # e.g. a file that cannot be opened
        typer.echo(f"Lỗi: {explain(error)}", err=True)
        sys.exit(error.exit_code)
    sys.exit(result if isinstance(result, int) else 0)
