"""The real servers the scale-out mode is tested against actually start and answer."""

import redis
import sqlalchemy as sa


def test_redis_server_answers_set_nx(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    assert client.set("k", "1", nx=True, ex=5) is True
    assert client.set("k", "2", nx=True, ex=5) is None
    assert client.get("k") == b"1"


def test_postgres_server_runs_queries(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("select 40 + 2")).scalar_one() == 42
    engine.dispose()
