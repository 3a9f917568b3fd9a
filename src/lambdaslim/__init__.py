"""lambdaslim: replace transport-only Lambda functions with direct integrations."""

__version__ = "0.1.0"
