"""PassportEye (konstantint/PassportEye) through its documented API: passporteye.read_mrz(path)
returns an MRZ object (None when no zone is found) with .valid and .to_dict()."""

from _common import clean, iso_date, run, sex
from passporteye import read_mrz


def read_one(path: str):
    mrz = read_mrz(path)
    if mrz is None:
        return None, False
    d = mrz.to_dict()
    code = clean(d.get("type"))
    fields = {
        "document_type": code[0] if code else None,
        "document_code": code.replace(" ", "") if code else None,
        "issuing_country": clean(d.get("country")),
        "surname": clean(d.get("surname")),
        "given_names": clean(d.get("names")),
        "document_number": clean(d.get("number")),
        "nationality": clean(d.get("nationality")),
        "date_of_birth": iso_date(d.get("date_of_birth"), "birth"),
        "sex": sex(d.get("sex")),
        "date_of_expiry": iso_date(d.get("expiration_date"), "expiry"),
        "personal_number": clean(d.get("personal_number")) if d.get("mrz_type") == "TD3" else None,
    }
    return fields, bool(mrz.valid)


if __name__ == "__main__":
    run(read_one)
