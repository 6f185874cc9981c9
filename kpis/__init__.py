"""Passerelle's domain package: catalog, ingestion, store, metrics.

Never imports streamlit (a test says so); pages and the command line are the
edges that turn these results and errors into messages.
"""

__version__ = "0.1.0"
