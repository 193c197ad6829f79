"""readmrz (egemenzeytinci/readmrz) through its API: MrzDetector().crop_area(detector.read(path))
then MrzReader().process(image) -> dict. It reports no validity, so the adapter recomputes the
number / birth / expiry check digits from the '*_hash' fields it returns (no composite)."""

from _common import check_digit, clean, iso_date, run, sex
from readmrz import MrzDetector, MrzReader

detector, reader = MrzDetector(), MrzReader()


def read_one(path: str):
    image = detector.crop_area(detector.read(path))
    result = reader.process(image)
    if not result:
        return None, False
    number = (result.get("document_number") or "").replace(" ", "<")
    birth, expiry = result.get("birth_date") or "", result.get("expiry_date") or ""
    valid = (
        check_digit(number.ljust(9, "<")) == str(result.get("document_number_hash"))
        and check_digit(birth) == str(result.get("birth_date_hash"))
        and check_digit(expiry) == str(result.get("expiry_date_hash"))
    )
    code = clean(result.get("document_type"))
    fields = {
        "document_type": code[0] if code else None,
        "document_code": code.replace(" ", "") if code else None,
        "issuing_country": clean(result.get("country")),
        "surname": clean(result.get("surname")),
        "given_names": clean(result.get("name")),
        "document_number": clean(number),
        "nationality": clean(result.get("nationality")),
        "date_of_birth": iso_date(birth, "birth"),
        "sex": sex(result.get("sex")),
        "date_of_expiry": iso_date(expiry, "expiry"),
        "personal_number": clean(result.get("optional_data")),
    }
    return fields, valid


if __name__ == "__main__":
    run(read_one)
