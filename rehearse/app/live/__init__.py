"""Live practice through real audio devices: the analysis stream and the turn loop (no Qt)."""
