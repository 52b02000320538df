"""The courier's phone: `route` (their published routes and stops), `sync` (the actions queued
offline, each applied exactly once), `stop_actions` (what each action does at the stop)."""
