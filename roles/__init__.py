"""The functional role catalogue for WS2 (roles, not titles)."""
