"""cspotlp: CSP process algebra with a proved correspondence to OpenTelemetry span forests."""

__version__ = "0.1.0"
__all__ = ["__version__"]
