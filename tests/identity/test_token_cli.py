import pytest

from assistant.__main__ import main
from assistant.identity.tokens import decode_token

KEY = "cli-test-signing-key-0123456789abcdef"


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    monkeypatch.setenv("ASSISTANT_SIGNING_KEY", KEY)
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", f"sqlite:///{tmp_path / 'assistant.db'}")
    return tmp_path


def test_token_cli_issue_prints_token_for_staff(env, capsys):
    assert main(["token", "issue", "--staff", "n.jones", "--no-check", "--ttl", "600"]) == 0
    token = capsys.readouterr().out.strip()
    parsed = decode_token(KEY, token)
    assert parsed.staff == "n.jones"
    assert parsed.expires_at - parsed.issued_at == 600


def test_token_cli_issue_refuses_unknown_staff(env, capsys, monkeypatch):
    import assistant.cli.token as cli

    async def not_active(username):
        return False

    monkeypatch.setattr(cli, "_staff_active", not_active)
    assert main(["token", "issue", "--staff", "x.nobody"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "not an active staff member" in captured.err


def test_token_cli_revoke_recorded_in_store(env, capsys):
    from assistant.config import get_settings
    from assistant.gateway.app import default_revocations, store_opener

    main(["token", "issue", "--staff", "n.jones", "--no-check"])
    token = capsys.readouterr().out.strip()
    assert main(["token", "revoke", token]) == 0
    assert "revoked token" in capsys.readouterr().out
    jti = decode_token(KEY, token).jti
    revocations = default_revocations(store_opener(get_settings()))
    import asyncio

    assert asyncio.run(revocations.is_revoked(jti))


def test_token_cli_revoke_rejects_garbage(env, capsys):
    assert main(["token", "revoke", "not a token!"]) == 2
    assert "not a token" in capsys.readouterr().err
