"""E-mail notices (DOMAIN.md "E-mail notifications"): who gets each one, and its Spanish text.

Plain values in, subject and body out; the service decides the facts and queues the messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from fieldapp.domain.case_flow import FLOW_LABELS, Flow, Notice
from fieldapp.domain.deadlines import LIMA_TZ


class Recipient(StrEnum):
    """Who a notice is written for."""

    CASE_ADMIN = "case_admin"
    CUSTOMER = "customer"


# Every notice goes to the programme's Case Admin, and to the customer when an address is known.
RECIPIENTS: dict[Notice, tuple[Recipient, ...]] = {
    notice: (Recipient.CASE_ADMIN, Recipient.CUSTOMER) for notice in Notice
}
RECIPIENTS[Notice.VISIT_SCHEDULED] = (Recipient.CUSTOMER,)
RECIPIENTS[Notice.CARRIER_BOOKED] = (Recipient.CUSTOMER,)

DEADLINE_LABELS: dict[str, str] = {
    "swap": "cambio del equipo",
    "pickup": "recojo del equipo",
    "repair": "reparación",
    "return": "despacho de la devolución",
}

TITLES: dict[Notice, str] = {
    Notice.CASE_RECEIVED: "recibido por el servicio técnico",
    Notice.UNIT_RECEIVED: "equipo recibido en taller",
    Notice.SWAP_DONE: "cambio de equipo realizado",
    Notice.REPAIR_DONE: "reparación terminada",
    Notice.UNIT_RETURNED: "equipo entregado",
    Notice.WARRANTY_VOIDED: "garantía anulada",
    Notice.DEADLINE_AT_RISK: "plazo por vencer",
    Notice.VISIT_SCHEDULED: "visita programada",
    Notice.CARRIER_BOOKED: "envío por agencia",
}
# Which way a leg sent by agency travels, told to the customer (values of shipments.Direction).
LEG_WORDS: dict[str, str] = {
    "to_customer": "Envío de su equipo",
    "to_st": "Retorno del equipo a nuestro taller",
}

_WEEKDAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
_MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
_DOA_FLOWS = {Flow.DOA_LIMA, Flow.DOA_PROVINCES, Flow.DOA_STORE, Flow.DOA_COUNTER}
_COLLECTS_AT_COUNTER = {Flow.WARRANTY_LIMA, Flow.WALK_IN}

RETRY_BASE = timedelta(minutes=1)
RETRY_CAP = timedelta(minutes=15)


@dataclass(frozen=True)
class CarrierLeg:
    """One leg of a job sent by agency, as the customer is told about it."""

    direction: str  # "to_customer" or "to_st"
    waybill: str | None
    arrival: datetime | None  # expected arrival (end of that day, Lima)


@dataclass(frozen=True)
class CarrierFacts:
    """A job sent by agency: the agency, its branch, the legs and the tracking page."""

    carrier: str
    agency_branch: str
    legs: tuple[CarrierLeg, ...]


@dataclass(frozen=True)
class CaseFacts:
    """What a notice says about a case, as plain values (times aware)."""

    case_number: str
    service_number: str
    customer_first_name: str
    flow: Flow
    at: datetime  # when the event happened (for an at-risk warning: when it was noticed)
    st_name: str
    st_address: str
    brand: str = "Kodak"
    due_at: datetime | None = None  # the next deadline (or the one at risk)
    deadline_name: str | None = None  # for DEADLINE_AT_RISK: swap, pickup, repair, return
    overdue: bool = False
    visit_window: tuple[datetime, datetime] | None = None  # for VISIT_SCHEDULED
    tracking_url: str | None = None
    carrier: CarrierFacts | None = None  # for CARRIER_BOOKED


@dataclass(frozen=True)
class Composed:
    """A notice ready to send."""

    subject: str
    body: str


def lima_datetime_text(at: datetime) -> str:
    """Spanish date and time in Lima, e.g. "lunes 7 de diciembre de 2026 a las 14:30".

    :raises ValueError: if the datetime is naive.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("a timezone-aware datetime is required")
    local = at.astimezone(LIMA_TZ)
    return (
        f"{_WEEKDAYS[local.weekday()]} {local.day} de {_MONTHS[local.month - 1]} de "
        f"{local.year} a las {local:%H:%M}"
    )


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed send: doubling from 1 minute, at most 15.

    :raises ValueError: if attempts is below 1.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    if attempts > 10:  # 2**10 minutes is far past the cap; avoid huge numbers
        return RETRY_CAP
    return min(RETRY_BASE * 2 ** (attempts - 1), RETRY_CAP)


