"""cspotlp.cspm."""
