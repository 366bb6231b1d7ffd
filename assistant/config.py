"""Settings read from the environment (and ``var/demo.env`` for the demo stack).

Every process of the stack reads its configuration here; nothing else reads ``os.environ``
for these names. Defaults are the embedded single-machine setup: everything on
127.0.0.1, SQLite files under ``var/``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def _int(name: str, default: int) -> int:
    return int(_env(name, str(default)))


def _bounded_int(name: str, default: int, low: int, high: int) -> int:
    """An integer setting; a malformed or out-of-range value falls back to the default."""
    try:
        value = int(_env(name, str(default)))
    except ValueError:
        return default
    return value if low <= value <= high else default


def _path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None


def _list(name: str, default: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in _env(name, default).split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    var_dir: Path
    bind_host: str
    gateway_port: int
    hms_port: int
    rasa_port: int
    action_port: int
    hms_base_url: str
    hms_api_token: str
    hms_database_url: str
    hms_timeout_seconds: float
    hms_retries: int
    assistant_database_url: str
    rasa_urls: tuple[str, ...]
    rasa_workers: int
    action_url: str
    signing_key: str
    data_key: str
    data_key_file: Path | None
    emergency_number: str
    hospital_tz: str
    redis_url: str | None
    helpdesk_channel: str | None
    slack_bot_token: str | None
    slack_app_token: str | None
    slack_signing_secret: str | None
    slack_api_url: str | None
    kiosk_idle_seconds: int
    kiosk_max_seconds: int
    kiosk_stt_engine: str
    kiosk_whisper_model_dir: Path | None
    kiosk_tts_engine: str
    kiosk_speech_dir: Path
    handoff_remind_minutes: int
    handoff_escalate_minutes: int
    handoff_oncall_slack_id: str | None
    transcript_retention_days: int
    staff_token_ttl: int
    rate_limit_ip: str
    rate_limit_user: str
    breakglass_minutes: int
    compliance_channel: str | None
    # compliance (issue 15): tracker privacy, keyed audit chain, conversation-bound principal
    tracker_database_url: str
    audit_key: str
    audit_key_file: Path | None
    audit_anchor_file: Path
    principal_key: str
    principal_ttl_seconds: int
    extra: dict[str, str] = field(default_factory=dict)
    rasa_auth_token: str = ""  # Rasa's HTTP API (the gateway reads NLU results from trackers)
    metrics_token: str = ""  # bearer token Prometheus sends to /metrics (else a staff token)
    practice_hms_base_url: str = ""  # the training hospital's FHIR base (practice mode)
    # the hospital's FHIR identifier/code systems and MRN format (assistant/hms/systems.py);
    # the reference HMS reads the same variables
    hms_mrn_system: str = "urn:hms:mrn"
    hms_staff_system: str = "urn:hms:staff"
    hms_ward_system: str = "urn:hms:ward"
    hms_bed_system: str = "urn:hms:bed"
    hms_ticket_system: str = "urn:hms:ticket"
    hms_role_system: str = "urn:hms:role"
    hms_bed_feature_system: str = "urn:hms:bed-feature"
    hms_service_type_system: str = "urn:hms:service-type"
    hms_help_type_system: str = "urn:hms:help-type"
    hms_mrn_pattern: str = r"\d{8}"
    bed_watch_poll_seconds: float = 10.0  # how often watched beds are looked at
    bed_watch_hours: float = 12.0  # a watch lasts one shift

    @property
    def log_dir(self) -> Path:
        return self.var_dir / "log"


def load_env_file(path: Path) -> dict[str, str]:
    """Parse a simple KEY=VALUE file (``var/demo.env``); comments and blanks ignored."""
    values: dict[str, str] = {}
    if not path.exists():
        return values
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip()
    return values


def get_settings() -> Settings:
    """Build settings from the environment; values in ``$VAR_DIR/demo.env`` fill gaps."""
    var_dir = Path(_env("VAR_DIR", str(ROOT / "var"))).resolve()
    for key, value in load_env_file(var_dir / "demo.env").items():
        os.environ.setdefault(key, value)
    host = _env("BIND_HOST", "127.0.0.1")
    hms_port = _int("HMS_PORT", 8081)
    rasa_port = _int("RASA_PORT", 5005)
    action_port = _int("ACTION_PORT", 5055)
    return Settings(
        var_dir=var_dir,
        bind_host=host,
        gateway_port=_int("GATEWAY_PORT", 8080),
        hms_port=hms_port,
        rasa_port=rasa_port,
        action_port=action_port,
        hms_base_url=_env("HMS_BASE_URL", f"http://127.0.0.1:{hms_port}/fhir/R4").rstrip("/"),
        hms_api_token=_env("HMS_API_TOKEN", ""),
        hms_database_url=_env("HMS_DATABASE_URL", f"sqlite:///{var_dir / 'hms.db'}"),
        hms_timeout_seconds=float(_env("HMS_TIMEOUT_SECONDS", "5")),
        hms_retries=_int("HMS_RETRIES", 2),
        assistant_database_url=_env(
            "ASSISTANT_DATABASE_URL", f"sqlite:///{var_dir / 'assistant.db'}"
        ),
        rasa_urls=_list("RASA_URLS", f"http://127.0.0.1:{rasa_port}"),
        rasa_workers=_bounded_int("RASA_WORKERS", 2, 1, 16),
        action_url=_env("ACTION_URL", f"http://127.0.0.1:{action_port}/webhook"),
        signing_key=_env("ASSISTANT_SIGNING_KEY", ""),
        data_key=_env("ASSISTANT_DATA_KEY", ""),
        data_key_file=Path(os.environ["ASSISTANT_DATA_KEY_FILE"])
        if os.environ.get("ASSISTANT_DATA_KEY_FILE")
        else None,
        emergency_number=_env("EMERGENCY_NUMBER", "2222"),
        hospital_tz=_env("HOSPITAL_TZ", "Europe/London"),
        redis_url=os.environ.get("REDIS_URL") or None,
        helpdesk_channel=os.environ.get("HELPDESK_CHANNEL") or None,
        slack_bot_token=os.environ.get("SLACK_BOT_TOKEN") or None,
        slack_app_token=os.environ.get("SLACK_APP_TOKEN") or None,
        slack_signing_secret=os.environ.get("SLACK_SIGNING_SECRET") or None,
        slack_api_url=os.environ.get("SLACK_API_URL") or None,
        kiosk_idle_seconds=_int("KIOSK_IDLE_SECONDS", 60),
        kiosk_max_seconds=_int("KIOSK_MAX_SECONDS", 15),
        kiosk_stt_engine=_env("KIOSK_STT_ENGINE", "pocketsphinx"),
        kiosk_whisper_model_dir=Path(os.environ["KIOSK_WHISPER_MODEL_DIR"])
        if os.environ.get("KIOSK_WHISPER_MODEL_DIR")
        else None,
        kiosk_tts_engine=_env("KIOSK_TTS_ENGINE", "piper"),
        kiosk_speech_dir=Path(_env("KIOSK_SPEECH_DIR", str(var_dir / "speech"))),
        handoff_remind_minutes=_int("HANDOFF_REMIND_MINUTES", 5),
        handoff_escalate_minutes=_int(
            "HANDOFF_ESCALATE_MINUTES", _int("HANDOFF_REMIND_MINUTES", 5)
        ),
        handoff_oncall_slack_id=os.environ.get("HANDOFF_ONCALL_SLACK_ID") or None,
        transcript_retention_days=_int("TRANSCRIPT_RETENTION_DAYS", 30),
        staff_token_ttl=_int("STAFF_TOKEN_TTL", 28800),
        rate_limit_ip=_env("RATE_LIMIT_IP", "120/minute"),
        rate_limit_user=_env("RATE_LIMIT_USER", "30/minute"),
        breakglass_minutes=_bounded_int("BREAKGLASS_MINUTES", 30, 1, 24 * 60),
        compliance_channel=os.environ.get("COMPLIANCE_CHANNEL") or None,
        rasa_auth_token=_env("RASA_AUTH_TOKEN", ""),
        metrics_token=_env("METRICS_TOKEN", ""),
        practice_hms_base_url=_env("PRACTICE_HMS_BASE_URL", "").rstrip("/"),
        tracker_database_url=_env(
            "TRACKER_DATABASE_URL", f"sqlite:///{var_dir / 'rasa_tracker.db'}"
        ),
        audit_key=_env("ASSISTANT_AUDIT_KEY", ""),
        audit_key_file=_path("ASSISTANT_AUDIT_KEY_FILE"),
        audit_anchor_file=Path(_env("AUDIT_ANCHOR_FILE", str(var_dir / "audit" / "anchors.jsonl"))),
        principal_key=_env("ASSISTANT_PRINCIPAL_KEY", ""),
        principal_ttl_seconds=_bounded_int("PRINCIPAL_TTL_SECONDS", 30, 5, 300),
        hms_mrn_system=_env("HMS_MRN_SYSTEM", "urn:hms:mrn"),
        hms_staff_system=_env("HMS_STAFF_SYSTEM", "urn:hms:staff"),
        hms_ward_system=_env("HMS_WARD_SYSTEM", "urn:hms:ward"),
        hms_bed_system=_env("HMS_BED_SYSTEM", "urn:hms:bed"),
        hms_ticket_system=_env("HMS_TICKET_SYSTEM", "urn:hms:ticket"),
        hms_role_system=_env("HMS_ROLE_SYSTEM", "urn:hms:role"),
        hms_bed_feature_system=_env("HMS_BED_FEATURE_SYSTEM", "urn:hms:bed-feature"),
        hms_service_type_system=_env("HMS_SERVICE_TYPE_SYSTEM", "urn:hms:service-type"),
        hms_help_type_system=_env("HMS_HELP_TYPE_SYSTEM", "urn:hms:help-type"),
        hms_mrn_pattern=_env("HMS_MRN_PATTERN", r"\d{8}"),
        bed_watch_poll_seconds=float(_bounded_int("BED_WATCH_POLL_SECONDS", 10, 1, 3600)),
        bed_watch_hours=float(_bounded_int("BED_WATCH_HOURS", 12, 1, 72)),
    )
