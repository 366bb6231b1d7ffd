"""The container deployment (deploy/) is consistent with the code (Docker is not run here)."""

import re
import shutil
import subprocess
from pathlib import Path

import yaml

from assistant.stack.environment import NEEDS, PRIVATE
from assistant.stack.files import (
    FULL_HISTORY_ACTIONS,
    INPUT_CHANNEL,
    REDIS_LOCKS,
    TRACKER_STORE,
)
from tests.require import missing

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
ROLE = {"hms": "hms", "actions": "actions", "gateway": "gateway"}
ROLE.update({"rasa-1": "rasa", "rasa-2": "rasa"})


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yml").read_text())


def test_deploy_compose_has_the_scale_topology():
    services = compose()["services"]
    assert set(services) >= {"postgres", "redis", "hms", "actions", "rasa-1", "rasa-2"}
    assert {"gateway", "haproxy"} <= set(services)
    assert services["gateway"]["deploy"]["replicas"] >= 2
    assert services["actions"]["deploy"]["replicas"] >= 2
    published = [name for name, svc in services.items() if svc.get("ports")]
    assert published == ["haproxy"]
    urls = services["gateway"]["environment"]["RASA_URLS"].split(",")
    workers = sorted(s for s in services if s.startswith("rasa-"))
    assert urls == [f"http://{n}:5005" for n in workers]
    assert compose()["networks"]["backend"]["internal"] is True
    for name in ("postgres", "redis", "rasa-1", "actions"):
        assert services[name]["networks"] == ["backend"], name


def test_deploy_each_service_gets_only_the_secrets_it_needs():
    for name, role in ROLE.items():
        env = compose()["services"][name]["environment"]
        private = {k for k in env if k in PRIVATE}
        assert private <= NEEDS[role], (name, private - NEEDS[role])
    assert "environment" not in compose()["services"]["haproxy"]
    for name, svc in compose()["services"].items():
        assert "env_file" not in svc, name  # no service gets the whole secrets file


def test_deploy_no_secret_on_a_command_line():
    for name, svc in compose()["services"].items():
        command = " ".join(svc.get("command") or [])
        assert "${" not in command and "token" not in command.lower(), name
    for dockerfile in DEPLOY.glob("Dockerfile.*"):
        assert "--auth-token" not in dockerfile.read_text()


def test_deploy_rasa_files_match_what_the_launcher_writes():
    endpoints = yaml.safe_load((DEPLOY / "endpoints.yml").read_text())
    assert endpoints["tracker_store"] == {"type": TRACKER_STORE, "url_env": "TRACKER_DATABASE_URL"}
    assert endpoints["lock_store"] == {"type": REDIS_LOCKS, "url_env": "REDIS_URL"}
    assert endpoints["action_endpoint"]["full_history_actions"] == list(FULL_HISTORY_ACTIONS)
    credentials = yaml.safe_load((DEPLOY / "credentials.yml").read_text())
    assert credentials == {INPUT_CHANNEL: {"token_env": "RASA_WEBHOOK_TOKEN"}}


def test_deploy_images_copy_files_that_exist():
    for dockerfile in DEPLOY.glob("Dockerfile.*"):
        for line in dockerfile.read_text().splitlines():
            match = re.match(r"COPY (?!--from)(.+) \S+$", line.strip())
            if match:
                for source in match.group(1).split():
                    assert (ROOT / source).exists(), (dockerfile.name, source)


def test_deploy_haproxy_config_is_valid():
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(haproxy).exists():
        missing("HAProxy (Debian package haproxy)")
    result = subprocess.run(
        [haproxy, "-c", "-f", str(DEPLOY / "haproxy.cfg")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
