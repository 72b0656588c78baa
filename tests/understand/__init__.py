"""Tests of companion.understand."""
