"""THB Monitor: national monitoring of trafficking in human beings."""

__version__ = "0.1.0"

__all__ = ["__version__"]
