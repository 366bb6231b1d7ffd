"""FastAPI routers, one module per resource family, mounted under ``/fhir/R4``."""
