"""What an automatic analysis returns: every number and every choice, with the rule behind it.

`ReportResult` is a frozen record of one run of `app.report.make_report`; the HTML and Markdown
renderers only format it (they compute nothing), so the report and the Python API always show
the same numbers.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from app.graph import CausalGraph


@dataclass(frozen=True)
class Rule:
    """One stated rule: what it says, whether it applied to these data, and what it decided."""

    name: str
    text: str
    applied: bool
    outcome: str = ""


@dataclass(frozen=True)
class Conflict:
    """A disagreement between the user's graph (or knowledge) and what discovery found."""

    kind: str                 # "not_found" | "reversed" | "latent" | "extra" | "not_added"
    #                           | "outside" / "outside_both" (a column your graph leaves out)
    edge: str                 # e.g. "age → educ"
    text: str
    confidence: float | None = None   # bootstrap share behind the learned side, if known


@dataclass(frozen=True)
class EstimateRow:
    """One estimator run (or why it could not run), with the settings needed to repeat it."""

    method: str
    label: str
    kind: str                            # "backdoor" | "frontdoor" | "iv" | "plug-in"
    adjustment_set: tuple[str, ...]
    why: str
    value: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    ci_method: str = ""
    n_rows: int = 0
    error: str = ""
    primary: bool = False

    @property
    def ok(self) -> bool:
        return self.value is not None and not self.error

    @property
    def has_ci(self) -> bool:
        return self.ci_low is not None and self.ci_high is not None

    @property
    def ci_excludes_zero(self) -> bool:
        return self.has_ci and (self.ci_low > 0 or self.ci_high < 0)


@dataclass(frozen=True)
class Alternative:
    """The analysis repeated on a slightly different graph: does the conclusion survive?"""

    change: str
    reason: str
    identifiable: bool
    adjustment_set: tuple[str, ...] | None = None
    value: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    changes_conclusion: bool | None = None
    note: str = ""


@dataclass(frozen=True)
class Check:
    """One line of the verdict: "pass", "warn" or "info", and the sentence that explains it."""

    name: str
    status: str
    text: str


@dataclass(frozen=True)
class ReportSettings:
    """Every input that shapes the report besides the data and graph; all seeds included."""

    treatment: str
    outcome: str
    bootstrap: int = 50
    seed: int = 0
    alpha: float = 0.05
    method: str = "auto"
    use_graph: bool = True
    add_learned: bool = True
    strong_edge: float = 0.9
    keep_edge: float = 0.5
    latent: bool | None = None
    domain_column: str | None = None
    outcome_last: bool = True
    treatment_value: Any = None
    control_value: Any = None
    refutation_simulations: int | None = None
    max_rows: int = 20_000
    mediators: tuple[str, ...] = ()       # split the effect into direct and indirect parts

    @classmethod
    def build(cls, treatment: str | None = None, outcome: str | None = None,
              settings: ReportSettings | None = None, **options: Any) -> ReportSettings:
        """Settings from `settings` (if given) with treatment, outcome and any field in
        `options` replaced, normalised as make_report expects (strings, lower-case method,
        booleans, a tuple of mediators). An unknown option is a TypeError, as for any call."""
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(options) - names)
        if unknown:
            raise TypeError(f"make_report() got an unexpected keyword argument '{unknown[0]}'")
        values = {f.name: getattr(settings, f.name) for f in fields(cls)} if settings else {}
        values.update(options)
        if treatment is not None:
            values["treatment"] = treatment
        if outcome is not None:
            values["outcome"] = outcome
        for key in ("treatment", "outcome"):
            values[key] = "" if values.get(key) is None else str(values[key])
        values["method"] = str(values.get("method", "auto")).lower()
        for key in ("use_graph", "add_learned", "outcome_last"):
            if key in values:
                values[key] = bool(values[key])
        mediators = values.get("mediators") or ()
        values["mediators"] = ((str(mediators),) if isinstance(mediators, str)
                               else tuple(dict.fromkeys(map(str, mediators))))
        return cls(**values)

    @property
    def seeds(self) -> dict[str, int]:
        """Where the one seed goes (each step draws from its own generator seeded with it)."""
        return {"discovery bootstrap (resample i uses the seed pair (seed, i))": self.seed,
                "estimator bootstrap intervals and cross-fitting": self.seed,
                "refutations (placebo shuffles, random covariates, subsets)": self.seed}


