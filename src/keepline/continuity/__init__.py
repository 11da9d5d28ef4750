"""Continuity: the production plan under disruption (an LP solved with HiGHS) and the
risk exposure (time to survive, time to recover, performance impact) of every node."""