def lima_date_text(at: datetime) -> str:
    """A Spanish date in Lima, e.g. "lunes 7 de diciembre de 2026".

    :raises ValueError: if the datetime is naive.
    """
    return lima_datetime_text(at).rpartition(" a las ")[0]


def visit_text(window: tuple[datetime, datetime]) -> str:
    """A visit window in Spanish: "el jueves 26 de noviembre de 2026 entre las 10:00 y las 12:00".

    :raises ValueError: if the datetimes are naive.
    """
    start, end = (lima_datetime_text(t) for t in window)
    day, _, start_time = start.rpartition(" a las ")
    return f"el {day} entre las {start_time} y las {end.rpartition(' a las ')[2]}"


def compose(notice: Notice, facts: CaseFacts, recipient: Recipient) -> Composed:
    """The subject and body of `notice` for `recipient`, in Spanish (Peru).

    :raises ValueError: for naive datetimes, or an at-risk, visit or carrier notice without
        its deadline, window or booking.
    """
    if notice is Notice.DEADLINE_AT_RISK and (facts.due_at is None or not facts.deadline_name):
        raise ValueError("an at-risk notice needs the deadline and its due time")
    if notice is Notice.VISIT_SCHEDULED and facts.visit_window is None:
        raise ValueError("a visit notice needs the visit window")
    if notice is Notice.CARRIER_BOOKED and (facts.carrier is None or not facts.carrier.legs):
        raise ValueError("a carrier notice needs the agency and its legs")
    title = TITLES[notice]
    if notice is Notice.DEADLINE_AT_RISK and facts.overdue:
        title = "plazo vencido"
    subject = (
        f"Caso {facts.case_number} – {title[0].upper()}{title[1:]} – "
        f"N.º de servicio {facts.service_number}"
    )
    if recipient is Recipient.CASE_ADMIN:
        return Composed(subject, _admin_body(notice, facts))
    return Composed(subject, _customer_body(notice, facts))


def _when(facts: CaseFacts) -> str:
    return lima_datetime_text(facts.at)


def _due(facts: CaseFacts) -> str | None:
    return lima_datetime_text(facts.due_at) if facts.due_at is not None else None


def _deadline_label(facts: CaseFacts) -> str:
    return DEADLINE_LABELS.get(facts.deadline_name or "", facts.deadline_name or "")


