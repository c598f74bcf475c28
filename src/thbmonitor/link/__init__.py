"""Record linkage: reports of the same person become one person.

`link_persons(db)` rebuilds the persons tables from the stored reports.
"""

from thbmonitor.link.exact import METHOD
from thbmonitor.link.export import export_persons
from thbmonitor.link.persons import LinkResult, components, link_persons
from thbmonitor.link.quality import LinkQuality, pairwise_quality

__all__ = [
    "METHOD", "LinkQuality", "LinkResult", "components", "export_persons", "link_persons",
    "pairwise_quality",
]
