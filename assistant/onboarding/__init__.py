"""Role onboarding: what each role can do, with examples to tap, from the intent catalog
(``intents/catalog.yml``) and the role policy (``assistant/rbac/policy.yml``) - never a
hand-kept copy. Shown in Slack's App Home, as a first message when someone first talks to
the assistant on a channel, and on the kiosk after sign-in.
"""
