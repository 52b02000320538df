"""Cases and their jobs: intake (API, counter, CSV), the case and job lifecycles, search, history,
deadlines' status and the customer's tracking view."""
