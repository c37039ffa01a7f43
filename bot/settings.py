"""The one settings object: every knob comes from `LOASO_*` environment variables or `.env`."""

from __future__ import annotations

import os
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./var/loaso.db"
# Bot API rule for secret_token: 1-256 characters from A-Z a-z 0-9 _ -
_TELEGRAM_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class Settings(BaseSettings):
    """Process settings; secrets are SecretStr so they never print by accident."""

    model_config = SettingsConfigDict(
        env_prefix="LOASO_", env_file=".env", env_file_encoding="utf-8", extra="ignore",
        env_ignore_empty=True,  # `LOASO_TELEGRAM_TOKEN=` in .env means "not set"
    )

    database_url: str = DEFAULT_DATABASE_URL
    content_dir: Path = Path("content/packs/nam-an-phu")
    run_dir: Path = Path("var/run")
    timezone: str = "Asia/Ho_Chi_Minh"
    public_url: str | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    telegram_token: SecretStr | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_api_base: str = "https://api.telegram.org"
    telegram_mode: Literal["webhook", "polling"] = "webhook"
    telegram_rate_limit: float = Field(30.0, ge=0)
    telegram_chat_rate_limit: float = Field(1.0, gt=0)
    telegram_chat_burst: int = Field(3, ge=1)

    zalo_oa_app_id: str | None = None
    zalo_oa_app_secret: SecretStr | None = None
    zalo_oa_secret_key: SecretStr | None = None
    zalo_oa_api_base: str = "https://openapi.zalo.me"
    zalo_oa_oauth_base: str = "https://oauth.zaloapp.com"
    zalo_oa_refresh_token: SecretStr | None = None
    zalo_bot_token: SecretStr | None = None
    zalo_bot_webhook_secret: SecretStr | None = None
    zalo_bot_api_base: str = "https://bot-api.zaloplatforms.com"
    # Sources disagree on the X-ZEvent-Signature inputs (reference/zalo.md A3): which id comes
    # first and which key closes it. A mismatch logs the variant that would have matched.
    zalo_oa_signature: Literal["app_id/secret_key", "oa_id/secret_key", "app_id/app_secret",
                               "oa_id/app_secret"] = "app_id/secret_key"
    zalo_oa_rate_limit: float = Field(10.0, ge=0)
    zalo_bot_mode: Literal["webhook", "polling"] = "webhook"
    zalo_bot_rate_limit: float = Field(30.0, ge=0)

    send_max_attempts: int = Field(5, ge=1, le=50)
    send_concurrency: int = Field(64, ge=1, le=256)
    outbox_lease_seconds: int = Field(60, ge=5)
    sender_poll_seconds: float = Field(1.0, gt=0)
    run_sender: bool = True
    # A scheduled bulletin missed while the service was down still goes out within this long.
    bulletin_grace_minutes: int = Field(60, ge=0)
    # Personal data is anonymised this many days after the resident's last activity, and
    # comments lose their link to the person this many days after their consultation closes.
    retention_days: int = Field(365, ge=1, le=3650)
    quiz_round_size: int = Field(10, ge=1, le=50)
    # The staff console (/admin) signs a browser out after this many hours without a request.
    console_idle_hours: float = Field(8.0, gt=0, le=720)
    # Nightly backups by the active worker: on when a folder is set; the newest BACKUP_KEEP
    # are kept. BACKUP_TIME is HH:MM in the campaign's time zone.
    backup_dir: Path | None = None
    backup_keep: int = Field(7, ge=1, le=365)
    backup_time: str = "02:00"

    # The letterhead of reports (bot/reports/layout). Party documents (Hướng dẫn 36-HD/VPTW)
    # go to the Party committee, state documents (Nghị định 30/2020/NĐ-CP) to the People's
    # Committee. Empty organisation lines are derived from the pack's organisation; the
    # signer's title and name are left blank for a hand signature until they are set.
    report_party_parent: str | None = None
    report_party_body: str | None = None
    report_party_symbol: str = "ĐU"
    report_signer_authority: str = "T/M BAN THƯỜNG VỤ"
    report_signer_title: str | None = None
    report_signer_name: str | None = None
    report_recipients: Annotated[list[str], NoDecode] = ["Lưu: VPĐU"]
    report_state_parent: str | None = None
    report_state_body: str | None = None
    report_state_symbol: str = "UBND"
    report_state_signer_authority: str = "TM. ỦY BAN NHÂN DÂN"
    report_state_signer_title: str | None = None
    report_state_signer_name: str | None = None
    report_state_recipients: Annotated[list[str], NoDecode] = ["Lưu: VT"]

    @field_validator("database_url")
    @classmethod
    def _normalise_database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError("không đọc được địa chỉ cơ sở dữ liệu (ví dụ đúng: "
                             "sqlite+aiosqlite:///./var/loaso.db hoặc "
                             "postgresql+asyncpg://user@host/db)") from None
        backend = url.get_backend_name()
        if backend == "sqlite":
            url = url.set(drivername="sqlite+aiosqlite")
        elif backend in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+asyncpg")
        else:
            raise ValueError(f"chỉ hỗ trợ sqlite và postgresql, không hỗ trợ '{backend}'")
        return url.render_as_string(hide_password=False)

    @field_validator("backup_time")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", value.strip()):
            raise ValueError(f"cần giờ dạng HH:MM, ví dụ 02:00; nhận được '{value}'")
        return value.strip()

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"múi giờ không tồn tại: '{value}'") from None
        return value

    @field_validator("telegram_api_base", "zalo_oa_api_base", "zalo_oa_oauth_base",
                     "zalo_bot_api_base", "public_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(f"cần một địa chỉ http(s)://, nhận được '{value}'")
        return value.rstrip("/")

    @field_validator("report_recipients", "report_state_recipients", mode="before")
    @classmethod
    def _recipients_list(cls, value: str | list[str]) -> list[str]:
        # One line of .env: "Ban Tuyên giáo và Dân vận Thành ủy; UBND xã; Lưu: VPĐU"
        if isinstance(value, str):
            value = value.split(";")
        return [unicodedata.normalize("NFC", item.strip()) for item in value if item.strip()]

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _telegram_secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _TELEGRAM_SECRET.match(value.get_secret_value()):
            raise ValueError("chỉ gồm 1–256 ký tự A-Z, a-z, 0-9, _ và - (quy định của Telegram)")
        return value

    def channel_problems(self) -> list[str]:
        """What stops a configured channel from running, one operator line each.

        Checked only by the commands that run channels (`serve`, `worker`, `webhook set`,
        `zalo oa-auth`, through `settings_or_exit(require_channels=True)`): a half-finished
        webhook set-up must not stop `loaso chat`, `content check` or `outbox status`."""
        problems = []
        if (self.telegram_token is not None and self.telegram_mode == "webhook"
                and self.telegram_webhook_secret is None):
            problems.append("LOASO_TELEGRAM_WEBHOOK_SECRET: cần đặt khi dùng "
                            "LOASO_TELEGRAM_MODE=webhook (hoặc chọn polling)")
        if self.zalo_oa_app_id is not None:
            for name in ("zalo_oa_app_secret", "zalo_oa_secret_key"):
                if getattr(self, name) is None:
                    problems.append(f"LOASO_{name.upper()}: cần đặt khi dùng LOASO_ZALO_OA_APP_ID "
                                    "(lấy trong trang quản lý ứng dụng Zalo)")
        if self.zalo_bot_token is not None and self.zalo_bot_mode == "webhook":
            secret = self.zalo_bot_webhook_secret
            if secret is None or not 8 <= len(secret.get_secret_value()) <= 256:
                problems.append("LOASO_ZALO_BOT_WEBHOOK_SECRET: cần 8–256 ký tự khi dùng "
                                "LOASO_ZALO_BOT_MODE=webhook (hoặc chọn polling)")
        return [f"Cấu hình sai: {problem}" for problem in problems]

    @property
    def telegram_enabled(self) -> bool:
        return self.telegram_token is not None

    @property
    def content_path(self) -> Path:
        """The pack folder; a relative path not found here is taken from the project root."""
        if self.content_dir.is_absolute() or self.content_dir.exists():
            return self.content_dir
        return Path(__file__).resolve().parent.parent / self.content_dir

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def secret_values(self) -> list[str]:
        """Every configured secret, so logging can redact them wherever they appear."""
        secrets = []
        for name, value in self:
            if isinstance(value, SecretStr) and value.get_secret_value():
                secrets.append(value.get_secret_value())
        password = make_url(self.database_url).password
        if password:
            secrets.append(str(password))
        return secrets


class SettingsError(Exception):
    """A bad setting, worded as one line per problem for the operator."""


def describe_validation_error(error: ValidationError) -> str:
    from bot.validation_text import error_text

    lines = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"])
        message = error_text(item)
        if message.startswith("LOASO_"):
            lines.append(f"Cấu hình sai: {message}")
        else:
            lines.append(f"Cấu hình sai: LOASO_{field.upper()}: {message}")
    return "\n".join(lines)


# The .env to read. Unset: `.env` in the working directory. A path: that file (e.g.
# /etc/loaso/loaso.env). Empty: none at all; the test suite sets it empty so that an
# operator's `.env` never reaches it.
ENV_FILE_VARIABLE = "LOASO_ENV_FILE"


def env_file() -> Path | None:
    value = os.environ.get(ENV_FILE_VARIABLE)
    if value is None:
        return Path(".env")
    if not value.strip():
        return None
    path = Path(value)
    if not path.is_file():
        raise SettingsError(f"Cấu hình sai: {ENV_FILE_VARIABLE}: không có tệp '{value}'")
    return path


def load_settings(*, require_channels: bool = False, **overrides) -> Settings:
    """Read settings, turning pydantic's report into plain operator lines. With
    `require_channels`, a configured channel must also be complete (see channel_problems)."""
    overrides.setdefault("_env_file", env_file())
    try:
        settings = Settings(**overrides)
    except ValidationError as error:
        raise SettingsError(describe_validation_error(error)) from None
    if require_channels and (problems := settings.channel_problems()):
        raise SettingsError("\n".join(problems))
    return settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
