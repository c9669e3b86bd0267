"""Helpers for tests and benchmarks that are not part of the app (e.g. a throwaway PostgreSQL)."""
