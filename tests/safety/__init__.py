"""Tests of companion.safety."""
