"""keepline: keep a plant producing, safely, through an epidemic."""

__version__ = "0.1.0"
