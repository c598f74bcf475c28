"""Standard exports, each protected and audited: Eurostat (crim_thb), SDG 16.2.2 (CSV and
SDMX-CSV), CTDC.

>>> from thbmonitor.publish.exports import eurostat_export     # doctest: +SKIP
>>> export = eurostat_export(db, 2024)                         # doctest: +SKIP
>>> export.audit.ok                                            # doctest: +SKIP
True
>>> export.write_csv(sys.stdout)                               # doctest: +SKIP

See docs/publication.md for the layouts.
"""

from thbmonitor.publish.exports.ctdc import CtdcExport, KAnonymity, ctdc_export, k_anonymity
from thbmonitor.publish.exports.cube import Dimension, ProtectedCube, audit_cube, protect_cube
from thbmonitor.publish.exports.eurostat import EurostatExport, eurostat_export
from thbmonitor.publish.exports.sdg import SdgExport, load_population, sdg_export
from thbmonitor.publish.exports.sdmx import SdmxSdg, sdmx_sdg_export

__all__ = [
    "CtdcExport", "Dimension", "EurostatExport", "KAnonymity", "ProtectedCube", "SdgExport",
    "SdmxSdg", "audit_cube", "ctdc_export", "eurostat_export", "k_anonymity", "load_population",
    "protect_cube", "sdg_export", "sdmx_sdg_export",
]
