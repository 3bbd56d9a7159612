"""cspotlp.render."""