def _admin_body(notice: Notice, facts: CaseFacts) -> str:
    case, when, due = facts.case_number, _when(facts), _due(facts)
    lines = {
        Notice.CASE_RECEIVED: f"{facts.st_name} recibió el caso {case} el {when}.",
        Notice.UNIT_RECEIVED: f"El equipo del caso {case} fue recibido en el taller el {when}.",
        Notice.SWAP_DONE: f"El cambio de equipo del caso {case} se realizó el {when}.",
        Notice.REPAIR_DONE: f"La reparación del equipo del caso {case} se terminó el {when}.",
        Notice.UNIT_RETURNED: f"El equipo del caso {case} fue entregado al cliente el {when}.",
        Notice.WARRANTY_VOIDED: (
            f"La garantía del caso {case} fue anulada el {when}: el equipo llegó con "
            "cartuchos recargados."
        ),
        Notice.DEADLINE_AT_RISK: (
            f"El plazo de {_deadline_label(facts)} del caso {case} "
            + (f"venció el {due}." if facts.overdue else f"está por vencer: vence el {due}.")
            + " Le estamos dando prioridad."
        ),
        Notice.VISIT_SCHEDULED: (
            f"La visita del caso {case} quedó programada "
            f"{visit_text(facts.visit_window) if facts.visit_window else ''}."
        ),
        Notice.CARRIER_BOOKED: (
            f"El caso {case} se envió por agencia "
            f"({facts.carrier.carrier if facts.carrier else ''}) el {when}."
        ),
    }
    details = [
        f"Caso: {case}",
        f"Número de servicio: {facts.service_number}",
        f"Cliente: {facts.customer_first_name}",
        f"Flujo: {FLOW_LABELS[facts.flow]}",
    ]
    if due and notice is not Notice.DEADLINE_AT_RISK and _shows_due(notice):
        details.append(f"Próximo plazo: {due}")
    return "\n".join(
        [
            "Estimado equipo de Case Admin:",
            "",
            lines[notice],
            "",
            *details,
            "",
            "Atentamente,",
            facts.st_name,
            "",
            "Mensaje automático: las horas son de Lima.",
        ]
    )


def _shows_due(notice: Notice) -> bool:
    return notice in {Notice.CASE_RECEIVED, Notice.UNIT_RECEIVED, Notice.REPAIR_DONE}


def _customer_body(notice: Notice, facts: CaseFacts) -> str:
    when = _when(facts)
    lines = {
        Notice.CASE_RECEIVED: (
            f"Recibimos su caso {facts.case_number} el {when} y ya lo estamos atendiendo."
        ),
        Notice.UNIT_RECEIVED: f"Su equipo fue recibido en nuestro taller el {when}.",
        Notice.SWAP_DONE: f"El cambio de su equipo se realizó el {when}.",
        Notice.REPAIR_DONE: f"Nos complace informarle que su equipo quedó reparado el {when}.",
        Notice.UNIT_RETURNED: f"Su equipo fue entregado el {when}.",
        Notice.WARRANTY_VOIDED: (
            f"Lamentamos informarle que la garantía de su equipo fue anulada el {when}: al "
            "revisarlo encontramos cartuchos recargados, lo que la garantía del fabricante no "
            "cubre."
        ),
        Notice.DEADLINE_AT_RISK: (
            "Lamentamos que la atención de su caso esté tomando más tiempo del previsto."
            if facts.overdue
            else "Queremos mantenerle informado: la atención de su caso podría tomar un poco "
            "más de lo previsto."
        ),
        Notice.VISIT_SCHEDULED: (
            f"Nuestro courier le visitará {visit_text(facts.visit_window)}."
            if facts.visit_window
            else ""
        ),
        Notice.CARRIER_BOOKED: (
            f"El {when} registramos el envío de su caso por la agencia de transportes "
            f"{facts.carrier.carrier if facts.carrier else ''}."
        ),
    }
    return "\n".join(
        [
            f"Estimado(a) {facts.customer_first_name or 'cliente'}:",
            "",
            lines[notice],
            "",
            _next_step(notice, facts),
            "",
            f"Caso: {facts.case_number}",
            f"Número de servicio: {facts.service_number}",
            "",
            "Si tiene alguna consulta, responda a este correo indicando su número de caso.",
            "",
            "Atentamente,",
            facts.st_name,
            facts.st_address,
        ]
    )


def _by(facts: CaseFacts, prefix: str = " a más tardar el ") -> str:
    due = _due(facts)
    return f"{prefix}{due}" if due else ""


