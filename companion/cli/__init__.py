"""The command line: one module per command, shared options, one place for messages and exit codes."""
