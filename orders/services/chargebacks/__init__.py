"""Chargeback disputes: opening, importing, status moves, rebuttals, evidence and expiry."""

from .core import (
    chargeback_expire_due,
    chargeback_open,
    chargeback_rebuttal_save,
    chargeback_transition,
    chargeback_transitions_for_user,
    rebuttal_text_save,
)
from .evidence import chargeback_evidence_add
from .importer import ImportPreview, chargeback_import_apply, chargeback_import_preview

__all__ = [
    "ImportPreview",
    "chargeback_evidence_add",
    "chargeback_expire_due",
    "chargeback_import_apply",
    "chargeback_import_preview",
    "chargeback_open",
    "chargeback_rebuttal_save",
    "chargeback_transition",
    "chargeback_transitions_for_user",
    "rebuttal_text_save",
]
