"""Effect estimation on DoWhy: identify → estimate → refute → sensitivity, plus subgroup effects.

Importing this package is cheap: DoWhy (~2.4 s) is imported inside the functions that use it.
"""
from app.estimation.estimators import METHODS, MethodAvailability, MethodInfo
from app.estimation.evalue import EValue
from app.estimation.identify import Estimand, identify_estimand
from app.estimation.mediation import MediationResult, check_mediation, mediation_effects
from app.estimation.overlap import OverlapResult, overlap_diagnostics
from app.estimation.pipeline import (
    EffectEstimate,
    NaiveDifference,
    available_methods,
    default_roles,
    estimate_effect,
)
from app.estimation.refute import KINDS as REFUTATIONS
from app.estimation.refute import RefutationResult, refutation_suite, refute
from app.estimation.sensitivity import SensitivityResult, sensitivity
from app.estimation.subgroups import SubgroupEffects, subgroup_effects

__all__ = [
    "METHODS", "MethodAvailability", "MethodInfo", "Estimand", "identify_estimand",
    "EffectEstimate", "EValue", "NaiveDifference", "available_methods", "default_roles",
    "estimate_effect", "MediationResult", "check_mediation", "mediation_effects", "OverlapResult", "overlap_diagnostics", "REFUTATIONS", "RefutationResult",
    "refute", "refutation_suite",
    "SensitivityResult", "sensitivity", "SubgroupEffects", "subgroup_effects",
]
