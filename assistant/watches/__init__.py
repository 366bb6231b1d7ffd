"""Proactive "bed freed" notices: watches, bed-change detection and delivery.

A staff member asks to be told when a (kind of) bed frees on a ward; ``WatchService``
polls the HMS with standard FHIR searches (free beds per ward/feature), so a bed made free
by the ADT feed, a chat status update or any API client is noticed alike, and the
requester gets a Slack DM, or the notice waits for their next kiosk sign-in.
"""
