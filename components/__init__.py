"""Custom Streamlit components of Causal Canvas (plain JavaScript, no build step)."""
