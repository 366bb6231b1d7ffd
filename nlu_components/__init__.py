"""Custom Rasa NLU components (loaded by Rasa 3.6 in ``.venv-rasa`` only; see config.yml)."""
