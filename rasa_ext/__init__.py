"""Code that runs inside the Rasa environment (.venv-rasa, Python 3.10).

Kept apart from ``assistant/`` (Python 3.11): it may import ``rasa`` and nothing from
the application environment.
"""
