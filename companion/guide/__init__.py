"""Guided skills: the scripts as data, their loader, the timed player, and running a practice."""
