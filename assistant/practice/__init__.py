"""Practice mode: staff try the assistant on a training hospital where nothing is real.

A staff member switches it on ("practice mode", the App Home button, the kiosk tile, or
``"practice": true`` on the REST channel). Their conversations then run in a separate
conversation namespace (``practice-<id>``) whose signed principal carries
``practice: true``; the action server serves those from the practice HMS (a second
reference HMS, seeded with another seed: made-up patients) with audit events marked
``[practice]``, and no help-desk ticket is ever opened. Every reply is labelled
"PRACTICE — nothing is real". A short guided tour per role suggests requests to try and
confirms each one done.
"""
