"""WS1: workshops, organisations, participants, statements and votes."""
