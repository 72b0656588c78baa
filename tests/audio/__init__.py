"""Tests of companion.audio."""
