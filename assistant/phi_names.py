"""Give every process's PHI log filter the hospital's patient names (from the HMS).

The redaction filter (``assistant.logging``) catches MRNs and "patient <Name>" on its
own, but a name in free text ("take Zebedee Quill to x-ray") is only caught when the
filter knows the name. ``start_name_refresh`` loads the names in a background thread as
soon as the HMS answers and refreshes them every ``interval`` seconds (new admissions):
the gateway and the action server read them over FHIR (``Patient`` search, following
``next`` links), the reference HMS reads its own database.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

import httpx

log = logging.getLogger(__name__)

PAGE = 500
RETRY_SECONDS = 5.0
REFRESH_SECONDS = 600.0


def full_names(resource: dict[str, Any]) -> list[str]:
    """``Patient.name`` entries as "Given Family" strings."""
    out = []
    for name in resource.get("name") or []:
        parts = [*(name.get("given") or []), name.get("family") or ""]
        text = " ".join(p for p in parts if p).strip() or name.get("text") or ""
        if text:
            out.append(text)
    return out


def fhir_patient_names(
    base_url: str, token: str, *, timeout: float = 10.0, client: httpx.Client | None = None
) -> list[str]:
    """Every patient's name from a FHIR R4 server (``GET Patient``, paged)."""
    own = client is None
    http = client or httpx.Client(timeout=timeout)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/fhir+json"}
    names: list[str] = []
    url: str | None = f"{base_url.rstrip('/')}/Patient?_count={PAGE}"
    try:
        while url:
            response = http.get(url, headers=headers)
            response.raise_for_status()
            bundle = response.json()
            for entry in bundle.get("entry") or []:
                names.extend(full_names(entry.get("resource") or {}))
            url = next(
                (link.get("url") for link in bundle.get("link") or []
                 if link.get("relation") == "next"),
                None,
            )  # fmt: skip
    finally:
        if own:
            http.close()
    return names


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


def hms_names_source(settings: Any) -> Callable[[], list[str]]:
    """Names over FHIR from ``HMS_BASE_URL`` with ``HMS_API_TOKEN`` (gateway, actions)."""
    return lambda: fhir_patient_names(
        settings.hms_base_url, settings.hms_api_token, timeout=settings.hms_timeout_seconds
    )
