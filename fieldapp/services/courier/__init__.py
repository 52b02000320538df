"""The courier's phone: `route` (their published routes and stops), `sync` (the actions queued
offline, each applied exactly once)."""
