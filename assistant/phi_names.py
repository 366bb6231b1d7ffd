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
from collections.abc import Callable
from typing import Any

import httpx

from phi_filter.names import (  # the refresher is neutral: the reference HMS uses it too
    REFRESH_SECONDS,
    RETRY_SECONDS,
    NameRefresher,
    start_name_refresh,
)

log = logging.getLogger(__name__)

PAGE = 500
__all__ = [
    "REFRESH_SECONDS",
    "RETRY_SECONDS",
    "NameRefresher",
    "fhir_patient_names",
    "full_names",
    "hms_names_source",
    "start_name_refresh",
]


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


def hms_names_source(settings: Any) -> Callable[[], list[str]]:
    """Names over FHIR from ``HMS_BASE_URL`` with ``HMS_API_TOKEN`` (gateway, actions)."""
    return lambda: fhir_patient_names(
        settings.hms_base_url, settings.hms_api_token, timeout=settings.hms_timeout_seconds
    )
