"""What the fake recognisers of the visual-zone tests share."""


class ReadsNoMarks:
    """A fake recogniser's mark reading: it reads none (the tests of marks use the network)."""

    def read_marks(self, crops, lines, alphabet, squeeze: float = 1.0) -> None:
        return None
