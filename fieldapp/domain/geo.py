"""Peru districts (INEI UBIGEO), service zones and distance bands from the ST counter."""

from __future__ import annotations

import csv
import io
import math
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib.resources import files

from geopy.distance import geodesic

LIMA_PREFIXES = ("1501", "0701")
ST_COUNTER = (-12.0977, -77.0365)  # San Isidro, Lima
DEFAULT_THRESHOLDS_KM = (200.0, 500.0)


class UnknownUbigeo(ValueError):
    """The UBIGEO code is malformed or not in the gazetteer."""


@dataclass(frozen=True)
class District:
    """A Peruvian district with the coordinates of its legal capital."""

    ubigeo: str
    department: str
    province: str
    district: str
    lat: float
    lon: float

    @property
    def province_code(self) -> str:
        """Return the 4-digit province code."""
        return self.ubigeo[:4]

    @property
    def department_code(self) -> str:
        """Return the 2-digit department code."""
        return self.ubigeo[:2]

    @property
    def label(self) -> str:
        """Return a display label: "District, Province (Department)"."""
        return f"{self.district}, {self.province} ({self.department})"

    def place(self, address: str | None) -> str:
        """Return a street address with its district and city: "Av. X 123, Miraflores, Lima"
        (district and city alone without an address)."""
        parts = [address.strip()] if address and address.strip() else []
        return ", ".join([*parts, self.district.title(), self.province.title()])

    @property
    def point(self) -> tuple[float, float]:
        """Return (lat, lon)."""
        return (self.lat, self.lon)


class Zone(StrEnum):
    """Service zone: Lima Metropolitana and Callao, or the provinces."""

    LIMA = "lima"
    PROVINCES = "provinces"


def _name_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _check_ubigeo(ubigeo: str) -> str:
    code = ubigeo.strip()
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        raise UnknownUbigeo("El código UBIGEO debe tener 6 dígitos (p. ej. 150101).")
    return code


class Gazetteer:
    """All districts, indexed by UBIGEO code."""

    def __init__(self, districts: Iterable[District]) -> None:
        self._by_ubigeo = {d.ubigeo: d for d in districts}

    @classmethod
    def from_csv(cls, text: str) -> Gazetteer:
        """Build a gazetteer from the CSV text of districts.csv."""
        rows = csv.DictReader(io.StringIO(text))
        return cls(
            District(
                ubigeo=r["ubigeo"],
                department=r["department"],
                province=r["province"],
                district=r["district"],
                lat=float(r["lat"]),
                lon=float(r["lon"]),
            )
            for r in rows
        )

    @classmethod
    def default(cls) -> Gazetteer:
        """Return the gazetteer of the bundled districts.csv (loaded once)."""
        return _default_gazetteer()

    def __len__(self) -> int:
        return len(self._by_ubigeo)

    def get(self, ubigeo: str) -> District | None:
        """Return the district with this UBIGEO, or None."""
        return self._by_ubigeo.get(ubigeo.strip())

    def require(self, ubigeo: str) -> District:
        """Return the district with this UBIGEO.

        :raises UnknownUbigeo: if the code is malformed or unknown.
        """
        district = self._by_ubigeo.get(_check_ubigeo(ubigeo))
        if district is None:
            raise UnknownUbigeo(f"No existe un distrito con el código UBIGEO {ubigeo.strip()}.")
        return district

    def nearest(self, lat: float, lon: float) -> District:
        """The district whose capital is closest to (lat, lon) (a quick planar comparison)."""
        scale = math.cos(math.radians(lat))
        return min(
            self._by_ubigeo.values(),
            key=lambda d: (d.lat - lat) ** 2 + ((d.lon - lon) * scale) ** 2,
        )

    def departments(self) -> list[tuple[str, str]]:
        """Return (code, name) of every department, sorted by name."""
        found = {d.department_code: d.department for d in self._by_ubigeo.values()}
        return sorted(found.items(), key=lambda item: _name_key(item[1]))

    def provinces(self, department_code: str) -> list[tuple[str, str]]:
        """Return (code, name) of the provinces of a department, sorted by name."""
        found = {
            d.province_code: d.province
            for d in self._by_ubigeo.values()
            if d.department_code == department_code
        }
        return sorted(found.items(), key=lambda item: _name_key(item[1]))

    def districts(self, province_code: str) -> list[District]:
        """Return the districts of a province, sorted by name."""
        found = [d for d in self._by_ubigeo.values() if d.province_code == province_code]
        return sorted(found, key=lambda d: _name_key(d.district))

    def search(self, query: str, limit: int = 8) -> list[District]:
        """Districts matching what a clerk typed: every word must start a word of "district
        province department" (accents and case ignored), or digits start the UBIGEO. Exact
        district names first, then names that start with the query; Lima before provinces."""
        words = _name_key(query).replace(",", " ").replace("(", " ").replace(")", " ").split()
        if not words:
            return []
        if all(w.isdigit() for w in words):
            code = "".join(words)
            found = [d for d in self._by_ubigeo.values() if d.ubigeo.startswith(code)]
            return sorted(found, key=lambda d: d.ubigeo)[:limit]
        typed = " ".join(words)
        found = []
        for d in self._by_ubigeo.values():
            name = _name_key(d.district)
            label_words = _name_key(f"{d.district} {d.province} {d.department}").split()
            if all(any(lw.startswith(w) for lw in label_words) for w in words):
                rank = 0 if name == typed else 1 if name.startswith(typed) else 2
                found.append((rank, d.ubigeo[:4] not in LIMA_PREFIXES, name, d.ubigeo, d))
        return [row[-1] for row in sorted(found)[:limit]]

    def resolve(self, text: str) -> District | None:
        """The one district a typed text names (a UBIGEO, a label, or an unambiguous name)."""
        text = (text or "").strip()
        if not text:
            return None
        if text.isdigit():
            return self.get(text)
        key = _name_key(text)
        for d in self._by_ubigeo.values():
            if _name_key(d.label) == key:
                return d
        found = self.search(text, limit=2)
        return found[0] if len(found) == 1 else None


