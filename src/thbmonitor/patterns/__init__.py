"""Pattern signals for analysts: carousel movement and networks of shared identifiers.

Restricted output: leads about identifiable people, for human review, never
published (only `pattern_summary`'s aggregate counts may reach the report).
Every read is written to the audit log. See docs/patterns.md.

    carousel_leads(db, year, window)   persons whose movement fits the carousel rule
    find_networks(db, year)            groups linked by shared identifiers
    explain_link(db, a, b)             the chain of identifiers between two persons
    flag_rates(db, year)               flag rates by nationality group (fairness check)
    pattern_summary(db, year)          aggregate counts for the annual report
    pattern_quality(db, truth, year)   precision and recall against synthetic ground truth
"""

from thbmonitor.patterns.carousel import INDICATORS, CarouselLeads, carousel_leads, evaluate_rule
from thbmonitor.patterns.explain import Explanation, explain_link
from thbmonitor.patterns.fairness import FairnessReport, flag_rates
from thbmonitor.patterns.features import FEATURES, WINDOWS, person_features
from thbmonitor.patterns.networks import NetworkResult, find_networks
from thbmonitor.patterns.quality import pattern_quality
from thbmonitor.patterns.settings import PATTERN_SETTINGS, RULES_VERSION, effective_settings
from thbmonitor.patterns.summary import pattern_summary

__all__ = [
    "FEATURES", "INDICATORS", "PATTERN_SETTINGS", "RULES_VERSION", "WINDOWS", "CarouselLeads",
    "Explanation", "FairnessReport", "NetworkResult", "carousel_leads", "effective_settings",
    "evaluate_rule", "explain_link", "find_networks", "flag_rates", "pattern_quality",
    "pattern_summary", "person_features",
]
