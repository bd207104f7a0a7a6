"""Projects: a series of workshops followed by a project lead, side by side."""
