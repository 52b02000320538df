"""Supervision: `approval` (the review queue of closed jobs, approve and reject), `figures`
(the dashboard), `statement` (the monthly statement for invoicing a manufacturer)."""
