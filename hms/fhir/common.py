"""Small builders shared by the resource mappers: meta, references, codings, Bundle."""

from __future__ import annotations

from typing import Any

from hms.timeutil import instant

Json = dict[str, Any]


def meta(row: Any) -> Json:
    return {"versionId": str(row.version), "lastUpdated": instant(row.updated_at)}


def etag(version: int) -> str:
    return f'W/"{version}"'


def ref(resource_type: str, ident: str, display: str | None = None) -> Json:
    out: Json = {"reference": f"{resource_type}/{ident}"}
    if display:
        out["display"] = display
    return out


def coding(system: str, code: str, display: str | None = None) -> Json:
    out: Json = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def concept(system: str, code: str, display: str | None = None) -> Json:
    out: Json = {"coding": [coding(system, code, display)]}
    if display:
        out["text"] = display
    return out


def bundle(
    base: str,
    resources: list[Json],
    total: int,
    includes: list[Json] | None = None,
    next_url: str | None = None,
) -> Json:
    entries = [
        {
            "fullUrl": f"{base}/{r['resourceType']}/{r['id']}",
            "resource": r,
            "search": {"mode": "match"},
        }
        for r in resources
    ]
    entries += [
        {
            "fullUrl": f"{base}/{r['resourceType']}/{r['id']}",
            "resource": r,
            "search": {"mode": "include"},
        }
        for r in includes or []
    ]
    out: Json = {"resourceType": "Bundle", "type": "searchset", "total": total, "entry": entries}
    if next_url:
        out["link"] = [{"relation": "next", "url": next_url}]
    return out
