"""Reports: the same analysis as JSON (schema 1) or as text for a terminal."""
