"""Settings read from the environment (and ``var/demo.env`` for the demo stack).

Every process of the stack reads its configuration here; nothing else reads ``os.environ``
for these names. Defaults are the embedded single-machine setup: everything on
127.0.0.1, SQLite files under ``var/``.

Values from the secrets file (``DEMO_ENV_FILE``, default ``$VAR_DIR/demo.env``) fill gaps
in the returned ``Settings`` only: they are never copied into ``os.environ``, so a child
process gets exactly the secrets its parent chose to give it. The stack launcher gives
each process the few it needs and sets ``DEMO_ENV_FILE=none`` for them.
"""

from __future__ import annotations

import os
import re
from collections import ChainMap
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NO_ENV_FILE = ("none", "off", "-")

# where the helpers below read from: os.environ, or os.environ over the secrets file
# while ``get_settings`` builds a Settings
_source: Mapping[str, str] = os.environ


def _env(name: str, default: str) -> str:
    value = _source.get(name)
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


def _regex(name: str, default: str) -> str:
    """A regular-expression setting; one that does not compile falls back to the default."""
    value = _env(name, default)
    try:
        re.compile(value)
    except re.error:
        return default
    return value


def _path(name: str) -> Path | None:
    value = _source.get(name)
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
    rasa_in_flight: int = 6  # a gateway's messages in Rasa at once, the rest queued (0: no limit)
    rasa_auth_token: str = ""  # Rasa's HTTP API (the gateway reads NLU results from trackers)
    rasa_webhook_token: str = ""  # the gateway's credential for Rasa's input channel
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
    # identifier forms (the hospital's own): MRN regex, ticket-id prefixes and digits
    mrn_pattern: str = r"\d{6,10}"
    ticket_prefixes: tuple[str, ...] = ("HR", "HD")
    ticket_digits: int = 6

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


def env_file_path(environ: Mapping[str, str] | None = None) -> Path | None:
    """The secrets file ``get_settings`` reads (``None``: ``DEMO_ENV_FILE=none``)."""
    env = os.environ if environ is None else environ
    named = env.get("DEMO_ENV_FILE") or ""
    if named.lower() in NO_ENV_FILE:
        return None
    if named:
        return Path(named)
    return Path(env.get("VAR_DIR") or ROOT / "var").resolve() / "demo.env"


def client_host(bind_host: str) -> str:
    """Where a local client reaches a server bound to ``bind_host``."""
    return "127.0.0.1" if bind_host in ("", "0.0.0.0", "::", "*") else bind_host  # noqa: S104


def tracker_database_url(assistant_url: str, var_dir: Path) -> str:
    """Rasa's conversation store follows the assistant store: the same PostgreSQL database,
    or its own SQLite file beside it (Rasa's writers would contend with the store's)."""
    if assistant_url.startswith(("postgresql", "postgres:")):
        return assistant_url
    return f"sqlite:///{var_dir / 'rasa_tracker.db'}"


