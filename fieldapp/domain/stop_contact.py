"""How a courier reaches a stop: navigation links to the street address (never the district's
centre) and the WhatsApp message to the customer or store."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlencode

from fieldapp.domain.deadlines import LIMA_TZ


@dataclass(frozen=True)
class Place:
    """Where a stop is: the street address with its district and city, and a point when known
    (given at intake or learned from a courier's arrival there)."""

    address: str | None
    district: str
    city: str
    point: tuple[float, float] | None = None

    @property
    def text(self) -> str:
        """The address as a navigation app searches it: street, district, city, country."""
        parts = [self.address, self.district, self.city, "Perú"]
        return ", ".join(p.strip() for p in parts if p and p.strip())


# Peru's bounding box, with a margin: a point outside it is a typo (e.g. a sign left out).
PERU_LAT = (-18.6, 0.2)
PERU_LON = (-81.6, -68.4)
# Arrival fixes at most this vague, near the stop's district, teach the stop's point.
LEARN_ACCURACY_M = 100.0


def point_problem(lat: float | None, lon: float | None) -> str | None:
    """Why a point given at intake cannot be used, or None when it can (or none was given)."""
    if lat is None and lon is None:
        return None
    if lat is None or lon is None:
        return "Indique latitud y longitud juntas."
    if not (PERU_LAT[0] <= lat <= PERU_LAT[1] and PERU_LON[0] <= lon <= PERU_LON[1]):
        return "El punto está fuera del Perú (latitud y longitud son negativas)."
    return None


def learns_point(accuracy_m: float | None, km_from_district: float, far_km: float) -> bool:
    """Whether a courier's arrival fix is good enough to become the address's point: precise,
    and not so far from the district that the courier was evidently elsewhere."""
    return accuracy_m is not None and accuracy_m <= LEARN_ACCURACY_M and km_from_district <= far_km


def maps_url(place: Place) -> str:
    """Google Maps directions to the known point, else to the street address."""
    destination = f"{place.point[0]},{place.point[1]}" if place.point else place.text
    return "https://www.google.com/maps/dir/?" + urlencode(
        {"api": "1", "destination": destination}, quote_via=quote
    )


def waze_url(place: Place) -> str:
    """Waze navigation to the known point, else a search for the street address."""
    if place.point:
        return f"https://waze.com/ul?ll={place.point[0]},{place.point[1]}&navigate=yes"
    return "https://waze.com/ul?" + urlencode({"q": place.text, "navigate": "yes"}, quote_via=quote)


def phone_digits(phone: str | None) -> str | None:
    """A Peruvian phone as international digits for wa.me (mobiles: 9 digits starting 9)."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) == 9 and digits.startswith("9"):
        return "51" + digits
    return digits if len(digits) >= 11 else None


def tel_url(phone: str | None) -> str | None:
    """A tel: link with the number's digits (and a leading +), when there is a number."""
    digits = re.sub(r"[^\d+]", "", phone or "")
    return f"tel:{digits}" if digits else None


def whatsapp_text(
    *,
    recipient: str,
    courier: str,
    st_name: str,
    case_number: str,
    window: tuple[datetime, datetime] | None,
    tracking_url: str | None,
) -> str:
    """The message a courier sends before a visit: who writes for which ST, the case, the window
    of the visit (Lima time) and the customer's tracking link."""
    first = recipient.split()[0] if recipient.strip() else ""
    text = f"Hola {first}, le saluda {courier} de {st_name.rstrip('.')}. "
    text += f"Estoy en camino para la visita del caso {case_number}"
    if window is not None:
        start, end = (moment.astimezone(LIMA_TZ) for moment in window)
        text += f", entre las {start:%H:%M} y las {end:%H:%M}"
    text += "."
    if tracking_url:
        text += f" Puede seguir la visita aquí: {tracking_url}"
    return text


def whatsapp_url(phone: str | None, text: str) -> str | None:
    """A wa.me link with the text, when the phone can receive WhatsApp."""
    digits = phone_digits(phone)
    return f"https://wa.me/{digits}?text={quote(text)}" if digits else None
