"""Rasa action server: one guarded action module per domain (see actions/base.py)."""
