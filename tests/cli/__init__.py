"""Tests of companion.cli."""
