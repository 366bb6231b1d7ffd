"""The reference HMS's settings, read from the environment (the same variables as the
assistant's, so one ``var/demo.env`` configures both; the HMS imports nothing of the
assistant). Values in the secrets file (``DEMO_ENV_FILE``, default ``$VAR_DIR/demo.env``;
``none``: no file, as the launcher tells its children) fill gaps in the returned settings
only: they are never copied into ``os.environ``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from hms.config import HmsOptions, hms_options

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class HmsSettings:
    var_dir: Path
    bind_host: str = "127.0.0.1"
    hms_port: int = 8081
    hms_api_token: str = ""
    hms_database_url: str = ""
    hospital_tz: str = "Europe/London"
    options: HmsOptions = field(default_factory=HmsOptions)

    @property
    def log_dir(self) -> Path:
        return self.var_dir / "log"


def _env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if not path.exists():
        return values
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def load_settings() -> HmsSettings:
    """Settings from the environment; the secrets file fills what is unset."""
    var_dir = Path(os.environ.get("VAR_DIR") or ROOT / "var").resolve()
    named = os.environ.get("DEMO_ENV_FILE") or ""
    if named.lower() in ("none", "off", "-"):
        file_values: dict[str, str] = {}
    else:
        file_values = _env_file(Path(named) if named else var_dir / "demo.env")
    env = {**file_values, **{k: v for k, v in os.environ.items() if v != ""}}

    def get(name: str, default: str) -> str:
        value = env.get(name)
        return default if value is None or value == "" else value

    try:
        port = int(get("HMS_PORT", "8081"))
    except ValueError as exc:
        raise ValueError("HMS_PORT must be a port number") from exc
    return HmsSettings(
        var_dir=var_dir,
        bind_host=get("BIND_HOST", "127.0.0.1"),
        hms_port=port,
        hms_api_token=get("HMS_API_TOKEN", ""),
        hms_database_url=get("HMS_DATABASE_URL", f"sqlite:///{var_dir / 'hms.db'}"),
        hospital_tz=get("HOSPITAL_TZ", "Europe/London"),
        options=hms_options(env),
    )
