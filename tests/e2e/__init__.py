"""Whole conversations and sessions through real or virtual devices."""
