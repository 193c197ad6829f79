"""The name field: primary and secondary identifiers, and fillers misread as 'K'.

OCR often reads the '<' filler as 'K'. A 'K' cannot be told from a filler by any check
digit, so only the structure helps: a 'K' that follows a filler inside the trailing filler
run is a filler. When a whole filler run was read as K's the separators themselves are in
doubt, and the names are repaired but flagged.
"""

from __future__ import annotations

from dataclasses import dataclass

# A trailing run of at least this many K's (no '<' left) means the line's fillers read as K.
K_RUN_AS_FILLERS = 3


@dataclass(frozen=True)
class NameRepair:
    text: str  # the field with misread fillers turned back into '<'
    changed: tuple[int, ...]  # offsets changed to '<'
    doubtful: bool  # the repair may have eaten a real 'K' or missed a separator


def repair_fillers(text: str) -> NameRepair:
    chars = list(text)
    changed: list[int] = []
    end = len(chars)
    tail_start = end
    while tail_start > 0 and chars[tail_start - 1] in "<K":
        tail_start -= 1
    tail = chars[tail_start:]
    doubtful = False
    if tail_start == 0:
        # Nothing but K's and fillers: no name or number is made of K's alone.
        changed = [i for i, c in enumerate(chars) if c == "K"]
        return NameRepair("<" * len(chars), tuple(changed), False)
    if "<" in tail and tail.count("K") < K_RUN_AS_FILLERS:
        # Inside the trailing filler run a 'K' after a '<' is a filler; a 'K' straight after
        # the last letters may end the name (NOVAK<<<) and is kept.
        for offset in range(tail_start, end):
            if chars[offset] == "K" and offset > tail_start and chars[offset - 1] == "<":
                chars[offset] = "<"
                changed.append(offset)
    elif tail.count("K") >= K_RUN_AS_FILLERS:
        # Every filler at the end read as K: the line's fillers are K's. Whether the name
        # itself ended with a K cannot be known.
        for offset in range(tail_start, end):
            if chars[offset] == "K":
                chars[offset] = "<"
                changed.append(offset)
        doubtful = True
        # Separators inside the name were then most likely read as K too.
        text_so_far = "".join(chars[:tail_start])
        start = text_so_far.find("KK")
        if start > 0:
            chars[start] = chars[start + 1] = "<"
            changed.extend((start, start + 1))
    return NameRepair("".join(chars), tuple(changed), doubtful)


def split_name(text: str) -> tuple[str, str | None]:
    """(surname, given names): split on the first '<<', single '<' become spaces.

    Given names are None when the document has none (nothing after the separator); an
    empty string is never returned for them.
    """
    stripped = text.rstrip("<")
    surname, _, given = stripped.partition("<<")
    surname = " ".join(part for part in surname.split("<") if part)
    given_names = " ".join(part for part in given.split("<") if part)
    return surname, given_names or None


def is_truncated(text: str) -> bool:
    """The issuer may have cut the name: it runs to the field's last position, or to the one
    before it and stops after a whole word (the cut fell on the filler between two words:
    'HANS<' left of 'HANS<PETER'). A name one letter short of its field ends that way too,
    which is why this is a warning the printed page settles, not a fact."""
    return bool(text) and (text[-1] != "<" or len(text) > 1 and text[-2] != "<")


def doubtful_structure(text: str, ks_read_plainly: bool = False) -> str | None:
    """Why the separators of a name field (after repair) may be misread, or None.

    `ks_read_plainly`: the recogniser's evidence says every 'K' is a 'K', so a 'K' beside a
    filler is no doubt.
    """
    name = text.rstrip("<")
    if not ks_read_plainly and ("KK" in name or "K<" in name or "<K" in name or name.endswith("K")):
        return "a 'K' next to a filler may itself be a misread '<'"
    if "<" in name and "<<" not in name:
        return "no '<<' separates surname and given names: a filler may have been dropped"
    return None
