"""Graph analysis: d-separation and paths, adjustment, front-door and instrumental variables,
identification (ID algorithm), testable implications checked on data, and node roles.

Pure functions over a CausalGraph (no Streamlit); every question that does not fit the graph
raises app.errors.QueryError with a message for the user.
"""
from app.analysis.adjustment import (
    AdjustmentCheck,
    CanonicalSet,
    Instrument,
    adjustment_sets,
    canonical_adjustment_set,
    check_adjustment_set,
    frontdoor_sets,
    instruments,
)
from app.analysis.derived import (
    BackDoorGraph,
    back_door_graph,
    canonicalize,
    latent_projection,
    measurement_part,
    orient_pdag,
    structural_part,
    to_mag,
)
from app.analysis.dseparation import d_separated
from app.analysis.identification import Estimand, identify
from app.analysis.implications import (
    BasisStatement,
    ImplicationReport,
    ImplicationTest,
    Independence,
    basis_set,
    ci_test,
    implied_independencies,
    test_implications,
)
from app.analysis.paths import Blocker, PathInfo, PathList, open_paths
from app.analysis.roles import ROLE_LABELS, node_roles
from app.analysis.simulation import simulate_logistic, simulate_sem
from app.analysis.tetrads import (
    Tetrad,
    TetradTest,
    implied_covariance,
    test_tetrads,
    vanishing_tetrads,
)

__all__ = [
    "AdjustmentCheck", "BackDoorGraph", "BasisStatement", "Blocker", "CanonicalSet", "Estimand",
    "ImplicationReport", "ImplicationTest", "Independence", "Instrument", "PathInfo", "PathList",
    "ROLE_LABELS", "Tetrad", "TetradTest", "adjustment_sets", "back_door_graph", "basis_set", "ci_test",
    "canonical_adjustment_set", "canonicalize", "check_adjustment_set", "d_separated",
    "frontdoor_sets", "identify", "implied_covariance", "implied_independencies", "instruments",
    "latent_projection", "measurement_part", "node_roles", "open_paths", "orient_pdag",
    "simulate_logistic", "simulate_sem", "structural_part", "test_implications", "test_tetrads", "to_mag",
    "vanishing_tetrads",
]
