"""Dashboard figures checked against a small known data set, and the SVG chart helper."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

from fieldapp.domain.charts import Bar, bar_chart, text_width
from fieldapp.domain.dashboard import (
    DeadlineRow,
    at_risk_now,
    decided,
    doa_rate_by_model,
    holder,
    jobs_per_courier,
    met_by_flow,
    met_by_week,
    parts_reused,
)
from fieldapp.domain.deadlines import Urgency

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)  # Wednesday 12:00 in Lima
H = timedelta(hours=1)


def row(number, flow, due_in_h, done_in_h=None, window_h=24, case_open=True, name="swap"):
    due = NOW + due_in_h * H
    done = NOW + done_in_h * H if done_in_h is not None else None
    return DeadlineRow(number, flow, name, due - window_h * H, due, done, case_open)


ROWS = [
    row("A", "doa_lima", -30, done_in_h=-31),  # met, due Tuesday this week
    row("B", "doa_lima", -30, done_in_h=-29),  # missed (done late)
    row("C", "doa_lima", -2),  # open past due: missed, overdue now
    row("D", "doa_lima", 3),  # open, 3 h of 24 left: at risk
    row("E", "warranty_lima", 48, window_h=72, name="repair"),  # running, on track
    row("F", "warranty_lima", -200, done_in_h=-201, name="repair"),  # met, two weeks ago
    row("G", "warranty_lima", -5, case_open=False, name="repair"),  # cancelled case: ignored
]


def test_decided():
    assert [decided(r, NOW) for r in ROWS] == [True, False, False, None, None, True, None]


def test_met_by_flow():
    rates = {r.label: (r.met, r.total, r.percent) for r in met_by_flow(ROWS, NOW)}
    assert rates == {"doa_lima": (1, 3, 33.3), "warranty_lima": (1, 1, 100.0)}


def test_met_by_week():
    weeks = met_by_week(ROWS, NOW, weeks=3)
    assert [w.label for w in weeks] == ["09/11", "16/11", "23/11"]
    assert [(w.met, w.total) for w in weeks] == [(0, 0), (1, 1), (1, 3)]


def test_at_risk_now():
    found = at_risk_now(ROWS, NOW)
    assert [r.case_number for r in found[Urgency.OVERDUE]] == ["C"]
    assert [r.case_number for r in found[Urgency.AT_RISK]] == ["D"]


def test_jobs_per_courier():
    rows = [
        ("Rosa", "approved"),
        ("Rosa", "done"),
        ("Rosa", "failed"),
        ("Carlos", "planned"),
        ("Carlos", "rejected"),
        ("Carlos", "cancelled"),
    ]
    result = [(c.courier, c.done, c.failed, c.open, c.total) for c in jobs_per_courier(rows)]
    assert result == [("Rosa", 2, 1, 0, 3), ("Carlos", 1, 0, 1, 2)]


def test_doa_rate_by_model():
    rows = [
        ("ESP 3250", "doa"),
        ("ESP 3250", "warranty"),
        ("ESP 3250", "warranty"),
        ("ESP 5250", "doa"),
        (None, "warranty"),
    ]
    rates = [(r.label, r.met, r.total, r.percent) for r in doa_rate_by_model(rows)]
    assert rates == [("ESP 3250", 1, 3, 33.3), ("ESP 5250", 1, 1, 100.0), ("Sin modelo", 0, 1, 0.0)]


def test_parts_reused():
    rates, used, total = parts_reused([("Cabezal", True), ("Cabezal", False), ("Fuente", True)])
    assert (used, total) == (2, 3)
    assert [(r.label, r.met, r.total) for r in rates] == [("Cabezal", 1, 2), ("Fuente", 1, 1)]


def test_bar_chart_is_valid_svg_without_style_attributes():
    svg = bar_chart([Bar("DOA <Lima>", 50, "50 %"), Bar("Garantía", 100, "100 %")], "Plazos", 100)
    tree = ElementTree.fromstring(svg)  # noqa: S314 (our own output)
    assert tree.get("viewBox") == "0 0 340 92" and tree.get("role") == "img"
    assert "style=" not in svg and "<script" not in svg
    rects = [
        el for el in tree.iter("{http://www.w3.org/2000/svg}rect") if el.get("fill") == "#0b5cab"
    ]
    assert [float(r.get("width")) for r in rects] == [148.0, 296.0]
    assert "DOA &lt;Lima&gt;" in svg
    assert "Sin datos" in bar_chart([], "Vacío")


def test_bar_chart_keeps_long_labels_whole_and_values_inside_the_width():
    long_label = "Garantía provincias en tienda"
    svg = bar_chart([Bar(long_label, 3, "12 hechos, 3 fallidos")], "Visitas")
    tree = ElementTree.fromstring(svg)  # noqa: S314 (our own output)
    texts = {el.get("data-chart"): el for el in tree.iter("{http://www.w3.org/2000/svg}text")}
    assert texts["label"].text == long_label  # no longer cut at 16 characters
    value = texts["value"]
    right = float(value.get("x")) + text_width(value.text)
    assert right <= 340


def test_a_bar_with_no_data_says_so_instead_of_zero():
    svg = bar_chart([Bar("Sem. 02/11", 0, "sin datos", empty=True)], "Semanas", 100)
    tree = ElementTree.fromstring(svg)  # noqa: S314 (our own output)
    assert "sin datos" in svg and "0 %" not in svg
    assert not [
        el for el in tree.iter("{http://www.w3.org/2000/svg}rect") if el.get("fill") == "#0b5cab"
    ]


def test_holder_of_a_deadline():
    assert holder("swap", "planned", courier="Rosa", published=True).who == "Courier: Rosa"
    assert holder("swap", "planned", courier="Rosa").who == "Courier: Rosa (ruta sin publicar)"
    assert holder("pickup", "pending").who == "Despacho: visita por planificar"
    assert holder("swap", "failed").who == "Despacho: visita fallida, por reprogramar"
    assert holder("return", "done").who == "Supervisor: visita por aprobar"
    assert holder("swap", None).who == "Despacho: falta crear la visita"
    assert holder("repair", None, technician="Luis").who == "Taller: Luis"
