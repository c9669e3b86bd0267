"""Every limit and every environment variable Causal Canvas reads, in one place.

Each input has a budget, enforced where the input is expanded (a zip member as it inflates, a
Parquet file from its row-group metadata, a graph after group expansion), not only where its
bytes are read. Modules import their limits from here; the README's "Limits" table lists them.
Environment variables are read at call time through `env`, so tests and deployments can set them.
"""
from __future__ import annotations

import os

# ---- environment variables ------------------------------------------------------------------
ENV_DB_URL = "CAUSAL_CANVAS_DB_URL"                 # database URL (default: SQLite in the data dir)
ENV_DATA_DIR = "CAUSAL_CANVAS_DATA_DIR"             # folder of the default SQLite file (.data/)
ENV_SQLITE_SYNC = "CAUSAL_CANVAS_SQLITE_SYNCHRONOUS"  # FULL (default) or NORMAL
ENV_LESSONS = "CAUSAL_CANVAS_LESSONS"               # extra lesson folders, os.pathsep-separated
ENV_EXECUTOR = "CAUSAL_CANVAS_EXECUTOR"             # bootstrap executor: local, ray or dask
ENV_RAY_ADDRESS = "RAY_ADDRESS"                     # Ray cluster to join (executor "ray")
ENV_DASK_SCHEDULER = "DASK_SCHEDULER_ADDRESS"       # Dask scheduler (executor "dask")
ENV_PG_BIN = "PG_BIN"                               # PostgreSQL binaries for the test server
ENV_PYTHONPATH = "PYTHONPATH"                       # kept, after the app's folder, for child processes
ENV_XDG_DATA_HOME = "XDG_DATA_HOME"                 # an installed app's data folder (Linux)
ENV_LOCALAPPDATA = "LOCALAPPDATA"                   # an installed app's data folder (Windows)


def env(name: str, default: str = "") -> str:
    """The environment variable `name`, stripped, or `default` when unset or blank."""
    return os.environ.get(name, "").strip() or default


def set_env(name: str, value: str) -> None:
    """Set an environment variable for this process and its children (the command line uses it
    to point the lesson loader at a teacher's folder)."""
    os.environ[name] = value


def child_environment(**changes: str) -> dict[str, str]:
    """A copy of this process's environment with `changes`, for a child process."""
    return {**os.environ, **changes}


# ---- uploaded tables (app.data) -------------------------------------------------------------
MAX_UPLOAD_BYTES = 200 * 1024 * 1024   # = .streamlit/config.toml [server] maxUploadSize (MB)
MAX_COLUMNS = 2_000                    # columns in one table
MAX_ROWS = 5_000_000                   # rows in one table, after decompression
MAX_CELLS = 10_000_000                 # rows x columns after decompression (Parquet, .ccw, CSV)
MAX_DECODED_BYTES = 400 * 1024 * 1024  # Arrow bytes a Parquet file may decode to
MAX_COLUMN_NAME = 200                  # characters in a column name
MAX_CATEGORIES = 500                   # distinct values a column may have and still be categorical

# ---- graphs (app.graph, app.io) -------------------------------------------------------------
MAX_NODES = 5_000                      # variables in one graph
MAX_EDGES = 50_000                     # edges, counted after group expansion ({a b} -> {c d})
MAX_GRAPH_TEXT = 2_000_000             # characters of graph text (DAGitty, DOT, GML, JSON)

# ---- workspace files (.ccw) and share links -------------------------------------------------
MAX_WORKSPACE_FILE_BYTES = 250 * 1024 * 1024   # the .ccw file as uploaded
MAX_WORKSPACE_MANIFEST_BYTES = 5 * 1024 * 1024  # workspace.json after decompression
MAX_WORKSPACE_DATA_BYTES = MAX_UPLOAD_BYTES    # data.csv after decompression
MAX_WORKSPACE_ENTRIES = 16                     # members in the zip
MAX_WORKSPACE_NAME = 120                       # characters in a workspace name
MAX_SHARE_TOKEN = 64_000                       # characters in a ?g= share link parameter
MAX_SHARE_JSON = 2_000_000                     # bytes of a share link after decompression
MAX_STORED_WORKSPACE_BYTES = 50 * 1024 * 1024  # one workspace saved in the library
MAX_STORED_WORKSPACES = 200                    # workspaces per library key

# ---- lessons --------------------------------------------------------------------------------
MAX_LESSON_FILE_BYTES = 200_000        # lesson.md
MAX_FORMAT_WIDTH = 200                 # width or precision in a {{name:spec}} placeholder
MAX_LESSON_MINUTES = 600               # the `minutes:` a lesson may declare
MAX_YAML_NESTING = 50                  # depth of lists/maps in a lesson's front matter
CHECKER_TIMEOUT_S = 15.0               # wall time for one lesson trial (imports the app: ~1 s quiet)
CHECKER_MEMORY_BYTES = 1024 * 1024 * 1024  # address space of the checker's process

# ---- causal discovery -----------------------------------------------------------------------
MAX_DISCOVERY_VARIABLES = {"pc": 300, "fci": 60, "ges": 60, "hc": 100, "lingam": 100, "cdnod": 60}
KCI_MAX_ROWS = 1_500                   # rows a kernel CI test may use (it is O(n^3))
DISCOVERY_MAX_DEPTH = 3                # largest conditioning set PC/FCI/CD-NOD test by default
FCI_MAX_PATH_LENGTH = 3                # longest possible-D-SEP / discriminating path FCI follows
DISCOVERY_TIMEOUT_S = 120.0            # wall time for one discovery run before it stops
DISCOVERY_CI_CACHE = 200_000           # p-values one search keeps (then the cache starts over)

# ---- storage --------------------------------------------------------------------------------
SQLITE_BUSY_TIMEOUT_MS = 30_000        # how long a writer waits for the SQLite lock

# ---- models (app.models.options) ------------------------------------------------------------
MAX_CPT_EDIT_CELLS = 200_000           # values in all hand-edited probability tables of a workspace
# ---- equivalence classes (Analyse page) -----------------------------------------------------
MAX_CLASS_MEMBERS = 1_000              # member DAGs `equivalence_class` lists (the count is exact)
MAX_CLASS_MEMBERS_DRAWN = 12           # member DAGs drawn side by side on the Analyse page
MAX_COLOURED_PATHS = 2_000             # open paths followed to colour causal/biasing edges
# ---- estimation -----------------------------------------------------------------------------
IDA_MAX_SIBLINGS = 8                   # undecided edges at the treatment IDA orients every way
# ---- background knowledge files (app.discovery.knowledge_file) ------------------------------
MAX_KNOWLEDGE_TEXT = 2_000_000         # characters of a Tetrad knowledge file
# ---- attribution: why did the outcome change (app.attribution) ------------------------------
ATTRIBUTION_MAX_ROWS = 200_000         # rows of each dataset used (a larger one is sampled down)
ATTRIBUTION_MAX_NODES = 60             # nodes upstream of the outcome (outcome included)
ATTRIBUTION_EXACT_NODES = 12           # up to this many upstream nodes Shapley values are exact
ATTRIBUTION_PERMUTATIONS = 200         # sampled permutations beyond that (seeded; error stated)
# ---- DAGitty-style analyses (app.analysis) ------------------------------------------------
MAX_ALL_PAIRS_QUERIES = 200_000        # separation queries implied_independencies(kind="all_pairs") may make
MAX_QUADRUPLES = 20_000                # sets of four variables vanishing_tetrads examines (~10 s)
MAX_PROJECTION_NODES = 1_500           # nodes of a DAG to_mag / canonicalize project (~1 s at 1,000)
