"""Data quality per organisation: what each organisation delivered for a year, and how well.

>>> quality = data_quality(db, 2024)                       # doctest: +SKIP
>>> quality.to_dict()["organisations"][0]["reports"]       # doctest: +SKIP

See docs/quality.md.
"""

from thbmonitor.quality.organisations import (
    FIELDS,
    DataQuality,
    OrganisationQuality,
    data_quality,
)

__all__ = ["FIELDS", "DataQuality", "OrganisationQuality", "data_quality"]
