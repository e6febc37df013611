"""Runtime settings, read from the environment or a `.env` file.

Nothing is read at import: call `get_settings()` (cached) or build `Settings(...)` in tests.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.core.early_warnings import ThresholdsError, load_thresholds
from bot.core.school_calendar import CalendarError, default_calendar_path, load_calendar

DEFAULT_DATABASE_URL = "sqlite:///mentor_bot.db"

# How to fix each setting, shown when it is missing or malformed.
SETTING_HELP: dict[str, str] = {
    "SLACK_BOT_TOKEN": "the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth & Permissions page "
    "(one workspace), or leave it unset and set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (OAuth: many workspaces)",
    "SLACK_CLIENT_ID": "the Client ID from your Slack app's Basic Information page (OAuth mode, with "
    "SLACK_CLIENT_SECRET and no SLACK_BOT_TOKEN)",
    "SLACK_CLIENT_SECRET": "the Client Secret from your Slack app's Basic Information page (OAuth mode, with "
    "SLACK_CLIENT_ID and no SLACK_BOT_TOKEN)",
    "SLACK_SIGNING_SECRET": "the Signing Secret from your Slack app's Basic Information page",
    "SLACK_APP_TOKEN": "an app-level token (xapp-…) with connections:write, only for Socket Mode",
    "DATABASE_URL": "a SQLAlchemy URL such as sqlite:///mentor_bot.db or postgresql://user:pass@host/db",
    "SLACK_API_URL": "the Slack Web API base URL, e.g. https://slack.com/api/ (only for a local stand-in)",
    "PORT": "the HTTP port to listen on, 1-65535",
    "SCHOOL_TIMEZONE": "an IANA time zone such as Europe/London",
    "HOST": "the interface to listen on, e.g. 0.0.0.0",
    "LOG_LEVEL": "one of DEBUG, INFO, WARNING, ERROR",
    "EARLY_WARNINGS": "the path of an early-warnings TOML file like bot/concerns/early_warnings.toml",
    "SCHOOL_CALENDAR": "the path of a school calendar file (copy bot/calendars/england-2026-27.toml and edit it)",
    "OBSERVATION_FORMS_DIR": "a folder of your school's observation form files (*.toml)",
    "RETENTION_DAYS": "a whole number of days, 0-36500, to keep a person's records after their last mentorship "
    "ends (default 2555, about seven years; 0 keeps them forever)",
    "CERTIFICATION_SCHEME": "the path of a mentor certification scheme (copy "
    "bot/certification/schemes/national-standards-2016.toml and edit it)",
    "DIGEST_DAY": "the weekday the weekly digests go out, e.g. friday",
    "DIGEST_TIME": "the school-time hour the weekly digests go out, as HH:MM, e.g. 15:00",
    "SCHEDULER": "on (this process runs reminders, digests and retention) or off (`python -m bot worker` runs them)",
    "MODAL_PLACEHOLDER_SECONDS": "seconds (e.g. 1.0) a command or button may take to open its modal before a "
    "placeholder modal is shown; above 2 the 3 s trigger may expire first",
    "LOG_FORMAT": "text (one readable line per event) or json (one JSON object per line)",
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Exactly one mode: SLACK_BOT_TOKEN (one workspace, today's way), or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET
    # (OAuth: any school installs the app at /slack/install; each workspace's token is kept in the database).
    # The client fields come first: the bot token's check reads them.
    slack_client_id: str | None = Field(default=None, alias="SLACK_CLIENT_ID")
    slack_client_secret: SecretStr | None = Field(default=None, alias="SLACK_CLIENT_SECRET", validate_default=True)
    slack_bot_token: SecretStr | None = Field(default=None, alias="SLACK_BOT_TOKEN", validate_default=True)
    slack_signing_secret: SecretStr = Field(alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(default=None, alias="SLACK_APP_TOKEN")
    database_url: str = Field(default=DEFAULT_DATABASE_URL, alias="DATABASE_URL")
    slack_api_url: str | None = Field(default=None, alias="SLACK_API_URL")
    host: str = Field(default="0.0.0.0", alias="HOST")
    port: int = Field(default=3000, alias="PORT", ge=1, le=65535)
    school_timezone: str = Field(default="Europe/London", alias="SCHOOL_TIMEZONE")
    log_level: str = Field(default="INFO", alias="LOG_LEVEL")
    school_calendar: Path = Field(default_factory=default_calendar_path, alias="SCHOOL_CALENDAR")
    observation_forms_dir: Path | None = Field(default=None, alias="OBSERVATION_FORMS_DIR")
    appropriate_body_questions: Path | None = Field(default=None, alias="APPROPRIATE_BODY_QUESTIONS")
    # The early-warning thresholds (bot/concerns/early_warnings.toml explains them); None: the shipped file.
    early_warnings: Path | None = Field(default=None, alias="EARLY_WARNINGS")
    # Days a person's records are kept after their last mentorship ends; 0 keeps them forever.
    retention_days: int = Field(default=2555, alias="RETENTION_DAYS", ge=0, le=36500)
    # The mentor certification scheme (standards, levels, criteria, panel dates); None: the shipped 2016 one.
    certification_scheme: Path | None = Field(default=None, alias="CERTIFICATION_SCHEME")
    digest_day: str = Field(default="friday", alias="DIGEST_DAY")
    digest_time: str = Field(default="15:00", alias="DIGEST_TIME")
    # Workspaces whose digests are delivered at once (each within its own Slack limits); 1: one after another.
    digest_workers: int = Field(default=8, alias="DIGEST_WORKERS", ge=1, le=64)
    # How long leaders' Homes may share one build of the school's week while nothing in the database changes
    # (bot/home/shared_reads.py); 0: every Home builds its own.
    home_shared_reads_seconds: float = Field(default=300, alias="HOME_SHARED_READS_SECONDS", ge=0, le=3600)
    # Helper processes `serve` builds and publishes Home tabs in, so acks never wait behind one
    # (bot/app/home_processes.py); 0: each web process does its own. Two by default, as many as the turns work
    # after an ack takes (handlers/slack/pacing.py): one helper builds while the other waits on Slack.
    home_build_processes: int = Field(default=2, alias="HOME_BUILD_PROCESSES", ge=0, le=16)
    # Seconds a command or button has to open its modal before an "Opening …" placeholder goes out on its 3 s
    # trigger (the form then replaces it): handlers/slack/modal_first.py.
    modal_placeholder_seconds: float = Field(default=1.0, alias="MODAL_PLACEHOLDER_SECONDS", gt=0, le=60)
    # off: `serve` answers Slack only, and the scheduled jobs run in `python -m bot worker`.
    scheduler: bool = Field(default=True, alias="SCHEDULER")
    # How often the scheduler (in `serve` or `worker`) runs every job; None: each job's own interval (digests
    # five minutes, reminders half an hour, early warnings an hour, retention a day).
    jobs_every_seconds: int | None = Field(default=None, alias="JOBS_EVERY_SECONDS", ge=1, le=86_400)
    log_format: str = Field(default="text", alias="LOG_FORMAT")

    @field_validator("slack_client_id")
    @classmethod
    def _client_id_shape(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not all(part.isdigit() for part in value.strip().split(".")):
            raise ValueError("is not a Client ID (digits and dots, e.g. 1234567890.1234567890)")
        return value.strip()

    @field_validator("slack_client_secret")
    @classmethod
    def _client_secret_pairs(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        secret = value if value is not None and value.get_secret_value().strip() else None
        client_id = info.data.get("slack_client_id")
        if client_id and secret is None:
            raise ValueError("is not set but SLACK_CLIENT_ID is (OAuth mode needs both)")
        if secret is not None and not client_id and "slack_client_id" in info.data:
            raise ValueError("is set but SLACK_CLIENT_ID is not (OAuth mode needs both)")
        return secret

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        token = value if value is not None and value.get_secret_value() else None
        oauth = bool(info.data.get("slack_client_id"))
        if token is None:
            if not oauth and "slack_client_id" in info.data:
                raise ValueError("is not set")
            return None
        if oauth:
            raise ValueError("is set together with SLACK_CLIENT_ID: choose one mode")
        if not token.get_secret_value().startswith("xoxb-"):
            raise ValueError("must start with xoxb-")
        return token

    @field_validator("slack_signing_secret")
    @classmethod
    def _signing_secret_present(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("must not be empty")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        if info.data.get("slack_client_id"):
            raise ValueError("is set together with SLACK_CLIENT_ID: OAuth installs need HTTP mode, so unset it")
        if not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must start with xapp-")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url_parses(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise ValueError("is not a database URL") from exc
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError("must be a sqlite:// or postgresql:// URL")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_shape(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("school_timezone")
    @classmethod
    def _timezone_known(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("is not a known time zone") from exc
        return value

    @field_validator("digest_day")
    @classmethod
    def _digest_day_known(cls, value: str) -> str:
        day = value.strip().lower()
        days = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        match = [d for d in days if d.startswith(day[:3])] if len(day) >= 3 else []
        if len(match) != 1:
            raise ValueError("is not a weekday")
        return match[0]

    @field_validator("digest_time")
    @classmethod
    def _digest_time_shape(cls, value: str) -> str:
        try:
            hour, minute = (int(part) for part in value.strip().split(":"))
        except ValueError:
            raise ValueError("is not a time like 15:00") from None
        if not (0 <= hour < 24 and 0 <= minute < 60):
            raise ValueError("is not a time like 15:00")
        return f"{hour:02d}:{minute:02d}"

    @field_validator("log_level")
    @classmethod
    def _log_level_known(cls, value: str) -> str:
        level = value.upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("is not a log level")
        return level

    @field_validator("log_format")
    @classmethod
    def _log_format_known(cls, value: str) -> str:
        if value.strip().lower() not in ("text", "json"):
            raise ValueError("is not text or json")
        return value.strip().lower()

    @field_validator("school_calendar")
    @classmethod
    def _calendar_readable(cls, value: Path) -> Path:
        try:
            load_calendar(value)  # read again by bootstrap; checked here so a bad file stops start-up
        except CalendarError as exc:
            raise ValueError(f"is wrong ({exc})") from None
        return value

    @field_validator("appropriate_body_questions")
    @classmethod
    def _questions_readable(cls, value: Path | None) -> Path | None:
        from bot.reviews.questions import QuestionsError, load_questions

        try:
            load_questions(value)  # read again by bootstrap; checked here so a bad file stops start-up
        except QuestionsError as exc:
            raise ValueError(f"is wrong ({exc})") from None
        return value

    @field_validator("early_warnings")
    @classmethod
    def _thresholds_readable(cls, value: Path | None) -> Path | None:
        try:
            load_thresholds(value)  # read again by bootstrap; checked here so a bad file stops start-up
        except ThresholdsError as exc:
            raise ValueError(f"is wrong ({exc})") from None
        return value

    @field_validator("certification_scheme")
    @classmethod
    def _scheme_readable(cls, value: Path | None) -> Path | None:
        from bot.certification.scheme import SchemeError, load_scheme

        try:
            load_scheme(value)  # read again by bootstrap; checked here so a bad file stops start-up
        except SchemeError as exc:
            raise ValueError(f"is wrong ({exc})") from None
        return value

    @property
    def oauth(self) -> bool:
        """OAuth mode: workspaces install the app themselves; their tokens are in the database."""
        return self.slack_client_id is not None

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.school_timezone)


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line a person can act on."""


def describe_validation_error(error: ValidationError) -> str:
    """Turn pydantic's report into one line per setting, naming it and how to fix it."""
    lines = []
    for problem in error.errors():
        name = str(problem["loc"][0]) if problem["loc"] else "?"
        name = name.upper()
        fix = SETTING_HELP.get(name, "")
        if problem["type"] == "missing" or str(problem["msg"]) == "Value error, is not set":
            lines.append(f"{name} is not set: set it in the environment or in .env ({fix}).")
        else:
            reason = str(problem["msg"]).removeprefix("Value error, ")
            lines.append(f"{name} {reason}: set it to {fix}.")
    return " ".join(lines)


def load_settings(env_file: str | Path | None = ".env") -> Settings:
    try:
        return Settings(_env_file=env_file)  # type: ignore[call-arg]
    except ValidationError as exc:
        raise SettingsError(describe_validation_error(exc)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
