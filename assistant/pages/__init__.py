"""Staff web pages on the gateway: the usage dashboard (``/dashboard/``), the "not
understood" review page (``/review/``) and Prometheus ``/metrics``.

Staff sign in with their staff token (``python -m assistant token issue --staff ...``),
which becomes an HttpOnly, SameSite=Strict session cookie; each page checks a role-policy
permission (``usage:read``, ``nlu:review``). The pages show no PHI.
"""
