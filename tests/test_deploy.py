"""What docs/deploy.md ships and tells an IT officer to run: the systemd units, the Caddy and
nginx configurations, and every `loaso` command written in it. Tools that are not installed
here (systemd-analyze, caddy, nginx, openssl) skip their check with the reason; CI runs them
where they are."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from bot.cli import app
from bot.cli.vietnamese import localise
from bot.settings import ENV_FILE_VARIABLE, Settings
from tests.cli import hermetic_env

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
GUIDE = ROOT / "docs" / "deploy.md"
UNITS = {"loaso-serve.service": "serve", "loaso-worker.service": "worker"}
INSTALLED = "/opt/loaso"


def unit(name: str) -> dict[str, list[str]]:
    """A unit's Key=value lines (keys may repeat, as Environment= does)."""
    values: dict[str, list[str]] = {}
    for line in (DEPLOY / name).read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def parse_loaso(args: list[str]) -> None:
    """Parse a `loaso …` command line as the real CLI does (nothing runs)."""
    command = typer.main.get_command(app)
    localise(command)
    path = ["loaso"]
    while hasattr(command, "commands"):
        assert args, f"{' '.join(path)}: a command is missing"
        name, args = args[0], args[1:]
        assert name in command.commands, f"no command {' '.join([*path, name])}"
        command = command.commands[name]
        path.append(name)
    command.make_context(" ".join(path), list(args))  # raises on an unknown or missing option


def shell_lines(markdown: str) -> list[str]:
    lines, inside = [], False
    for line in markdown.splitlines():
        if line.startswith("```"):
            inside = line.strip() == "```sh" if not inside else False
            continue
        if inside and line.strip():
            lines.append(line.strip())
    return lines


# -- the units -------------------------------------------------------------------------------

@pytest.mark.parametrize("name, command", UNITS.items())
def test_each_unit_runs_its_command_as_the_service_user_and_always_restarts(name, command):
    values = unit(name)
    assert values["Restart"] == ["always"] and values["User"] == ["loaso"]
    assert values["WorkingDirectory"] == [INSTALLED]
    executable, *args = shlex.split(values["ExecStart"][0])
    assert executable == f"{INSTALLED}/.venv/bin/loaso" and args[0] == command
    parse_loaso(args)
    assert values["RuntimeDirectory"] == ["loaso"]
    assert "LOASO_RUN_DIR=/run/loaso" in values["Environment"]


def test_the_units_point_at_files_of_the_checkout():
    for name in UNITS:
        text = (DEPLOY / name).read_text(encoding="utf-8")
        for path in set(re.findall(rf"{INSTALLED}(/[\w./-]*)", text)):
            if path.startswith("/.venv/"):  # made by `make install`
                assert (Path(sys.executable).parent / Path(path).name).exists(), path
            elif path == "/.env":  # the operator's copy of .env.example
                assert (ROOT / ".env.example").exists()
            else:
                assert (ROOT / path.lstrip("/")).exists(), path


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_analyze_verifies_the_units(tmp_path):
    for name in UNITS:  # the checkout stands in for /opt/loaso, this venv for its .venv
        text = (DEPLOY / name).read_text(encoding="utf-8")
        text = text.replace(f"{INSTALLED}/.venv/bin", str(Path(sys.executable).parent))
        (tmp_path / name).write_text(text.replace(INSTALLED, str(ROOT)), encoding="utf-8")
    result = subprocess.run(["systemd-analyze", "verify", *(str(tmp_path / name) for name in UNITS)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr


# -- the proxies ----------------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("caddy") is None, reason="caddy not installed")
def test_caddy_validates_the_caddyfile(tmp_path):
    env = {**hermetic_env(), "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path)}
    result = subprocess.run(["caddy", "validate", "--adapter", "caddyfile", "--config",
                             str(DEPLOY / "Caddyfile")], capture_output=True, text=True,
                            env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Valid configuration" in result.stdout + result.stderr


@pytest.mark.skipif(shutil.which("nginx") is None or shutil.which("openssl") is None,
                    reason="nginx or openssl not installed")
def test_nginx_accepts_the_site(tmp_path):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=loaso.example.vn", "-keyout", str(tmp_path / "key.pem"),
                    "-out", str(tmp_path / "cert.pem")], check=True, capture_output=True)
    site = (DEPLOY / "nginx-loaso.conf").read_text(encoding="utf-8")
    site = (site.replace("/etc/letsencrypt/live/loaso.example.vn/fullchain.pem",
                         str(tmp_path / "cert.pem"))
            .replace("/etc/letsencrypt/live/loaso.example.vn/privkey.pem",
                     str(tmp_path / "key.pem")))
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
        f"http {{\n    include {tmp_path}/site.conf;\n}}\n", encoding="utf-8")
    result = subprocess.run(["nginx", "-t", "-e", "stderr", "-p", str(tmp_path), "-c",
                             str(tmp_path / "nginx.conf")], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_both_proxies_pass_the_webhooks_console_and_chat_and_hide_metrics():
    caddy = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    nginx = (DEPLOY / "nginx-loaso.conf").read_text(encoding="utf-8")
    assert re.search(r"reverse_proxy 127\.0\.0\.1:\d+\b", caddy) and "respond @metrics 403" in caddy
    assert "location = /metrics" in nginx and "proxy_set_header Upgrade $http_upgrade;" in nginx
    assert "X-Forwarded-For" in nginx and "client_max_body_size 11m;" in nginx


# -- the guide ------------------------------------------------------------------------------

def test_every_loaso_command_in_the_guide_parses():
    commands = [line for line in shell_lines(GUIDE.read_text(encoding="utf-8"))
                if ".venv/bin/loaso " in line]
    assert len(commands) >= 8
    for line in commands:
        words = shlex.split(line)
        at = next(index for index, word in enumerate(words) if word.endswith(".venv/bin/loaso"))
        parse_loaso(words[at + 1:])


def test_the_guide_sets_only_real_settings_and_copies_only_shipped_files():
    lines = shell_lines(GUIDE.read_text(encoding="utf-8"))
    names = {line.split("=")[0] for line in lines if re.match(r"LOASO_[A-Z_]+=", line)}
    assert names and names <= {f"LOASO_{field.upper()}" for field in Settings.model_fields}
    for line in lines:
        for path in re.findall(rf"{INSTALLED}/((?:deploy|content)/[\w./-]+)", line):
            assert (ROOT / path).exists(), path
    assert ENV_FILE_VARIABLE not in names  # a process variable, never a line of .env


def test_the_readme_links_the_guide_first_and_nothing_outside_the_repository():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#\s]+)", readme)
    assert links[0] == "docs/deploy.md"
    assert "../shared" not in readme and "/work/" not in readme
    for target in links:
        if not target.startswith(("http://", "https://")):
            assert (ROOT / target).exists(), target
    assert readme.index("## Hướng dẫn nhanh cho cán bộ xã") < readme.index("## Two commands")
