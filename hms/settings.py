"""The reference HMS's settings, read from the environment (the same variables as the
assistant's, so one ``var/demo.env`` configures both; the HMS imports nothing of the
assistant). Values in ``$VAR_DIR/demo.env`` fill gaps in the environment.
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
    """Settings from the environment; ``$VAR_DIR/demo.env`` fills what is unset."""

    def get(name: str, default: str) -> str:
        value = os.environ.get(name)
        return default if value is None or value == "" else value

    var_dir = Path(get("VAR_DIR", str(ROOT / "var"))).resolve()
    for key, value in _env_file(var_dir / "demo.env").items():
        os.environ.setdefault(key, value)
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
        options=hms_options(os.environ),
    )
