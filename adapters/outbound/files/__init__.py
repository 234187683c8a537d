"""Files out: canonical records written back to a file layout (the import's inverse)."""
