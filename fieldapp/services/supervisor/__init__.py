"""Supervision: review and approval of closed jobs, the dashboard figures and the monthly
statement."""
