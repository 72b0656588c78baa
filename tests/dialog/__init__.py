"""Tests of companion.dialog."""
