"""The conversation: worksheets, the session engine, prompters, the console, wiring, reflection."""
