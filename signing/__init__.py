"""Digital signatures (not implemented yet: see README.md in this folder)."""
