"""The patient journey (WS2): exchange format, graphs, gap analysis and diagrams."""
