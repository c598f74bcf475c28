"""Intake: read, validate, normalise and pseudonymise files; store or quarantine rows."""

from thbmonitor.ingest.catalogue import CATALOGUE, ErrorType
from thbmonitor.ingest.importer import import_file
from thbmonitor.ingest.kinds import IMPORT_ORDER, KINDS, Column, Kind, Type
from thbmonitor.ingest.pseudonymise import (
    BLOOM_BITS,
    BLOOM_HASHES,
    BLOOM_Q,
    Pseudonymiser,
    normalise_name,
    normalise_phone,
)
from thbmonitor.ingest.quarantine import quarantine_rows
from thbmonitor.ingest.report import ImportReport, RowError

__all__ = [
    "BLOOM_BITS", "BLOOM_HASHES", "BLOOM_Q", "CATALOGUE", "IMPORT_ORDER", "KINDS", "Column",
    "ErrorType", "ImportReport", "Kind", "Pseudonymiser", "RowError", "Type", "import_file",
    "normalise_name", "normalise_phone", "quarantine_rows",
]
