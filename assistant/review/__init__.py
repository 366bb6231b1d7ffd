"""The "not understood" review loop.

Messages that ended in the fallback (its first miss or its clarifying question) are kept
by the gateway (``capture``): PHI-redacted with ``assistant.logging.redact_phi``,
encrypted with the store's data key, with the NLU's top predictions read from the Rasa
tracker (``peek``). A trainer labels them (intent + entities in Rasa's markup) in the web
page ``/review/`` or with ``python -m assistant nlu review``; ``python -m assistant nlu
export-reviewed`` writes the labelled ones into ``training_data/nlu/reviewed.yml``
(deduplicated against all training data, with a header asking for a human diff), so the
next ``make model`` learns them. Kept messages follow the transcript retention
(``TRANSCRIPT_RETENTION_DAYS``; ``python -m assistant nlu purge``).
"""
