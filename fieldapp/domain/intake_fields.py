"""The free-text fields of a case at intake: each fits its column and carries no control
characters, and the customer's e-mail and phone look like one (whichever way the case came)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for the annotation: intake imports this module
    from fieldapp.domain.assessment import CaseInput

CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")

# Free-text fields and the longest value their column holds.
TEXT_LIMITS = {
    "model": 60,
    "proof_type": 16,
    "proof_number": 40,
    "notes": 2000,
    "customer.name": 160,
    "customer.phone": 32,
    "customer.email": 254,
    "customer.document_id": 20,
    "customer.address": 250,
    "store.name": 160,
    "store.address": 250,
    "store.phone": 32,
}
_CUSTOMER_TEXT = ("name", "phone", "email", "document_id", "address")


def text_values(data: CaseInput) -> dict[str, str | None]:
    """The free-text values of `data`, by field name (`customer.name`, …)."""
    values = {
        "model": data.model,
        "proof_type": data.proof_type,
        "proof_number": data.proof_number,
        "notes": data.notes,
        **{f"customer.{k}": getattr(data.customer, k) for k in _CUSTOMER_TEXT},
    }
    if data.store is not None:
        values.update(
            {
                "store.name": data.store.name,
                "store.address": data.store.address,
                "store.phone": data.store.phone,
            }
        )
    return values


def check_texts(data: CaseInput, fail: Callable[[str, str], None]) -> None:
    """Every text fits its column and carries no control characters (new lines and tabs are
    fine in the notes); the e-mail and phone have their shape. Problems go to `fail`."""
    for name, value in text_values(data).items():
        if not value:
            continue
        if len(value.strip()) > TEXT_LIMITS[name]:
            fail(name, f"Máximo {TEXT_LIMITS[name]} caracteres.")
        allowed = "\n\t" if name == "notes" else ""
        if CONTROL_CHARS.search(value.translate({ord(c): None for c in allowed})):
            fail(name, "Contiene caracteres no válidos.")
    customer = data.customer
    if customer.email and not EMAIL.match(customer.email.strip()):
        fail("customer.email", "Correo electrónico no válido.")
    if customer.phone and not PHONE.match(customer.phone.strip()):
        fail("customer.phone", "Teléfono no válido.")
