"""Keep a PHI log filter's patient names current (a background thread).

The redaction filter (``phi_filter``) catches MRNs and "patient <Name>" on its own, but a
name in free text ("take Zebedee Quill to x-ray") is only caught when the filter knows the
name. ``start_name_refresh`` loads the names as soon as their source answers and refreshes
them every ``interval`` seconds (new admissions). Sources: the assistant's processes read
them over FHIR (``assistant.phi_names``), the reference HMS from its own database.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

log = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
REFRESH_SECONDS = 600.0


class NameRefresher(threading.Thread):
    """Daemon thread: load names (retrying until the first success), then refresh."""

    def __init__(
        self,
        phi_filter: Any,
        source: Callable[[], Iterable[str]],
        *,
        interval: float = REFRESH_SECONDS,
        retry: float = RETRY_SECONDS,
    ) -> None:
        super().__init__(name="phi-names", daemon=True)
        self._filter, self._source = phi_filter, source
        self._interval, self._retry = interval, retry
        self.loaded = threading.Event()
        self._stop = threading.Event()

    def load_once(self) -> bool:
        try:
            names = list(self._source())
        except Exception as exc:
            log.info("patient names for log redaction not loaded yet: %s", type(exc).__name__)
            return False
        self._filter.set_names(names)
        self.loaded.set()
        log.info("log redaction knows %d patient names", len(names))
        return True

    def run(self) -> None:
        while not self._stop.is_set():
            ok = self.load_once()
            self._stop.wait(self._interval if ok or self.loaded.is_set() else self._retry)

    def stop(self) -> None:
        self._stop.set()


def start_name_refresh(
    phi_filter: Any, source: Callable[[], Iterable[str]], **kwargs: Any
) -> NameRefresher:
    refresher = NameRefresher(phi_filter, source, **kwargs)
    refresher.start()
    return refresher
