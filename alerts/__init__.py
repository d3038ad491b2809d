"""alerts layer."""
