"""Tests of companion.voice."""
