"""What is kept on disk: atomic writes, locks, sessions, history, progress, settings, rendering."""
