"""What every import shares: problems with file, line and column, decoding text files of
unknown encoding, and reading delimited rows whatever the delimiter."""

import csv
import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from gettext import gettext as _

# Exports from Windows programs (Untis among them) are often Windows-1252; a file that is not
# valid UTF-8 is read as that. Bytes that Windows-1252 leaves undefined fall back to ISO-8859-1.
FALLBACK_ENCODING = "cp1252"
DELIMITERS = (";", ",", "\t")
SAMPLE_LINES = 50
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, said so that the coordinator can find and fix it.
    `message` is an English template with %(name)s placeholders, translated when shown."""

    file: str
    message: str
    params: dict = field(default_factory=dict, hash=False, compare=False)
    line: int | None = None
    # A number in text files, a letter ("C") in spreadsheets.
    column: int | str | None = None
    column_name: str = ""

    def text(self, translate: Callable[[str], str] = lambda s: s) -> str:
        where = self.file
        if self.line is not None:
            where += ", " + translate("line %(line)s") % {"line": self.line}
        if self.column is not None:
            where += ", " + translate("column %(column)s") % {"column": self.column}
            if self.column_name:
                where += f" ({translate(self.column_name)})"
        elif self.column_name:
            where += f" ({translate(self.column_name)})"
        message = translate(self.message)
        if self.params:
            message = message % {k: translate(v) if isinstance(v, Label) else v
                                 for k, v in self.params.items()}
        return f"{where}: {message}"

    def __str__(self) -> str:
        return self.text()


class Label(str):
    """A param that is itself a message to translate (a weekday, a column's name)."""


@dataclass(frozen=True)
class TableRow:
    """One row of a delimited file: its first line number and its fields, stripped."""

    line: int
    fields: tuple[str, ...]

    def get(self, index: int) -> str:
        return self.fields[index] if index < len(self.fields) else ""


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters: not a text export (an image, a zip, garbage)."""
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 13))
    return controls > max(2, len(sample) // 100)


def decode_text(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was read with: UTF-8 (with or without BOM), else
    Windows-1252 (a superset of ISO-8859-1's printable characters)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode(FALLBACK_ENCODING), FALLBACK_ENCODING
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _rows(text: str, delimiter: str, limit: int | None = None) -> list[TableRow]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"',
                        skipinitialspace=True, strict=False)
    rows = []
    start = 1
    for fields in reader:
        if any(f.strip() for f in fields):
            rows.append(TableRow(start, tuple(f.strip() for f in fields)))
            if limit is not None and len(rows) >= limit:
                break
        start = reader.line_num + 1
    return rows


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most fields most consistently."""
    sample = "\n".join(text.splitlines()[:SAMPLE_LINES])
    best, best_score = ";", (0.0, 0)
    for delimiter in DELIMITERS:
        try:
            counts = [len(row.fields) for row in _rows(sample, delimiter)]
        except csv.Error:
            continue
        if not counts:
            continue
        mode, hits = Counter(counts).most_common(1)[0]
        if mode < 2:
            continue
        score = (hits / len(counts), mode)
        if score > best_score:
            best, best_score = delimiter, score
    return best


@dataclass
class TextTable:
    rows: list[TableRow]
    delimiter: str
    encoding: str


def read_table(file: str, data: bytes, problems: list[Problem]) -> TextTable | None:
    """Delimited rows of a text file, or None (with a problem) when it is not one."""
    if not data.strip():
        problems.append(Problem(file, _("the file is empty; export it again and choose the "
                                        "file with the data.")))
        return None
    if data.startswith(ZIP_MAGIC) or looks_binary(data):
        problems.append(Problem(file, _("this is not a text file (it looks like binary data); "
                                        "export the data as text (CSV or TXT) and upload "
                                        "that.")))
        return None
    text, encoding = decode_text(data)
    delimiter = sniff_delimiter(text)
    try:
        rows = _rows(text, delimiter)
    except csv.Error as error:  # e.g. a field larger than csv's limit
        problems.append(Problem(file, _("the file cannot be read as a table (%(error)s)."),
                                {"error": str(error)}))
        return None
    return TextTable(rows, delimiter, encoding)
