"""Meeting buyers and suppliers in their own formats: OCDS in and out, eForms codes, spreadsheets.

Everything here goes through the engine's services (checks, registration, events); nothing writes
the database by itself. Modules: `ocds_read` (packages and records to one compiled release per
process), `ocds_map` (a compiled release to contract records and instruments), `ocds_import`,
`ocds_export`, `eforms`, `sheets` (supplier template) and `exports` (ledgers and assessments).
"""
