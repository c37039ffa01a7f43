"""Settings: one object, clear one-line errors, secrets never printed."""

import pytest

from bot.logs import RedactSecrets
from bot.settings import Settings, SettingsError, load_settings


def load(**values) -> Settings:
    return load_settings(_env_file=None, **values)


def test_defaults_run_with_nothing_configured():
    settings = load()
    assert settings.database_url == "sqlite+aiosqlite:///./var/loaso.db"
    assert settings.timezone == "Asia/Ho_Chi_Minh" and settings.telegram_rate_limit == 30
    assert not settings.telegram_enabled


@pytest.mark.parametrize("url, expected", [
    ("sqlite:///./var/x.db", "sqlite+aiosqlite:///./var/x.db"),
    ("postgresql://u:p@db/loaso", "postgresql+asyncpg://u:p@db/loaso"),
    ("postgres://u@db/loaso", "postgresql+asyncpg://u@db/loaso"),
])
def test_database_urls_are_normalised_to_async_drivers(url, expected):
    assert load(database_url=url).database_url == expected


@pytest.mark.parametrize("values, setting, words", [
    ({"database_url": "not a url"}, "LOASO_DATABASE_URL", "không đọc được"),
    ({"database_url": "mysql://root@localhost/x"}, "LOASO_DATABASE_URL", "mysql"),
    ({"timezone": "Mars/Olympus"}, "LOASO_TIMEZONE", "Mars/Olympus"),
    ({"telegram_rate_limit": -1}, "LOASO_TELEGRAM_RATE_LIMIT", ""),
    ({"telegram_api_base": "api.telegram.org"}, "LOASO_TELEGRAM_API_BASE", "http"),
    ({"telegram_webhook_secret": "có dấu"}, "LOASO_TELEGRAM_WEBHOOK_SECRET", "A-Z"),
])
def test_bad_settings_are_reported_as_one_line_naming_the_setting(values, setting, words):
    with pytest.raises(SettingsError) as caught:
        load(**values)
    message = str(caught.value)
    assert len(message.splitlines()) == 1
    assert message.startswith("Cấu hình sai: ") and setting in message and words in message


@pytest.mark.parametrize("values, setting", [
    ({"telegram_token": "1:x"}, "LOASO_TELEGRAM_WEBHOOK_SECRET"),
    ({"zalo_oa_app_id": "123"}, "LOASO_ZALO_OA_APP_SECRET"),
    ({"zalo_bot_token": "1:x", "zalo_bot_webhook_secret": "short"}, "LOASO_ZALO_BOT_WEBHOOK_SECRET"),
])
def test_a_half_finished_channel_stops_only_the_commands_that_run_channels(values, setting):
    assert load(**values).channel_problems()[0].startswith(f"Cấu hình sai: {setting}")
    with pytest.raises(SettingsError) as caught:
        load(require_channels=True, **values)
    assert str(caught.value).startswith(f"Cấu hình sai: {setting}")


def test_polling_mode_needs_no_webhook_secret():
    settings = load(telegram_token="1:x", telegram_mode="polling", require_channels=True)
    assert settings.telegram_enabled and settings.telegram_webhook_secret is None


def test_secrets_do_not_show_in_repr_and_are_listed_for_redaction():
    settings = load(telegram_token="123456:SECRET-TOKEN-VALUE-abcdefghij",
                    telegram_webhook_secret="hook-secret",
                    database_url="postgresql://loaso:pg-password@db/loaso")
    shown = repr(settings) + str(settings.model_dump())
    assert "SECRET-TOKEN-VALUE" not in shown and "hook-secret" not in shown
    assert {"123456:SECRET-TOKEN-VALUE-abcdefghij", "hook-secret", "pg-password"} <= set(
        settings.secret_values())


def test_redaction_covers_messages_exceptions_and_unknown_bot_tokens():
    import logging

    redact = RedactSecrets(["hook-secret"])
    try:
        raise RuntimeError("POST http://api/bot987654:AAbbccddeeffgghhiijjkk/sendMessage")
    except RuntimeError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "secret is %s",
                                   ("hook-secret",), sys.exc_info())
    redact.filter(record)
    assert record.getMessage() == "secret is ***"
    assert "AAbbccddeeffgghhiijjkk" not in record.exc_text


def test_env_example_lists_every_setting_and_loads_as_the_defaults(tmp_path, monkeypatch):
    from pathlib import Path

    example = Path(__file__).parents[2] / ".env.example"
    names = {line.split("=")[0] for line in example.read_text().splitlines()
             if line.startswith("LOASO_")}
    assert names == {f"LOASO_{field.upper()}" for field in Settings.model_fields}
    settings = Settings(_env_file=str(example))  # empty values mean "not set"
    assert not settings.telegram_enabled and settings.public_url is None


def test_the_example_with_only_tokens_set_starts_in_polling_mode(tmp_path):
    from pathlib import Path

    example = (Path(__file__).parents[2] / ".env.example").read_text(encoding="utf-8")
    env = tmp_path / ".env"
    env.write_text(example.replace("LOASO_TELEGRAM_TOKEN=\n", "LOASO_TELEGRAM_TOKEN=1:x\n")
                   .replace("LOASO_ZALO_BOT_TOKEN=\n", "LOASO_ZALO_BOT_TOKEN=2:y\n"),
                   encoding="utf-8")
    settings = load_settings(_env_file=env, require_channels=True)  # what `serve` checks
    assert settings.telegram_enabled and settings.telegram_mode == "polling"
    assert settings.zalo_bot_token is not None and settings.zalo_bot_mode == "polling"


def test_env_file_variable_names_the_file_or_none(tmp_path, monkeypatch):
    from bot.settings import ENV_FILE_VARIABLE

    other = tmp_path / "loaso.env"
    other.write_text("LOASO_QUIZ_ROUND_SIZE=7\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("LOASO_QUIZ_ROUND_SIZE=3\n", encoding="utf-8")
    monkeypatch.setenv(ENV_FILE_VARIABLE, str(other))
    assert load_settings().quiz_round_size == 7
    monkeypatch.delenv(ENV_FILE_VARIABLE)
    assert load_settings().quiz_round_size == 3  # unset: .env in the working directory
    monkeypatch.setenv(ENV_FILE_VARIABLE, "")
    assert load_settings().quiz_round_size == 10  # empty: no file at all
    monkeypatch.setenv(ENV_FILE_VARIABLE, str(tmp_path / "missing.env"))
    with pytest.raises(SettingsError, match="LOASO_ENV_FILE"):
        load_settings()
