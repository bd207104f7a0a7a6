"""The documentation of a workshop: the report (HTML, PDF), data exports, the complete JSON
archive, and verification by the invited organisations."""