def get_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build settings from the environment; values in the secrets file fill gaps."""
    global _source
    env = os.environ if environ is None else environ
    path = env_file_path(env)
    file_values = load_env_file(path) if path is not None else {}
    previous, _source = _source, ChainMap(dict(env), file_values)
    try:
        return _build_settings(_source)
    finally:
        _source = previous


def _build_settings(env: Mapping[str, str]) -> Settings:
    var_dir = Path(_env("VAR_DIR", str(ROOT / "var"))).resolve()
    host = _env("BIND_HOST", "127.0.0.1")
    local = client_host(host)
    hms_port = _int("HMS_PORT", 8081)
    rasa_port = _int("RASA_PORT", 5005)
    action_port = _int("ACTION_PORT", 5055)
    assistant_db = _env("ASSISTANT_DATABASE_URL", f"sqlite:///{var_dir / 'assistant.db'}")
    return Settings(
        var_dir=var_dir,
        bind_host=host,
        gateway_port=_int("GATEWAY_PORT", 8080),
        hms_port=hms_port,
        rasa_port=rasa_port,
        action_port=action_port,
        hms_base_url=_env("HMS_BASE_URL", f"http://{local}:{hms_port}/fhir/R4").rstrip("/"),
        hms_api_token=_env("HMS_API_TOKEN", ""),
        hms_database_url=_env("HMS_DATABASE_URL", f"sqlite:///{var_dir / 'hms.db'}"),
        hms_timeout_seconds=float(_env("HMS_TIMEOUT_SECONDS", "5")),
        hms_retries=_int("HMS_RETRIES", 2),
        assistant_database_url=assistant_db,
        rasa_urls=_list("RASA_URLS", f"http://{local}:{rasa_port}"),
        rasa_workers=_bounded_int("RASA_WORKERS", 2, 1, 16),
        action_url=_env("ACTION_URL", f"http://{local}:{action_port}/webhook"),
        signing_key=_env("ASSISTANT_SIGNING_KEY", ""),
        data_key=_env("ASSISTANT_DATA_KEY", ""),
        data_key_file=Path(env["ASSISTANT_DATA_KEY_FILE"])
        if env.get("ASSISTANT_DATA_KEY_FILE")
        else None,
        emergency_number=_env("EMERGENCY_NUMBER", "2222"),
        hospital_tz=_env("HOSPITAL_TZ", "Europe/London"),
        redis_url=env.get("REDIS_URL") or None,
        helpdesk_channel=env.get("HELPDESK_CHANNEL") or None,
        slack_bot_token=env.get("SLACK_BOT_TOKEN") or None,
        slack_app_token=env.get("SLACK_APP_TOKEN") or None,
        slack_signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
        slack_api_url=env.get("SLACK_API_URL") or None,
        kiosk_idle_seconds=_int("KIOSK_IDLE_SECONDS", 60),
        kiosk_max_seconds=_int("KIOSK_MAX_SECONDS", 15),
        kiosk_stt_engine=_env("KIOSK_STT_ENGINE", "pocketsphinx"),
        kiosk_whisper_model_dir=Path(env["KIOSK_WHISPER_MODEL_DIR"])
        if env.get("KIOSK_WHISPER_MODEL_DIR")
        else None,
        kiosk_tts_engine=_env("KIOSK_TTS_ENGINE", "piper"),
        kiosk_speech_dir=Path(_env("KIOSK_SPEECH_DIR", str(var_dir / "speech"))),
        handoff_remind_minutes=_int("HANDOFF_REMIND_MINUTES", 5),
        handoff_escalate_minutes=_int(
            "HANDOFF_ESCALATE_MINUTES", _int("HANDOFF_REMIND_MINUTES", 5)
        ),
        handoff_oncall_slack_id=env.get("HANDOFF_ONCALL_SLACK_ID") or None,
        transcript_retention_days=_int("TRANSCRIPT_RETENTION_DAYS", 30),
        staff_token_ttl=_int("STAFF_TOKEN_TTL", 28800),
        rate_limit_ip=_env("RATE_LIMIT_IP", "120/minute"),
        rate_limit_user=_env("RATE_LIMIT_USER", "30/minute"),
        breakglass_minutes=_bounded_int("BREAKGLASS_MINUTES", 30, 1, 24 * 60),
        compliance_channel=env.get("COMPLIANCE_CHANNEL") or None,
        rasa_auth_token=_env("RASA_AUTH_TOKEN", ""),
        rasa_webhook_token=_env("RASA_WEBHOOK_TOKEN", ""),
        metrics_token=_env("METRICS_TOKEN", ""),
        practice_hms_base_url=_env("PRACTICE_HMS_BASE_URL", "").rstrip("/"),
        mrn_pattern=_regex("MRN_PATTERN", r"\d{6,10}"),
        ticket_prefixes=tuple(p.upper() for p in _list("TICKET_PREFIXES", "HR,HD")),
        ticket_digits=_bounded_int("TICKET_DIGITS", 6, 1, 12),
        tracker_database_url=_env(
            "TRACKER_DATABASE_URL", tracker_database_url(assistant_db, var_dir)
        ),
        audit_key=_env("ASSISTANT_AUDIT_KEY", ""),
        audit_key_file=_path("ASSISTANT_AUDIT_KEY_FILE"),
        audit_anchor_file=Path(_env("AUDIT_ANCHOR_FILE", str(var_dir / "audit" / "anchors.jsonl"))),
        principal_key=_env("ASSISTANT_PRINCIPAL_KEY", ""),
        principal_ttl_seconds=_bounded_int("PRINCIPAL_TTL_SECONDS", 30, 5, 300),
        rasa_in_flight=_bounded_int("RASA_IN_FLIGHT", 6, 0, 1000),
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
