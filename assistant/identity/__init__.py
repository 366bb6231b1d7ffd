"""Who is asking: staff principals, the gateway's signature on them, staff tokens."""
