"""The Streamlit app over the session API; run it with ``make run`` (see ui/app.py)."""
