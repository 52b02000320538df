from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldapp.domain.warranty import (
    CameraNotHandled,
    CaseKind,
    InvalidDates,
    OutOfWarranty,
    ProgrammeRules,
    WarrantyError,
    add_months,
    check_dates,
    check_product_type,
    classify,
)

RULES = ProgrammeRules()


def test_defaults() -> None:
    assert RULES.doa_days == 30
    assert RULES.warranty_months == 12
    assert RULES.camera_centres == ("G&N DIGITAL", "FOTO DIGITAL")


def test_same_day_failure_is_doa() -> None:
    assert classify(date(2026, 3, 1), date(2026, 3, 1), RULES) is CaseKind.DOA


def test_day_30_is_doa() -> None:
    assert classify(date(2026, 3, 1), date(2026, 3, 31), RULES) is CaseKind.DOA


def test_day_31_is_warranty() -> None:
    assert classify(date(2026, 3, 1), date(2026, 4, 1), RULES) is CaseKind.WARRANTY


def test_last_day_of_warranty_is_in_warranty() -> None:
    assert classify(date(2025, 1, 31), date(2026, 1, 31), RULES) is CaseKind.WARRANTY


def test_day_after_warranty_is_out() -> None:
    with pytest.raises(OutOfWarranty) as info:
        classify(date(2025, 1, 31), date(2026, 2, 1), RULES)
    assert info.value.field == "failure_date"
    assert info.value.ended_on == date(2026, 1, 31)
    assert "12 meses" in str(info.value)
    assert "31/01/2026" in str(info.value)


def test_leap_day_purchase_ends_on_28_february() -> None:
    purchase = date(2024, 2, 29)
    assert add_months(purchase, 12) == date(2025, 2, 28)
    assert classify(purchase, date(2025, 2, 28), RULES) is CaseKind.WARRANTY
    with pytest.raises(OutOfWarranty, match="28/02/2025"):
        classify(purchase, date(2025, 3, 1), RULES)


def test_warranty_length_is_a_setting() -> None:
    rules = ProgrammeRules(warranty_months=24)
    assert classify(date(2024, 5, 10), date(2026, 5, 10), rules) is CaseKind.WARRANTY
    with pytest.raises(OutOfWarranty, match="24 meses"):
        classify(date(2024, 5, 10), date(2026, 5, 11), rules)


def test_one_month_warranty_message_is_singular() -> None:
    with pytest.raises(OutOfWarranty, match="de 1 mes venció"):
        classify(date(2026, 1, 1), date(2026, 2, 2), ProgrammeRules(doa_days=7, warranty_months=1))


def test_failure_before_purchase() -> None:
    with pytest.raises(InvalidDates) as info:
        classify(date(2026, 3, 10), date(2026, 3, 9), RULES)
    assert info.value.field == "failure_date"
    assert "anterior a la fecha de compra" in str(info.value)


def test_purchase_in_future() -> None:
    with pytest.raises(InvalidDates) as info:
        check_dates(date(2026, 5, 2), date(2026, 5, 1), today=date(2026, 5, 1))
    assert info.value.field == "purchase_date"


def test_failure_in_future() -> None:
    with pytest.raises(InvalidDates) as info:
        check_dates(date(2026, 4, 1), date(2026, 5, 2), today=date(2026, 5, 1))
    assert info.value.field == "failure_date"


def test_dates_today_are_fine() -> None:
    check_dates(date(2026, 5, 1), date(2026, 5, 1), today=date(2026, 5, 1))


def test_printer_is_accepted() -> None:
    check_product_type("printer", RULES)


def test_camera_is_refused_with_both_centres() -> None:
    with pytest.raises(CameraNotHandled) as info:
        check_product_type("camera", RULES)
    message = str(info.value)
    assert info.value.field == "product_type"
    assert "G&N DIGITAL" in message
    assert "FOTO DIGITAL" in message
    assert info.value.centres == ("G&N DIGITAL", "FOTO DIGITAL")


def test_camera_centres_come_from_rules() -> None:
    with pytest.raises(CameraNotHandled, match="CENTRO UNO"):
        check_product_type("camera", ProgrammeRules(camera_centres=("CENTRO UNO",)))


def test_other_product_is_refused() -> None:
    with pytest.raises(WarrantyError) as info:
        check_product_type("scanner", RULES)
    assert type(info.value) is WarrantyError
    assert info.value.field == "product_type"


def test_errors_are_value_errors() -> None:
    for cls in (OutOfWarranty, InvalidDates, CameraNotHandled):
        assert issubclass(cls, WarrantyError)
    assert issubclass(WarrantyError, ValueError)


def test_add_months_clamps_month_end() -> None:
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 3, 31), -1) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 15), 2) == date(2026, 1, 15)
    assert add_months(date(2025, 1, 31), 12) == date(2026, 1, 31)


@given(st.dates(date(2000, 1, 1), date(2090, 12, 31)), st.integers(0, 120))
def test_add_months_properties(start: date, months: int) -> None:
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day <= start.day
    assert result >= start
