"""cspotlp.verify."""
