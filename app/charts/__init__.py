"""Altair chart builders: pure functions, data in, chart out (no Streamlit)."""
