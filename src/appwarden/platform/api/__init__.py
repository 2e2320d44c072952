"""The REST API: one router over every app's ``ROUTES`` plus the OpenAPI schema at ``/api/schema/``."""
