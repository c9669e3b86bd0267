"""Why did the outcome change? Shapley attribution of a distribution change to the mechanisms
that changed (Budhathoki et al. 2021) and of one unit's outlier score to upstream noise
(Budhathoki et al. 2022). DoWhy GCM's version is in `reference` (imported on use)."""
from app.attribution.anomaly import AnomalyAttribution, anomaly_attribution, outlier_scores
from app.attribution.change import (
    MEASURES,
    ChangeAttribution,
    NodeShare,
    distribution_change,
)
from app.attribution.mechanisms import split_by_rows, split_by_value, upstream

__all__ = ["MEASURES", "AnomalyAttribution", "ChangeAttribution", "NodeShare",
           "anomaly_attribution", "distribution_change", "outlier_scores", "split_by_rows",
           "split_by_value", "upstream"]
