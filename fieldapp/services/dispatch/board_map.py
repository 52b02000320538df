"""The dispatch board's maps: the day's routes and jobs to plan as plain values for the
browser's tiled map (plan-map.js draws them with Leaflet over the configured tiles), and the
offline SVG drawn from coordinates that the page keeps without tiles (`plan_map`)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from fieldapp.domain import mapping
from fieldapp.domain.deadlines import LIMA_TZ
from fieldapp.domain.jobs import JOB_KIND_LABELS
from fieldapp.models import Job
from fieldapp.services.dispatch.board import Board
from fieldapp.web.filters import place


def plan_map(state: Board) -> mapping.PlanMap:
    """The day drawn from coordinates: one colour per courier's route, jobs to plan in grey."""
    routes = [
        (
            c.user.full_name,
            (c.profile.base_lat, c.profile.base_lon),
            [(j.lat, j.lon) for j in c.route.jobs],
        )
        for c in state.couriers
        if c.route is not None and c.route.jobs
    ]
    return mapping.plan_map(routes, [(job.lat, job.lon) for job in state.to_plan])


def _hm(at: datetime | None) -> str:
    return at.astimezone(LIMA_TZ).strftime("%H:%M") if at else ""


def _stop(job: Job) -> dict:
    """One stop's popup facts: case, customer, agreed window and ETA."""
    window = ""
    if job.window_start is not None and job.window_end is not None:
        window = f"{_hm(job.window_start)}–{_hm(job.window_end)}"
    return {
        "id": job.id,
        "lat": job.lat,
        "lon": job.lon,
        "seq": job.sequence or "",
        "case": job.case.case_number,
        "customer": job.case.customer.name,
        "address": place(job),
        "kind": JOB_KIND_LABELS.get(job.kind, job.kind.value),
        "window": window,
        "eta": _hm(job.eta),
    }


def map_data(state: Board) -> dict:
    """The tile URL and attribution, each route (colour, base, stops in order) and the jobs
    still to plan, for the browser map."""
    config = current_app.config
    colours = state.colours
    routes = [
        {
            "name": c.user.full_name,
            "colour": colours[c.user.id],
            "base": [c.profile.base_lat, c.profile.base_lon],
            "stops": [_stop(job) for job in c.route.jobs],
        }
        for c in state.couriers
        if c.route is not None and c.route.jobs
    ]
    return {
        "tiles": config.get("MAP_TILE_URL", ""),
        "attribution": config.get("MAP_TILE_ATTRIBUTION", ""),
        "routes": routes,
        "loose": [_stop(job) for job in state.to_plan],
    }
