"""blitzid (malvavisc0/blitzid) through its documented API: MRZReader().read(path) -> MRZRecord;
it raises MRZError when any check digit fails, so every record it returns is 'valid'."""

from _common import clean, iso_date, run, sex
from blitzid import MRZReader

reader = MRZReader()


def read_one(path: str):
    try:
        record = reader.read(path)
    except Exception as error:  # MRZError and friends: the peer refused the zone
        if type(error).__name__ == "MRZError":
            return None, False
        raise
    code = clean(record.document_code)
    fields = {
        "document_type": code[0] if code else None,
        "document_code": code.replace(" ", "") if code else None,
        "issuing_country": clean(record.issuer),
        "surname": clean(record.surname),
        "given_names": clean(record.given_names),
        "document_number": clean(record.document_number),
        "nationality": clean(record.nationality),
        "date_of_birth": iso_date(record.birth_date, "birth"),
        "sex": sex(record.sex),
        "date_of_expiry": iso_date(record.expiry_date, "expiry"),
        "personal_number": clean(record.optional_data1) if record.mrz_type == "TD3" else None,
    }
    return fields, True


if __name__ == "__main__":
    run(read_one)
