"""cspotlp.otlp."""
