"""REST API, live event stream and metrics (FastAPI)."""
