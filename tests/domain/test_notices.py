"""Notice texts: Spanish, with case and service numbers, Lima times and the customer's next step."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from fieldapp.domain import case_flow
from fieldapp.domain.case_flow import Flow, Notice
from fieldapp.domain.notices import (
    RECIPIENTS,
    CarrierFacts,
    CarrierLeg,
    CaseFacts,
    Recipient,
    lima_datetime_text,
    retry_delay,
)
from fieldapp.services.notifications.wording import compose

# 19:30 UTC is 14:30 in Lima (UTC-5) on Monday 7 December 2026.
AT = datetime(2026, 12, 7, 19, 30, tzinfo=UTC)
DUE = datetime(2026, 12, 11, 4, 59, 59, tzinfo=UTC)  # Thursday 10 December, 23:59 in Lima

FACTS = CaseFacts(
    case_number="KCC-2026-0042",
    service_number="T123456",
    customer_first_name="María",
    flow=Flow.WARRANTY_PROVINCES,
    at=AT,
    st_name="Alternativa Tecnológica S.A.C.",
    st_address="Av. José Gálvez Barrenechea 134, San Isidro, Lima",
    due_at=DUE,
    visit_window=(AT, AT + timedelta(hours=2)),
    tracking_url="https://fieldapp.example/t/abc",
    carrier=CarrierFacts(
        carrier="Shalom",
        agency_branch="Shalom Iquitos, Av. Quiñones 1200",
        legs=(CarrierLeg("to_customer", "SH-0012345", DUE), CarrierLeg("to_st", None, None)),
    ),
)


def test_lima_datetime_text_is_spanish_in_lima_time():
    assert lima_datetime_text(AT) == "lunes 7 de diciembre de 2026 a las 14:30"
    assert lima_datetime_text(DUE) == "jueves 10 de diciembre de 2026 a las 23:59"


def test_lima_datetime_text_refuses_a_naive_datetime():
    with pytest.raises(ValueError, match="timezone-aware"):
        lima_datetime_text(datetime(2026, 12, 7, 14, 30))  # noqa: DTZ001


@pytest.mark.parametrize("notice", list(Notice))
@pytest.mark.parametrize("recipient", list(Recipient))
def test_every_notice_names_the_case_and_the_service_number(notice, recipient):
    facts = replace(FACTS, deadline_name="pickup")
    composed = compose(notice, facts, recipient)
    for text in (composed.subject, composed.body):
        assert "KCC-2026-0042" in text
        assert "T123456" in text
    assert "lunes 7 de diciembre de 2026 a las 14:30" in composed.body or (
        notice in (Notice.DEADLINE_AT_RISK, Notice.VISIT_SCHEDULED)
    )
    assert "Atentamente,\nAlternativa Tecnológica S.A.C." in composed.body


@pytest.mark.parametrize("notice", list(Notice))
def test_the_customer_is_greeted_by_first_name_and_told_what_happens_next(notice):
    body = compose(notice, replace(FACTS, deadline_name="repair"), Recipient.CUSTOMER).body
    assert body.startswith("Estimado(a) María:")
    assert "responda a este correo indicando su número de caso" in body
    assert "Case Admin" not in body


def test_the_case_admin_gets_the_flow_and_customer_first_name():
    body = compose(Notice.CASE_RECEIVED, FACTS, Recipient.CASE_ADMIN).body
    assert body.startswith("Estimado equipo de Case Admin:")
    assert "Alternativa Tecnológica S.A.C. recibió el caso KCC-2026-0042 el lunes 7" in body
    assert "Cliente: María" in body
    assert "Flujo: Garantía provincias" in body
    assert "Próximo plazo: jueves 10 de diciembre de 2026 a las 23:59" in body


@pytest.mark.parametrize(
    ("flow", "expected"),
    [
        (Flow.DOA_LIMA, "Nos comunicaremos con usted para coordinar la visita"),
        (Flow.DOA_PROVINCES, "el cambio se hará a más tardar el jueves 10 de diciembre"),
        (Flow.DOA_STORE, "en la tienda donde lo compró"),
        (Flow.DOA_COUNTER, "en nuestro mostrador (Av. José Gálvez Barrenechea 134"),
        (Flow.WARRANTY_LIMA, "traiga su equipo a nuestro mostrador"),
        (Flow.WARRANTY_PROVINCES, "coordinar el recojo de su equipo a más tardar el jueves 10"),
        (Flow.WARRANTY_STORE, "Recogeremos su equipo en la tienda donde lo dejó"),
        (Flow.WALK_IN, "Su equipo ya quedó en nuestro taller"),
    ],
)
def test_case_received_tells_the_customer_the_next_step_of_their_flow(flow, expected):
    body = compose(Notice.CASE_RECEIVED, replace(FACTS, flow=flow), Recipient.CUSTOMER).body
    assert expected in body
    assert "Recibimos su caso KCC-2026-0042 el lunes 7 de diciembre de 2026 a las 14:30" in body


def test_repair_done_sends_lima_customers_to_the_counter_and_provinces_ones_a_return_date():
    lima = compose(
        Notice.REPAIR_DONE, replace(FACTS, flow=Flow.WARRANTY_LIMA, due_at=None), Recipient.CUSTOMER
    ).body
    assert "Puede recogerlo en nuestro mostrador (Av. José Gálvez" in lima
    provinces = compose(Notice.REPAIR_DONE, FACTS, Recipient.CUSTOMER).body
    assert "saldrá de nuestro taller a más tardar el jueves 10 de diciembre" in provinces


def test_unit_received_promises_the_repair_deadline():
    body = compose(Notice.UNIT_RECEIVED, FACTS, Recipient.CUSTOMER).body
    assert "Su equipo fue recibido en nuestro taller el lunes 7 de diciembre" in body
    assert "repararán a más tardar el jueves 10 de diciembre de 2026 a las 23:59" in body


def test_warranty_voided_gives_the_reason():
    body = compose(Notice.WARRANTY_VOIDED, FACTS, Recipient.CUSTOMER).body
    assert "la garantía de su equipo fue anulada" in body
    assert "cartuchos recargados" in body
    admin = compose(Notice.WARRANTY_VOIDED, FACTS, Recipient.CASE_ADMIN)
    assert admin.subject == ("Caso KCC-2026-0042 – Garantía anulada – N.º de servicio T123456")


def test_deadline_at_risk_names_the_deadline_and_says_whether_it_passed():
    at_risk = replace(FACTS, deadline_name="pickup")
    admin = compose(Notice.DEADLINE_AT_RISK, at_risk, Recipient.CASE_ADMIN)
    assert admin.subject.startswith("Caso KCC-2026-0042 – Plazo por vencer")
    assert "El plazo de recojo del equipo del caso KCC-2026-0042 está por vencer" in admin.body
    assert "vence el jueves 10 de diciembre de 2026 a las 23:59" in admin.body
    overdue = replace(at_risk, overdue=True, at=DUE + timedelta(hours=1))
    admin = compose(Notice.DEADLINE_AT_RISK, overdue, Recipient.CASE_ADMIN)
    assert "Plazo vencido" in admin.subject
    assert "venció el jueves 10 de diciembre" in admin.body
    customer = compose(Notice.DEADLINE_AT_RISK, overdue, Recipient.CUSTOMER).body
    assert "Lamentamos que la atención de su caso esté tomando más tiempo" in customer


def test_deadline_at_risk_needs_its_deadline():
    with pytest.raises(ValueError, match="deadline"):
        compose(Notice.DEADLINE_AT_RISK, FACTS, Recipient.CASE_ADMIN)


def test_a_customer_without_a_name_is_still_greeted():
    body = compose(
        Notice.SWAP_DONE, replace(FACTS, customer_first_name=""), Recipient.CUSTOMER
    ).body
    assert body.startswith("Estimado(a) cliente:")


def test_every_notice_goes_to_the_case_admin_and_the_customer():
    assert set(RECIPIENTS) == set(Notice)
    for notice, recipients in RECIPIENTS.items():
        if notice in (Notice.VISIT_SCHEDULED, Notice.CARRIER_BOOKED):  # the customer alone
            assert recipients == (Recipient.CUSTOMER,)
        else:
            assert recipients == (Recipient.CASE_ADMIN, Recipient.CUSTOMER)


def test_the_visit_notice_gives_the_window_and_the_tracking_link():
    body = compose(Notice.VISIT_SCHEDULED, FACTS, Recipient.CUSTOMER).body
    assert "le visitará el lunes 7 de diciembre de 2026 entre las 14:30 y las 16:30" in body
    assert "https://fieldapp.example/t/abc" in body
    with pytest.raises(ValueError, match="visit window"):
        compose(Notice.VISIT_SCHEDULED, replace(FACTS, visit_window=None), Recipient.CUSTOMER)


def test_the_carrier_notice_gives_agency_tracking_numbers_branch_arrival_and_link():
    body = compose(Notice.CARRIER_BOOKED, FACTS, Recipient.CUSTOMER).body
    assert "registramos el envío de su caso por la agencia de transportes Shalom" in body
    assert (
        "- Envío de su equipo: Shalom, N.º de guía (seguimiento) SH-0012345; llegada estimada "
        "el jueves 10 de diciembre de 2026." in body
    )
    assert (
        "- Retorno del equipo a nuestro taller: Shalom, N.º de guía (seguimiento) por asignar."
        in body
    )
    assert "Agencia: Shalom Iquitos, Av. Quiñones 1200." in body
    assert "Puede seguir el envío aquí: https://fieldapp.example/t/abc" in body
    subject = compose(Notice.CARRIER_BOOKED, FACTS, Recipient.CUSTOMER).subject
    assert subject == "Caso KCC-2026-0042 – Envío por agencia – N.º de servicio T123456"
    with pytest.raises(ValueError, match="carrier notice"):
        compose(Notice.CARRIER_BOOKED, replace(FACTS, carrier=None), Recipient.CUSTOMER)


@pytest.mark.parametrize(
    ("attempts", "minutes"), [(1, 1), (2, 2), (3, 4), (4, 8), (5, 15), (6, 15), (500, 15)]
)
def test_retry_delay_doubles_and_is_capped_at_fifteen_minutes(attempts, minutes):
    assert retry_delay(attempts) == timedelta(minutes=minutes)


def test_retry_delay_needs_a_failed_attempt():
    with pytest.raises(ValueError, match="at least 1"):
        retry_delay(0)


def test_each_notice_of_the_flow_table_can_happen_only_once_per_case():
    """The outbox keys event notices by case and notice, so none may sit on a cycle."""
    for flow, table in case_flow.FLOWS.items():
        for transition in table.values():
            if transition.notice is None:
                continue
            seen, frontier = {transition.target}, [transition.target]
            while frontier:
                status = frontier.pop()
                for event in case_flow.allowed_events(flow, status):
                    target = table[event].target
                    if target not in seen:
                        seen.add(target)
                        frontier.append(target)
            assert not (seen & transition.sources), (flow, transition.event)


@pytest.mark.parametrize("notice", list(Notice))
@pytest.mark.parametrize("recipient", list(Recipient))
def test_every_notice_has_its_own_words_in_the_mail_templates(notice, recipient):
    """templates/mail/notice_*.txt word each notice: a new notice without its branch would
    send an empty line where the news goes."""
    facts = replace(FACTS, deadline_name="repair")
    body = compose(notice, facts, recipient).body
    news = body.split("\n")[2]
    assert news.strip() and news.endswith("."), body
    if recipient is Recipient.CUSTOMER:
        assert body.split("\n")[4].strip(), body  # the next step
