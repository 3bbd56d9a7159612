"""cspotlp.export."""
