"""crawler layer."""