@cache
def _default_gazetteer() -> Gazetteer:
    text = files("fieldapp.data").joinpath("districts.csv").read_text(encoding="utf-8")
    return Gazetteer.from_csv(text)


def zone_for(ubigeo: str) -> Zone:
    """Return the service zone of a district.

    :raises UnknownUbigeo: if the code is not 6 digits.
    """
    return Zone.LIMA if _check_ubigeo(ubigeo).startswith(LIMA_PREFIXES) else Zone.PROVINCES


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Return the geodesic (WGS84) distance in km between two (lat, lon) points."""
    return float(geodesic(a, b).km)


def band_for(distance_km: float, thresholds_km: tuple[float, ...] = DEFAULT_THRESHOLDS_KM) -> int:
    """Return the distance band: 1 up to the first threshold, 2 up to the second, and so on."""
    for band, limit in enumerate(sorted(thresholds_km), start=1):
        if distance_km <= limit:
            return band
    return len(thresholds_km) + 1


@dataclass(frozen=True)
class Location:
    """Where a district lies for service purposes."""

    district: District
    zone: Zone
    distance_km: float
    band: int | None


def locate(
    ubigeo: str,
    gazetteer: Gazetteer,
    origin: tuple[float, float] = ST_COUNTER,
    thresholds_km: tuple[float, ...] = DEFAULT_THRESHOLDS_KM,
    overrides: Mapping[str, int] | None = None,
) -> Location:
    """Return zone, distance from the origin and band (None in Lima) of a district.

    :raises UnknownUbigeo: if the code is malformed or unknown.
    :raises ValueError: if an override band is less than 1.
    """
    district = gazetteer.require(ubigeo)
    zone = zone_for(district.ubigeo)
    km = distance_km(origin, district.point)
    band: int | None = None
    if zone is Zone.PROVINCES:
        override = (overrides or {}).get(district.ubigeo)
        if override is not None and override < 1:
            raise ValueError(f"Banda inválida para el distrito {district.ubigeo}: {override}.")
        band = override if override is not None else band_for(km, thresholds_km)
    return Location(district=district, zone=zone, distance_km=round(km, 1), band=band)
