"""Cases and their jobs.

- `intake`: every way a case comes in (API, counter, CSV rows) stored under one set of rules
  (`domain.assessment`); `intake_preview` the counter form's live feedback; `csv_format` and
  `csv_import` the Case Admin's file.
- `progress`: the only place a case's status changes; `visits` a job's life (planned, worked,
  closed or failed); `job_sync` keeps a case's jobs in step with its status.
- `queries` (a case by its number), `search` (the cases list), `history` (timeline),
  `deadline_status` (the one deadline status every screen shows), `places` (where a stop is),
  `tracking` (the customer's public page).
"""
