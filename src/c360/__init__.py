"""c360: customer analytics for card portfolios."""

__version__ = "0.1.0"
