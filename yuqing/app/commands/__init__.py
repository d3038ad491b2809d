"""CLI commands, one module per layer. Heavy imports stay inside the commands."""
