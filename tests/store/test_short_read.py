"""``short_read``: a per-message read runs on the event loop for SQLite, in a worker
thread for a database across the network."""

import asyncio
import threading

from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from assistant.store import Store, short_read


def _thread_of_call(store: Store) -> threading.Thread:
    def which() -> threading.Thread:
        return threading.current_thread()

    return asyncio.run(short_read(store, which))


def test_short_read_runs_sqlite_reads_on_the_event_loop(store):
    assert store.reads_inline
    assert _thread_of_call(store) is threading.current_thread()


def test_short_read_sends_a_network_database_read_to_a_worker_thread():
    engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")  # never connects
    remote = Store(engine, sessionmaker(bind=engine), sessionmaker(bind=engine))
    assert not remote.reads_inline
    assert _thread_of_call(remote) is not threading.current_thread()


def test_short_read_gives_the_read_its_arguments_and_result(store):
    assert asyncio.run(short_read(store, lambda a, b: a + b, 2, 3)) == 5
