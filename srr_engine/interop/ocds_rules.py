"""How releases of one process are merged (OCDS merge rules), so importing needs no schema download.

`SCHEMA_RULES` are the rules of the OCDS 1.1.5 release schema patched with the sustainability and
otherRequirements extensions, as `ocdsmerge.get_merge_rules` computes them from the copies in
`tests/data/ocds/schema/` (a test checks they still agree). `LOT_RULES` add the same extensions' lot
fields (the lots extension is not in the core schema): lists without ids are replaced, not appended.
"""

from __future__ import annotations

SCHEMA_RULES: dict[tuple[str, ...], str] = {
    ('awards', 'amendment', 'changes'): 'wholeListMerge',
    ('awards', 'amendments', 'changes'): 'wholeListMerge',
    ('awards', 'items', 'additionalClassifications'): 'wholeListMerge',
    ('awards', 'suppliers', 'additionalIdentifiers'): 'wholeListMerge',
    ('buyer', 'additionalIdentifiers'): 'wholeListMerge',
    ('contracts', 'amendment', 'changes'): 'wholeListMerge',
    ('contracts', 'amendments', 'changes'): 'wholeListMerge',
    ('contracts', 'implementation', 'transactions', 'payee', 'additionalIdentifiers'): 'wholeListMerge',
    ('contracts', 'implementation', 'transactions', 'payer', 'additionalIdentifiers'): 'wholeListMerge',
    ('contracts', 'items', 'additionalClassifications'): 'wholeListMerge',
    ('contracts', 'relatedProcesses', 'relationship'): 'wholeListMerge',
    ('date',): 'omitWhenMerged',
    ('id',): 'omitWhenMerged',
    ('parties', 'additionalIdentifiers'): 'wholeListMerge',
    ('parties', 'roles'): 'wholeListMerge',
    ('relatedProcesses', 'relationship'): 'wholeListMerge',
    ('tag',): 'omitWhenMerged',
    ('tender', 'additionalProcurementCategories'): 'wholeListMerge',
    ('tender', 'amendment', 'changes'): 'wholeListMerge',
    ('tender', 'amendments', 'changes'): 'wholeListMerge',
    ('tender', 'items', 'additionalClassifications'): 'wholeListMerge',
    ('tender', 'otherRequirements', 'reservedParticipation'): 'wholeListMerge',
    ('tender', 'procuringEntity', 'additionalIdentifiers'): 'wholeListMerge',
    ('tender', 'submissionMethod'): 'wholeListMerge',
    ('tender', 'sustainability'): 'wholeListMerge',
    ('tender', 'tenderers', 'additionalIdentifiers'): 'wholeListMerge',
}

LOT_RULES: dict[tuple[str, ...], str] = {
    ("tender", "lots", "sustainability"): "wholeListMerge",
    ("tender", "lots", "otherRequirements", "reservedParticipation"): "wholeListMerge",
}

MERGE_RULES: dict[tuple[str, ...], str] = {**SCHEMA_RULES, **LOT_RULES}