@dataclass(frozen=True)
class ReportResult:
    """The whole automatic analysis: profile → discovery → graph → checks → estimates → verdict."""

    settings: ReportSettings
    dataset_name: str
    fingerprint: str
    n_rows: int
    n_columns: int
    profile: Any                                   # app.data.DataProfile
    profile_notes: tuple[str, ...]
    variables: tuple[str, ...]                     # used for discovery
    excluded: tuple[tuple[str, str], ...]          # (column, why left out)
    method_rules: tuple[Rule, ...]
    knowledge_summary: tuple[str, ...]
    discovery: Any                                 # app.discovery.DiscoveryResult | None
    discovery_error: str
    user_graph: CausalGraph | None
    graph_source: str                              # "learned" | "yours" | "merged"
    merge_rules: tuple[Rule, ...]
    conflicts: tuple[Conflict, ...]
    added_edges: tuple[str, ...]
    final_graph: CausalGraph
    graph_notes: tuple[str, ...]
    implications: Any                              # app.analysis.ImplicationReport | None
    implications_note: str
    estimand: Any                                  # app.analysis.Estimand
    minimal_sets: tuple[tuple[str, ...], ...]
    efficient_set: tuple[str, ...] | None
    instruments: tuple[str, ...]
    frontdoor_sets: tuple[tuple[str, ...], ...]
    estimator_rules: tuple[Rule, ...]
    estimates: tuple[EstimateRow, ...]
    naive: Any                                     # app.estimation.NaiveDifference | None
    coding: Mapping[str, Any]
    estimation_notes: tuple[str, ...]
    refutations: tuple[Any, ...]                   # app.estimation.RefutationResult
    refutation_note: str
    sensitivity: Any                               # app.estimation.SensitivityResult | None
    sensitivity_note: str
    alternatives: tuple[Alternative, ...]
    possible_effects: tuple[Alternative, ...]      # orientations of undecided edges at T (IDA)
    assumptions: tuple[str, ...]
    what_would_change: tuple[str, ...]
    checks: tuple[Check, ...]
    verdict: str
    headline: str
    versions: tuple[tuple[str, str], ...]
    mediation_check: Any = None                    # app.estimation.mediation.MediationCheck
    mediation: Any = None                          # app.estimation.MediationResult | None
    mediation_note: str = ""                       # why the effect could not be split
    effect_estimates: tuple[Any, ...] = field(default=(), repr=False, compare=False)
    timings: Mapping[str, float] = field(default_factory=dict, repr=False, compare=False)

    @property
    def treatment(self) -> str:
        return self.settings.treatment

    @property
    def outcome(self) -> str:
        return self.settings.outcome

    @property
    def primary(self) -> EstimateRow | None:
        """The estimate the verdict is about (the first that ran)."""
        return next((e for e in self.estimates if e.primary and e.ok), None)

    def __str__(self) -> str:
        lines = [f"Causal analysis of {self.treatment} → {self.outcome} on {self.dataset_name} "
                 f"({self.n_rows:,} rows × {self.n_columns} columns)", f"Verdict: {self.verdict}"]
        if self.headline:
            lines.append(self.headline)
        for e in self.estimates:
            if e.ok:
                ci = (f" (95% CI {e.ci_low:.4g} to {e.ci_high:.4g})" if e.has_ci else "")
                lines.append(f"  {e.label}: {e.value:.4g}{ci}")
            else:
                lines.append(f"  {e.label}: not computed ({e.error})")
        lines += [f"  [{c.status}] {c.name}: {c.text}" for c in self.checks]
        return "\n".join(lines)


__all__ = ["Alternative", "Check", "Conflict", "EstimateRow", "ReportResult", "ReportSettings",
           "Rule"]
