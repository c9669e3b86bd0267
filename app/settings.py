"""Input budgets shared by every reader: one home for the limits (see README, "Limits")."""
from __future__ import annotations

MAX_NODES = 5_000            # nodes in one graph, after group expansion
MAX_EDGES = 50_000           # edges of every kind in one graph, after group expansion
MAX_GRAPH_TEXT = 2_000_000   # characters of graph text in any format
