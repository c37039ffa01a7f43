"""The one settings object: every knob comes from `LOASO_*` environment variables or `.env`.

The process-wide knobs are declared here (CoreSettings). Each channel declares its own in its
module, as a pydantic model named in its ChannelSpec (`settings=`); `Settings` is CoreSettings
plus every declared channel's model, so a channel's fields, validators and `LOASO_*` names
arrive with its module and this file names no channel.
"""

from __future__ import annotations

import ipaddress
import os
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.channels.registry import declared
from bot.channels.spec import http_url, settings_names

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./var/loaso.db"


class CoreSettings(BaseSettings):
    """Process settings; secrets are SecretStr so they never print by accident."""

    model_config = SettingsConfigDict(
        env_prefix="LOASO_", env_file=".env", env_file_encoding="utf-8", extra="ignore",
        env_ignore_empty=True,  # `LOASO_PUBLIC_URL=` in .env means "not set"
    )

    database_url: str = DEFAULT_DATABASE_URL
    content_dir: Path = Path("content/packs/nam-an-phu")
    run_dir: Path = Path("var/run")
    timezone: str = "Asia/Ho_Chi_Minh"
    public_url: str | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # How many times a row may be found abandoned mid-send (its process died) before it fails.
    send_max_attempts: int = Field(5, ge=1, le=50)
    # Transient platform errors are retried (back-off up to 5 minutes) for this long after a
    # message was queued: a platform outage shorter than this loses nothing.
    send_retry_reply_hours: float = Field(1.0, gt=0, le=168)
    send_retry_bulk_hours: float = Field(24.0, gt=0, le=168)
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
    # Files the console exports are made here (a private folder: 0700, files 0600), offered
    # for download to the account that asked, and deleted after this many hours.
    console_export_dir: Path = Path("var/exports")
    console_export_hours: float = Field(24.0, gt=0, le=720)
    # Nightly backups by the active worker: on when a folder is set; the newest BACKUP_KEEP
    # are kept. BACKUP_TIME is HH:MM in the campaign's time zone.
    backup_dir: Path | None = None
    backup_keep: int = Field(7, ge=1, le=365)
    backup_time: str = "02:00"
    # Floods (issue 20): a resident's messages beyond this many in a minute get one polite
    # notice, then no answer until the minute has room again (0: no limit). A webhook body
    # still arriving after this many seconds is cut off with 408 (slow-body attacks).
    inbound_per_minute: int = Field(20, ge=0, le=10000)
    webhook_body_seconds: float = Field(10.0, gt=0, le=300)

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

    # One article, many outputs (issue 19). A text-to-speech command for the loudspeaker
    # script's audio (off when empty; `{out}` is the audio file, the text comes on stdin).
    tts_command: str | None = None
    # The worker writes the day's loudspeaker script here at the pack's `loudspeaker.time`.
    loa_dir: Path | None = None
    # Links the QR codes and the printed sheet open: the bot's Telegram username (without @)
    # and the Zalo OA's id (https://zalo.me/<id>); the web chat is LOASO_PUBLIC_URL/chat.
    # Invite codes get a link t.me/<name>?start=vt-<code> too.
    telegram_bot_username: str | None = Field(None, pattern=r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
    zalo_oa_id: str | None = Field(None, pattern=r"^[0-9]{1,25}$")
    # The commune's Telegram channel (the bot is an admin there): bulletins and approved
    # announcements are also posted there, once each. "@name" or the numeric id (-100…).
    telegram_channel_id: str | None = Field(None, pattern=r"^(@[A-Za-z][A-Za-z0-9_]{3,31}|-?[0-9]{1,20})$")
    # Who may read /metrics: addresses or networks, comma-separated ("127.0.0.1,10.0.0.0/8");
    # empty: everyone who reaches the port (keep it off the public proxy then).
    metrics_allow: Annotated[list[str], NoDecode] = []
    # The key behind the pseudonyms of exports ("ND-…"), kept outside the database so that
    # a copy of the database alone cannot tell which resident a label stands for: 64 hex
    # digits, directly or in a file (mode 0600). Unset: a key the database keeps for itself.
    pseudonym_key: SecretStr | None = None
    pseudonym_key_file: Path | None = None

    @field_validator("metrics_allow", mode="before")
    @classmethod
    def _networks(cls, value: str | list[str]) -> list[str]:
        items = value.split(",") if isinstance(value, str) else value
        networks = []
        for item in (item.strip() for item in items):
            if not item:
                continue
            try:
                networks.append(str(ipaddress.ip_network(item, strict=False)))
            except ValueError:
                raise ValueError(f"không phải địa chỉ hay dải mạng: '{item}' (ví dụ "
                                 "127.0.0.1,10.0.0.0/8)") from None
        return networks

    @field_validator("pseudonym_key")
    @classmethod
    def _hex_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            hex_key(value.get_secret_value(), where="LOASO_PSEUDONYM_KEY")
        return value

    def metrics_allowed(self, address: str | None) -> bool:
        if not self.metrics_allow:
            return True
        try:
            ip = ipaddress.ip_address(address or "")
        except ValueError:
            return False
        return any(ip in ipaddress.ip_network(network) for network in self.metrics_allow)

    def external_pseudonym_key(self) -> bytes | None:
        """The pseudonym key from the settings or its file; None: the database's own."""
        if self.pseudonym_key is not None:
            return hex_key(self.pseudonym_key.get_secret_value(), where="LOASO_PSEUDONYM_KEY")
        if self.pseudonym_key_file is not None:
            try:
                text = self.pseudonym_key_file.read_text(encoding="utf-8", errors="replace")
            except OSError as error:
                raise SettingsError(f"LOASO_PSEUDONYM_KEY_FILE: không đọc được "
                                    f"{self.pseudonym_key_file} ({error.__class__.__name__})"
                                    ) from None
            return hex_key(text, where=f"LOASO_PSEUDONYM_KEY_FILE ({self.pseudonym_key_file})",
                           error=SettingsError)
        return None

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

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        return http_url(value)

    @field_validator("report_recipients", "report_state_recipients", mode="before")
    @classmethod
    def _recipients_list(cls, value: str | list[str]) -> list[str]:
        # One line of .env: "Ban Tuyên giáo và Dân vận Thành ủy; UBND xã; Lưu: VPĐU"
        if isinstance(value, str):
            value = value.split(";")
        return [unicodedata.normalize("NFC", item.strip()) for item in value if item.strip()]

    def channel_problems(self) -> list[str]:
        """What stops a configured channel from running, one operator line each (each
        channel declares its own check, ChannelSpec.problems). Checked only by the commands
        that run channels (`serve`, `worker`, `webhook set`, `zalo oa-auth`, through
        `settings_or_exit(require_channels=True)`): a half-finished webhook set-up must not
        stop `loaso chat`, `content check` or `outbox status`."""
        return [f"Cấu hình sai: {problem}" for spec in declared() if spec.problems is not None
                for problem in spec.problems(self)]

    @property
    def content_path(self) -> Path:
        """The pack folder; a relative path not found here is taken from the project root."""
        if self.content_dir.is_absolute() or self.content_dir.exists():
            return self.content_dir
        return Path(__file__).resolve().parent.parent / self.content_dir

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def secret_values(self) -> list[str]:
        """Every configured secret, so logging can redact them wherever they appear."""
        secrets = []
        for _name, value in self:
            if isinstance(value, SecretStr) and value.get_secret_value():
                secrets.append(value.get_secret_value())
        password = make_url(self.database_url).password
        if password:
            secrets.append(str(password))
        return secrets


def _with_channels(mixins: tuple[type[BaseModel], ...]) -> type[CoreSettings]:
    core = settings_names(CoreSettings)
    for mixin in mixins:
        if clash := core & settings_names(mixin):
            raise TypeError(f"{mixin.__qualname__} redefines core settings: {sorted(clash)}")

    class Settings(CoreSettings, *mixins):  # type: ignore[misc]
        """Process settings: the core knobs and every declared channel's own."""

    Settings.__qualname__ = "Settings"
    return Settings


if TYPE_CHECKING:
    class Settings(CoreSettings):
        """For type checkers: a channel reads its own fields through its own settings model."""

        def __getattr__(self, name: str) -> Any: ...
else:
    Settings = _with_channels(tuple(spec.settings for spec in declared()
                                    if spec.settings is not None))


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


def load_settings(*, require_channels: bool = False, **overrides: Any) -> Settings:
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


def hex_key(text: str, *, where: str, error: type[Exception] = ValueError) -> bytes:
    """A key of at least 32 bytes written as hex digits (`openssl rand -hex 32`)."""
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        key = b""
    if len(key) < 32:
        raise error(f"{where}: cần ít nhất 64 chữ số hex (tạo bằng: openssl rand -hex 32)")
    return key
