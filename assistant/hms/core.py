"""Plumbing shared by the parts of ``FhirHmsClient``: HTTP, actor header, ward index, staff."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Self

import httpx

from . import codec
from .codec import Json
from .errors import Invalid, NotFound
from .models import Staff, Ward
from .systems import DEFAULT_SYSTEMS, IdentifierSystems
from .transport import FhirHttp, Response, if_match, version_of


@dataclass
class _Shared:
    """State shared by a client and its ``with_actor`` views."""

    ward_ttl: float
    wards: dict[str, Ward] | None = None
    wards_at: float = 0.0
    usernames: dict[str, str] = field(default_factory=dict)  # Practitioner id -> username
    schedules: dict[str, Json] = field(default_factory=dict)


def with_version(resp: Response) -> Json:
    """The resource of a read, with ``meta.versionId`` filled from the ETag if missing."""
    res = resp.body
    etag_version = version_of(resp.etag)
    if etag_version and codec.version(res) is None:
        res.setdefault("meta", {})["versionId"] = etag_version
    return res


class ClientCore:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 5.0,
        retries: int = 2,
        backoff: float = 0.1,
        transport: httpx.AsyncBaseTransport | None = None,
        acting_staff: str | None = None,
        ward_cache_seconds: float = 60.0,
        systems: IdentifierSystems = DEFAULT_SYSTEMS,
    ) -> None:
        self._http = FhirHttp(
            base_url, token, timeout=timeout, retries=retries, backoff=backoff, transport=transport
        )
        self._shared = _Shared(ward_ttl=ward_cache_seconds)
        self._sys = systems
        self._actor = acting_staff
        self._owner = True

    @classmethod
    def from_settings(cls, settings: Any, **kwargs: Any) -> Self:
        """Build from ``assistant.config.Settings`` (base URL, token, timeout, retries,
        identifier systems and MRN pattern)."""
        kwargs.setdefault("timeout", float(getattr(settings, "hms_timeout_seconds", 5.0)))
        kwargs.setdefault("systems", IdentifierSystems.from_settings(settings))
        kwargs.setdefault("retries", int(getattr(settings, "hms_retries", 2)))
        return cls(settings.hms_base_url, settings.hms_api_token, **kwargs)

    def with_actor(self, username: str) -> Self:
        view = object.__new__(type(self))
        view.__dict__.update(self.__dict__)
        view._actor = username
        view._owner = False
        return view

    @property
    def acting_staff(self) -> str | None:
        return self._actor

    async def aclose(self) -> None:
        if self._owner:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- plumbing used by the mixins ----------------------------------------------------

    def _headers(self, version: str | None = None) -> dict[str, str]:
        headers = if_match(version)
        if self._actor:
            headers["X-Acting-Staff"] = self._actor
        return headers

    async def _get(self, kind: str, id_: str) -> Json:
        return with_version(await self._http.read(f"{kind}/{id_}"))

    async def _search(self, kind: str, params: dict[str, Any] | None = None) -> list[Json]:
        return await self._http.search_all(kind, params)

    async def _write(self, method: str, path: str, body: Json, version: str | None = None) -> Json:
        """POST/PUT ``body``; the stored resource (re-read if the server returned none)."""
        resp = await self._http.request(method, path, json=body, headers=self._headers(version))
        if resp.body.get("resourceType") == body["resourceType"]:
            return with_version(resp)
        where = resp.location or path
        kind_id = where.split("/_history")[0].rstrip("/").split("/")[-2:]
        return await self._get(kind_id[0], kind_id[1])

    @property
    def systems(self) -> IdentifierSystems:
        return self._sys

    async def ping(self) -> str:
        """The server's FHIR version (``GET /metadata``); raises ``HmsError`` if unusable."""
        body = (await self._http.read("metadata")).body
        if body.get("resourceType") != "CapabilityStatement":
            raise Invalid("HMS /metadata is not a CapabilityStatement")
        return str(body.get("fhirVersion") or "")

    # -- wards -------------------------------------------------------------------

    async def _locations(self) -> list[Json]:
        return await self._search("Location", {"_count": 500})

    def _remember_wards(self, locations: Iterable[Json]) -> dict[str, Ward]:
        wards = [codec.to_ward(r, self._sys) for r in locations if codec.physical_type(r) == "wa"]
        self._shared.wards = {w.id: w for w in sorted(wards, key=lambda w: w.code)}
        self._shared.wards_at = time.monotonic()
        return self._shared.wards

    async def _ward_index(self) -> dict[str, Ward]:
        shared = self._shared
        if shared.wards is None or time.monotonic() - shared.wards_at >= shared.ward_ttl:
            return self._remember_wards(await self._locations())
        return shared.wards

    async def list_wards(self) -> list[Ward]:
        return list((await self._ward_index()).values())

    async def get_ward(self, code_or_name: str) -> Ward:
        wanted = code_or_name.strip()
        if wanted:
            for ward in await self.list_wards():
                if ward.matches(wanted):
                    return ward
        raise NotFound("no such ward")

    # -- staff ---------------------------------------------------------------------------

    async def find_staff(
        self, username: str | None = None, email: str | None = None, name: str | None = None
    ) -> list[Staff]:
        """Staff by username, e-mail or name (FHIR ``name``: any part of the name)."""
        params: dict[str, Any] = {}
        if username:
            params["identifier"] = f"{self._sys.staff}|{username.strip()}"
        if email:
            params["email"] = email.strip()
        if name:
            params["name"] = " ".join(name.split())
        if not params:
            raise Invalid("give a username, an email or a name")
        wards = await self._ward_index()
        out = []
        for prac in await self._search("Practitioner", params):
            ref = f"Practitioner/{prac['id']}"
            roles = [
                r
                for r in await self._search("PractitionerRole", {"practitioner": ref})
                if codec.ref_id(r.get("practitioner"), "Practitioner") == prac["id"]
            ]
            staff = codec.to_staff(prac, roles, wards, self._sys)
            self._shared.usernames[staff.id] = staff.username
            out.append(staff)
        return out

    async def list_staff_with_role(self, role: str) -> list[Staff]:
        """Everyone holding ``role`` (PractitionerRole ``role`` search), e.g. clinicians."""
        roles = await self._search("PractitionerRole", {"role": f"{self._sys.role}|{role}"})
        ids = sorted(
            {i for r in roles if (i := codec.ref_id(r.get("practitioner"), "Practitioner"))}
        )
        wards = await self._ward_index()
        out = []
        for prac_id in ids:
            prac = await self._get("Practitioner", prac_id)
            mine = [
                r for r in roles if codec.ref_id(r.get("practitioner"), "Practitioner") == prac_id
            ]
            staff = codec.to_staff(prac, mine, wards, self._sys)
            self._shared.usernames[staff.id] = staff.username
            out.append(staff)
        return out

    async def list_staff_names(self) -> list[str]:
        """Display names of every active Practitioner (the staff directory, all pages)."""
        names = []
        for prac in await self._search("Practitioner", {"_count": 500}):
            if prac.get("active") is False:
                continue
            name = codec.display_name(prac.get("name"))
            if name:
                names.append(name)
        return sorted(set(names))

    async def _staff(self, username: str) -> Staff:
        found = await self.find_staff(username=username)
        if not found:
            raise NotFound("no such staff member")
        return found[0]
