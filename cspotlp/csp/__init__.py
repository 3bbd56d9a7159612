"""cspotlp.csp."""
