"""Pilot data import: legacy CSV exports and FHIR R4 Bundles (``python -m hms import``)."""
