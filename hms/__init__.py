"""Reference Hospital Management System: a FHIR R4 subset on FastAPI + SQLAlchemy 2."""
