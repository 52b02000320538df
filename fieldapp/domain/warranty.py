"""Warranty rules: DOA vs warranty repair by dates, and which products the programme covers."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from fieldapp.domain.service_number import KODAK, NumberRules

PRINTER = "printer"
CAMERA = "camera"


class CaseKind(StrEnum):
    """Kind of case, decided by purchase and failure dates."""

    DOA = "doa"
    WARRANTY = "warranty"


class WarrantyError(ValueError):
    """A case cannot be accepted under the warranty programme."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


class OutOfWarranty(WarrantyError):
    """The failure happened after the warranty period ended."""

    def __init__(self, message: str, ended_on: date, field: str = "failure_date") -> None:
        super().__init__(message, field)
        self.ended_on = ended_on


class InvalidDates(WarrantyError):
    """The purchase or failure date is impossible (in the future, or failure before purchase)."""


class CameraNotHandled(WarrantyError):
    """Cameras are not handled by this programme; the customer goes to a camera centre."""

    def __init__(self, message: str, centres: tuple[str, ...], field: str = "product_type") -> None:
        super().__init__(message, field)
        self.centres = centres


@dataclass(frozen=True)
class ProgrammeRules:
    """Settings of a warranty programme."""

    doa_days: int = 30
    warranty_months: int = 12
    camera_centres: tuple[str, ...] = ("G&N DIGITAL", "FOTO DIGITAL")
    number: NumberRules = KODAK


def add_months(d: date, months: int) -> date:
    """Add calendar months to a date, clamping to the last day of the target month."""
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _fmt(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def warranty_end(purchase_date: date, rules: ProgrammeRules) -> date:
    """Return the last day covered by the warranty (inclusive)."""
    return add_months(purchase_date, rules.warranty_months)


def classify(purchase_date: date, failure_date: date, rules: ProgrammeRules) -> CaseKind:
    """Classify a case as DOA or warranty repair from its purchase and failure dates.

    :raises InvalidDates: if the failure date is before the purchase date.
    :raises OutOfWarranty: if the failure date is after the end of the warranty.
    """
    if failure_date < purchase_date:
        raise InvalidDates(
            "La fecha de falla no puede ser anterior a la fecha de compra.", "failure_date"
        )
    if (failure_date - purchase_date).days <= rules.doa_days:
        return CaseKind.DOA
    end = warranty_end(purchase_date, rules)
    if failure_date <= end:
        return CaseKind.WARRANTY
    months = rules.warranty_months
    unit = "mes" if months == 1 else "meses"
    raise OutOfWarranty(
        f"Fuera de garantía: la garantía de {months} {unit} venció el {_fmt(end)}.", end
    )


def check_dates(purchase_date: date, failure_date: date, today: date) -> None:
    """Reject purchase or failure dates later than today.

    :raises InvalidDates: if the purchase date or the failure date is in the future.
    """
    if purchase_date > today:
        raise InvalidDates(
            "La fecha de compra no puede ser posterior a la fecha de hoy.", "purchase_date"
        )
    if failure_date > today:
        raise InvalidDates(
            "La fecha de falla no puede ser posterior a la fecha de hoy.", "failure_date"
        )


def _join_es(items: tuple[str, ...]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " o " + items[-1]


def check_product_type(product_type: str, rules: ProgrammeRules) -> None:
    """Accept printers; refuse cameras (with the camera centres) and anything else.

    :raises CameraNotHandled: if the product is a camera.
    :raises WarrantyError: if the product type is not a printer.
    """
    kind = product_type.strip().lower()
    if kind == PRINTER:
        return
    if kind == CAMERA:
        message = "Las cámaras no se atienden en este servicio."
        if rules.camera_centres:
            message += (
                " Por favor, acuda a los centros de servicio autorizados de cámaras: "
                f"{_join_es(rules.camera_centres)}."
            )
        raise CameraNotHandled(message, rules.camera_centres)
    raise WarrantyError(
        "Tipo de producto no válido: este programa solo atiende impresoras.", "product_type"
    )
