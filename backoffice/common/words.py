"""Counts in sentences: "1 order", "2 orders", never "1 orders" or "order(s)"."""


def counted(count: int, noun: str, plural: str = "") -> str:
    """The count with its noun in the right number and thousands separators:
    counted(1, "order") → "1 order"; counted(1200, "entry", "entries") → "1,200 entries"."""
    word = noun if count == 1 else (plural or f"{noun}s")
    return f"{count:,} {word}"
