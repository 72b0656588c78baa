"""companion: prepare a DBT coaching call out loud, offline."""

__version__ = "0.1.0"
