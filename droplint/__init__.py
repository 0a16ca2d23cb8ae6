"""droplint: a static linter for dropout in neural-network model files."""

__version__ = "0.1.0"
