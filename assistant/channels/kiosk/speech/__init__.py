"""Offline speech for the kiosk: recognition (STT), synthesis (TTS) and spoken-form rules.

Only this package (under ``assistant/channels``) imports audio libraries; engines are
imported lazily so a missing optional engine is a clear error, not an import failure.
"""
