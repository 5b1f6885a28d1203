"""cpt-public: publish protected findings from linked administrative data, and show them."""

__version__ = "0.1.0"