def _next_step(notice: Notice, facts: CaseFacts) -> str:
    """What happens next, told to the customer."""
    flow, counter = facts.flow, facts.st_address
    if notice is Notice.CASE_RECEIVED:
        return _after_intake(facts)
    if notice is Notice.UNIT_RECEIVED:
        return (
            f"Nuestros técnicos lo revisarán y repararán{_by(facts)}. "
            "Le avisaremos en cuanto esté listo."
        )
    if notice is Notice.SWAP_DONE:
        return (
            "No necesita hacer nada más. Conserve su comprobante de compra y la guía de entrega. "
            "Gracias por su paciencia."
        )
    if notice is Notice.REPAIR_DONE:
        if flow in _COLLECTS_AT_COUNTER:
            return (
                f"Puede recogerlo en nuestro mostrador ({counter}) presentando su documento de "
                "identidad y su número de caso."
            )
        return (
            f"Coordinaremos la devolución de su equipo; saldrá de nuestro taller{_by(facts)}. "
            "Le avisaremos cuando sea entregado."
        )
    if notice is Notice.UNIT_RETURNED:
        return (
            "Gracias por su confianza. Si el equipo vuelve a presentar una falla, comuníquese con "
            f"el Call Center de {facts.brand} para registrar un nuevo caso."
        )
    if notice is Notice.WARRANTY_VOIDED:
        return "El caso quedó cerrado sin cobertura de garantía."
    if notice is Notice.CARRIER_BOOKED:
        return _carrier_step(facts)
    if notice is Notice.VISIT_SCHEDULED:
        follow = f" Puede seguir la visita aquí: {facts.tracking_url}" if facts.tracking_url else ""
        return (
            "Tenga a la mano el equipo con sus accesorios, su documento de identidad y una copia "
            f"de su comprobante de compra.{follow}"
        )
    return "Estamos dando prioridad a su caso y nos comunicaremos con usted a la brevedad."


def _after_intake(facts: CaseFacts) -> str:
    flow, counter = facts.flow, facts.st_address
    proof = "Tenga a la mano una copia de su comprobante de compra."
    if flow in _DOA_FLOWS:
        swap = "Su equipo califica para un cambio por uno nuevo"
        if flow is Flow.DOA_STORE:
            return f"{swap}, que se realiza en la tienda donde lo compró."
        if flow is Flow.DOA_COUNTER:
            return f"{swap}, que se realiza en nuestro mostrador ({counter}). {proof}"
        return (
            f"{swap}. Nos comunicaremos con usted para coordinar la visita; el cambio se hará"
            f"{_by(facts)}. Tenga a la mano el equipo con sus accesorios y una copia de su "
            "comprobante de compra."
        )
    if flow is Flow.WARRANTY_LIMA:
        return (
            f"Por favor, traiga su equipo a nuestro mostrador ({counter}) con una copia de su "
            "comprobante de compra. Lo repararemos dentro de los 3 días útiles siguientes a su "
            "recepción."
        )
    if flow is Flow.WARRANTY_STORE:
        return (
            f"Recogeremos su equipo en la tienda donde lo dejó{_by(facts)}. Le avisaremos cuando "
            "llegue a nuestro taller."
        )
    if flow is Flow.WALK_IN:
        return (
            f"Su equipo ya quedó en nuestro taller y lo repararemos{_by(facts)}. Le avisaremos "
            "para que pueda recogerlo en nuestro mostrador."
        )
    return f"Nos comunicaremos con usted para coordinar el recojo de su equipo{_by(facts)}. {proof}"


def _carrier_step(facts: CaseFacts) -> str:
    """Each leg's tracking number and expected arrival, the agency's branch and the link."""
    booked = facts.carrier
    if booked is None:
        return ""
    lines = []
    for leg in booked.legs:
        line = (
            f"{LEG_WORDS.get(leg.direction, leg.direction)}: {booked.carrier}, "
            f"N.º de guía (seguimiento) {leg.waybill or 'por asignar'}"
        )
        if leg.arrival is not None:
            line += f"; llegada estimada el {lima_date_text(leg.arrival)}"
        lines.append(f"- {line}.")
    if booked.agency_branch:
        lines.append(f"Agencia: {booked.agency_branch}.")
    if facts.tracking_url:
        lines.append(f"Puede seguir el envío aquí: {facts.tracking_url}")
    return "\n".join(lines)
