import pytest

from passport_ocr.mrz.checkdigit import char_value, check_digit


@pytest.mark.parametrize(
    "text, digit",
    [
        ("L898902C3", "6"),  # ICAO 9303 TD3 specimen: document number
        ("740812", "2"),  # date of birth
        ("120415", "9"),  # date of expiry
        ("ZE184226B<<<<<", "1"),  # personal number
        ("L898902C36" + "7408122" + "1204159ZE184226B<<<<<1", "0"),  # TD3 composite
        ("D23145890", "7"),  # TD1/TD2 specimen document number
        ("D23145890734", "9"),  # TD1 overflow specimen: 12-character number
        ("<<<<<<<<<<<<<<", "0"),
    ],
)
def test_icao_examples(text, digit):
    assert check_digit(text) == digit


def test_character_values():
    assert char_value("<") == 0
    assert char_value("7") == 7
    assert char_value("A") == 10
    assert char_value("Z") == 35
    with pytest.raises(ValueError):
        char_value("a")
