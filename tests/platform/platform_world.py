"""Moved to tests/worlds.py. This re-export keeps branches written before the move
importable until the lead's final merge; delete it (and this package) then."""

from tests.worlds import PASSWORD, XUZHOU, ZHENGZHOU, A, B, World, build_world, roster_csv

__all__ = ["PASSWORD", "XUZHOU", "ZHENGZHOU", "A", "B", "World", "build_world", "roster_csv"]
