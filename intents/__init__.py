"""Intent catalog (data) and its validator."""
