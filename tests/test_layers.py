"""The import layering holds: no module imports a layer above its own, and nothing imports
itself back through others. The layers and the check are import-linter's, configured in
pyproject.toml ([tool.importlinter]); README "How it fits together" explains them."""

import pkgutil
import re
import tomllib
from pathlib import Path

from importlinter.cli import lint_imports

import bot

ROOT = Path(__file__).parents[1]


def test_no_upward_import_and_no_cycle(monkeypatch):
    monkeypatch.chdir(ROOT)  # import-linter reads ./pyproject.toml
    assert lint_imports(no_cache=True, no_logo=True) == 0, "see the broken contracts above"


def test_every_module_of_bot_has_a_layer():
    """bot holds both the entry points (top layer) and the channels (a low one), so each of
    its modules is named in the layers; a new one must be placed deliberately."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(contract for contract in config["tool"]["importlinter"]["contracts"]
                    if contract["id"] == "layers")
    named = {name.strip("() \n") for layer in contract["layers"]
             for name in re.split(r"[:|]", layer)}
    modules = {f"bot.{module.name}" for module in pkgutil.iter_modules(bot.__path__)}
    assert modules - named == set()
