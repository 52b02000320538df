import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldapp.domain.service_number import (
    KODAK,
    STRIP_PATTERN,
    UNUSUAL_PREFIX,
    InvalidServiceNumber,
    ServiceNumber,
    browser_rule,
    normalise,
    parse,
    shape_message,
)


@pytest.mark.parametrize(
    "raw",
    ["T123456", " t123456 ", "T-123-456", "t 123 456", "T\t123456\n", "  T–123456 "],
)
def test_normalisation(raw: str) -> None:
    assert parse(raw).value == "T123456"


def test_normalise_removes_whitespace_and_dashes() -> None:
    assert normalise(" c-12 34\u00a056 ") == "C123456"


def test_t_is_esp3() -> None:
    assert parse("T123456") == ServiceNumber("T123456", "ESP 3", None)


def test_c_is_esp5() -> None:
    assert parse("c000001") == ServiceNumber("C000001", "ESP 5", None)


def test_other_letter_is_flagged() -> None:
    number = parse("x654321")
    assert number == ServiceNumber("X654321", None, UNUSUAL_PREFIX)
    assert number.flag == "unusual_prefix"


@pytest.mark.parametrize("raw", [None, "", "   ", " - "])
def test_empty_is_rejected(raw: str | None) -> None:
    with pytest.raises(InvalidServiceNumber, match="Ingrese el número de servicio"):
        parse(raw)


@pytest.mark.parametrize(
    "raw",
    ["T12345", "T1234567", "TC123456", "123456", "1234567", "T12345A", "Ñ123456", "T１２３４５６"],
)
def test_wrong_shape_is_rejected(raw: str) -> None:
    with pytest.raises(InvalidServiceNumber, match="una letra seguida de 6 dígitos"):
        parse(raw)


def test_invalid_service_number_is_value_error() -> None:
    assert issubclass(InvalidServiceNumber, ValueError)


@given(st.text())
def test_normalise_is_idempotent(raw: str) -> None:
    once = normalise(raw)
    assert normalise(once) == once


@given(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), st.integers(0, 999_999))
def test_every_letter_and_six_digits_parses(letter: str, number: int) -> None:
    raw = f" {letter.lower()}-{number:06d} "
    parsed = parse(raw)
    assert parsed.value == f"{letter}{number:06d}"
    assert (parsed.flag is None) == (letter in "TC")


def test_a_programmes_own_format_and_families():
    from fieldapp.domain.service_number import NumberRules

    epson = NumberRules(r"[A-Z]{2}[0-9]{8}", "ET12345678", {"ET": "EcoTank", "XP": "Expression"})
    assert parse(" et-1234 5678 ", epson) == ServiceNumber("ET12345678", "EcoTank", None)
    assert parse("ZZ12345678", epson).flag == UNUSUAL_PREFIX
    with pytest.raises(
        InvalidServiceNumber, match=r"formato de este programa \(p. ej. ET12345678\)"
    ):
        parse("T123456", epson)
    with pytest.raises(InvalidServiceNumber, match="una letra seguida de 6 dígitos"):
        parse("ET12345678")


@pytest.mark.parametrize("dash", ["-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015"])
def test_every_dash_the_phone_strips_is_stripped_here(dash: str) -> None:
    assert parse(f"t{dash}123{dash}456").value == "T123456"


def test_the_browser_rule_is_the_domains_rule() -> None:
    assert browser_rule() == {
        "strip": STRIP_PATTERN,
        "pattern": KODAK.pattern,
        "message": shape_message(KODAK),
    }
    with pytest.raises(InvalidServiceNumber) as refused:
        parse("T12")
    assert str(refused.value) == browser_rule()["message"]
