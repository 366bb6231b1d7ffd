"""The stack's configuration surface: which setting reaches which process.

Every documented variable the operator sets (README, "Configuration") is passed on; the
launcher adds what it decides (ports, URLs of what it starts, ``VAR_DIR``). Secrets and
connection strings are *private*: each process gets only the ones it needs
(``NEEDS``), so e.g. the reference HMS never holds the signing key and Rasa never
holds the HMS token. Children get ``DEMO_ENV_FILE=none``: they read no secrets file,
only what they were given. Nothing private is ever put on a command line.

A secret another part adds to ``var/demo.env`` later (a name not listed here) goes to
the application processes that read ``assistant.config`` (gateway, action server, setup
commands) and to no other: list it in ``NEEDS`` to narrow it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# generated once into var/demo.env (mode 600) when absent
GENERATED_SECRETS = (
    "HMS_API_TOKEN",
    "ASSISTANT_SIGNING_KEY",
    "ASSISTANT_DATA_KEY",
    "RASA_AUTH_TOKEN",
    "RASA_WEBHOOK_TOKEN",
    "ASSISTANT_AUDIT_KEY",  # HMAC key of the audit chain (never in the database)
    "ASSISTANT_PRINCIPAL_KEY",  # signs the per-message principal gateway -> actions
)
PRIVATE = frozenset(
    {
        *GENERATED_SECRETS,
        "ASSISTANT_DATA_KEY_FILE",
        "ASSISTANT_AUDIT_KEY_FILE",
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "HMS_DATABASE_URL",
        "ASSISTANT_DATABASE_URL",
        "TRACKER_DATABASE_URL",
        "REDIS_URL",
    }
)
_DATA_KEY = ("ASSISTANT_DATA_KEY", "ASSISTANT_DATA_KEY_FILE")
_AUDIT_KEY = ("ASSISTANT_AUDIT_KEY", "ASSISTANT_AUDIT_KEY_FILE")
_SLACK = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN")
NEEDS: dict[str, frozenset[str]] = {
    "hms": frozenset({"HMS_API_TOKEN", "HMS_DATABASE_URL"}),
    "actions": frozenset(
        {
            "HMS_API_TOKEN",
            "ASSISTANT_PRINCIPAL_KEY",
            "ASSISTANT_DATABASE_URL",
            *_DATA_KEY,
            *_AUDIT_KEY,
        }
    ),
    "rasa": frozenset(
        {
            "RASA_AUTH_TOKEN",
            "RASA_WEBHOOK_TOKEN",
            "TRACKER_DATABASE_URL",
            "REDIS_URL",
            *_DATA_KEY,
        }
    ),
    "gateway": frozenset(
        {
            "HMS_API_TOKEN",
            "ASSISTANT_SIGNING_KEY",  # staff tokens
            "ASSISTANT_PRINCIPAL_KEY",  # the per-message principal
            "ASSISTANT_DATABASE_URL",
            "RASA_WEBHOOK_TOKEN",
            "RASA_AUTH_TOKEN",  # reads the NLU result of messages not understood (usage)
            "REDIS_URL",
            *_DATA_KEY,
            *_AUDIT_KEY,
            *_SLACK,
        }
    ),
    # one-off commands before the gateway starts (kiosk build-speech reads the HMS)
    "setup": frozenset({"HMS_API_TOKEN", "ASSISTANT_DATABASE_URL", *_DATA_KEY, *_AUDIT_KEY}),
    # PostgreSQL, redis-server, HAProxy: configuration files only
    "service": frozenset(),
}
APP_PROCESSES = frozenset({"gateway", "actions", "setup"})

# where the embedded stack would otherwise talk to something it did not start: tests
# (``inherit=False``) drop these from the caller's environment
EXTERNAL_SETTINGS = (
    "VAR_DIR",
    "DEMO_ENV_FILE",
    "HMS_BASE_URL",
    "RASA_URLS",
    "ACTION_URL",
    "HMS_DATABASE_URL",
    "ASSISTANT_DATABASE_URL",
    "TRACKER_DATABASE_URL",
    "REDIS_URL",
    "PRACTICE_HMS_BASE_URL",
    *GENERATED_SECRETS,
    "ASSISTANT_DATA_KEY_FILE",
    "ASSISTANT_AUDIT_KEY_FILE",
)


def is_private(name: str, extra_secrets: Iterable[str] = ()) -> bool:
    return name in PRIVATE or name in set(extra_secrets)


def process_env(
    stack_env: Mapping[str, str], role: str, file_secrets: Iterable[str] = ()
) -> dict[str, str]:
    """``stack_env`` without the private values ``role`` does not need."""
    needs = NEEDS.get(role, frozenset())
    unknown = set(file_secrets) - PRIVATE
    out = {}
    for name, value in stack_env.items():
        if name in PRIVATE and name not in needs:
            continue
        if name in unknown and role not in APP_PROCESSES:
            continue
        out[name] = value
    return out
