"""Rapport's logic, callable without a request: from the API, the dashboard and the CLI."""
