"""The only Streamlit-aware part of app/: session state, caching, error display, shared widgets."""
