import pytest

from assistant.identity.tokens import (
    CachedStaffDirectory,
    ExpiredToken,
    InMemoryRevocationList,
    InvalidToken,
    RevokedToken,
    StaffTokens,
    StoreRevocationList,
    UnknownStaff,
    decode_token,
    issue_token,
)

KEY = "test-signing-key-0123456789abcdef"


class Directory:
    def __init__(self, active: set[str]) -> None:
        self.active = active
        self.calls = 0

    async def is_active_staff(self, username: str) -> bool:
        self.calls += 1
        return username in self.active


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def make(clock=None, active=("n.jones",), revocations=None):
    return StaffTokens(
        KEY,
        revocations=revocations or InMemoryRevocationList(),
        directory=Directory(set(active)),
        ttl=3600,
        clock=clock or Clock(),
    )


async def test_tokens_issue_then_verify_gives_staff():
    tokens = make()
    token = tokens.issue("n.jones")
    parsed = await tokens.verify(token)
    assert parsed.staff == "n.jones"
    assert parsed.expires_at - parsed.issued_at == 3600


async def test_tokens_expired_token_refused():
    clock = Clock()
    tokens = make(clock)
    token = tokens.issue("n.jones")
    clock.now += 3600
    with pytest.raises(ExpiredToken):
        await tokens.verify(token)


async def test_tokens_revoked_token_refused_by_token_and_by_jti():
    tokens = make()
    first, second = tokens.issue("n.jones"), tokens.issue("n.jones")
    await tokens.revoke(first)
    with pytest.raises(RevokedToken):
        await tokens.verify(first)
    jti = (await tokens.verify(second)).jti
    await tokens.revoke(jti)
    with pytest.raises(RevokedToken):
        await tokens.verify(second)


async def test_tokens_other_key_refused():
    token = issue_token("another-key-that-is-long-enough-000", "n.jones")
    with pytest.raises(InvalidToken):
        await make().verify(token)


async def test_tokens_tampered_subject_refused():
    token = make().issue("n.jones")
    head, body, sig = token.split(".")
    forged = issue_token(KEY, "a.admin").split(".")[1]
    with pytest.raises(InvalidToken):
        await make().verify(f"{head}.{forged}.{sig}")


async def test_tokens_garbage_refused():
    with pytest.raises(InvalidToken):
        await make().verify("not-a-token")


async def test_tokens_wrong_audience_refused():
    import jwt

    token = jwt.encode(
        {"sub": "n.jones", "jti": "x", "iat": 1, "exp": 2_000_000_000, "aud": "other"},
        KEY,
        algorithm="HS256",
    )
    with pytest.raises(InvalidToken):
        decode_token(KEY, token, now=1_800_000_000)


async def test_tokens_inactive_staff_refused():
    tokens = make(active=())
    with pytest.raises(UnknownStaff):
        await tokens.verify(tokens.issue("a.nwosu"))


async def test_cached_directory_reuses_answer_until_ttl():
    clock = Clock()
    inner = Directory({"n.jones"})
    cached = CachedStaffDirectory(inner, ttl=60, clock=clock)
    assert await cached.is_active_staff("n.jones")
    assert await cached.is_active_staff("n.jones")
    assert inner.calls == 1
    clock.now += 61
    inner.active.clear()
    assert not await cached.is_active_staff("n.jones")
    assert inner.calls == 2


async def test_store_revocations_shared_between_store_instances(tmp_path):
    from assistant.store import open_store_at

    url = f"sqlite:///{tmp_path / 'store.db'}"
    first, second = open_store_at(url), open_store_at(url)
    try:
        tokens = make(revocations=StoreRevocationList(lambda: first))
        token = tokens.issue("n.jones")
        await tokens.revoke(token)
        await tokens.revoke(token)  # twice is fine
        other = make(revocations=StoreRevocationList(lambda: second))
        with pytest.raises(RevokedToken):
            await other.verify(token)
        assert not await StoreRevocationList(lambda: second).is_revoked("someotherjti")
    finally:
        first.close()
        second.close()
