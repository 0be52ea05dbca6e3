"""The web shell: FastAPI serving the /v1 API (NL API Design Rules) and Dutch HTML pages."""
