"""Read a screenshot's text with Tesseract, and say how well an extraction agrees with it.

OCR is a second reading, not the source: Claude reads the question, and this module reads
the same pixels another way so that the job page can ask the tutor to check what we read
when the two disagree. Tesseract (Debian's `tesseract-ocr`) runs as a process on the worker,
fed the image on stdin; bench/ocr.py measured it against RapidOCR on Bluebook-like captures
(docs/benchmarks.md, "OCR"). When it is missing, times out or cannot read the image,
image_text() raises OcrUnavailable and the job goes on without the check.

The comparison is on words and numbers only: LaTeX (\\frac{3}{4}, x^{2}) and what OCR makes
of the rendered math (a stacked 3 over 4, a raised 2) both come down to the same tokens.
"""

from __future__ import annotations

import bisect
import io
import itertools
import os
import re
import shutil
import statistics
import subprocess
import unicodedata
import warnings
from collections.abc import Iterable
from difflib import SequenceMatcher

import numpy as np
from PIL import Image, UnidentifiedImageError

TESSERACT = "tesseract"
# Longer than the bench's slowest capture by far; the extract stage waits for it.
TIMEOUT_SECONDS = 15.0
# Darker than this is ink (text on white or on the light grey of a header).
INK_LEVEL = 160
# Fewer rows than this are never a line of text; more lines than MAX_LINES are not a page
# of text (a pattern, a photo), and the cutting stops.
MIN_INK = 5
MAX_LINES = 500
MAX_DENSITY = 0.5
# Tesseract reads best when a line is about this tall; smaller lines are enlarged, up to
# MAX_SCALE. Larger images are shrunk to MAX_PIXELS first: time grows with the area.
LINE_HEIGHT = 32
MAX_SCALE = 3.0
MAX_PIXELS = 16_000_000
# Below this share of the extraction's words found, in order, in the OCR text, the page asks
# the tutor to check what we read (bench/ocr.py: a right reading scored 0.73-1.00 against its
# own capture, another question of the bank at most 0.48).
MATCH_THRESHOLD = 0.6
# Fewer OCR words than this say nothing either way (a figure, a nearly blank crop).
MIN_WORDS = 8

# The test window around a question (Bluebook's header, tools and footer): never part of
# it, so both sides of a comparison and the simulator's parser leave these lines out.
CHROME_LINE = re.compile(
    r"^\W*(?:"
    r"section \d+,? module \d+\b.*|.*\bmark for review\b.*|question \d+ of \d+\b.*|"
    r"answer preview\b.*|"
    r"(?:(?:annotate|more|hide|directions|back|next|calculator|reference|highlights)\W*)+"
    r")$",
    re.IGNORECASE,
)

_FRACTION = re.compile(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
# Commands that print as a word keep it; every other command prints a symbol, which goes.
_WORD_COMMANDS = re.compile(r"\\(sin|cos|tan|log|ln|min|max)\b")
_COMMAND = re.compile(r"\\[a-zA-Z]+|\\.")
_NOT_WORD = re.compile(r"[^0-9a-z]+")


class OcrUnavailable(Exception):
    """The image could not be read: no Tesseract, a failure, a timeout or undecodable data."""


def available() -> bool:
    """Return whether Tesseract can be run here."""
    return shutil.which(TESSERACT) is not None


def image_text(data: bytes, *, timeout: float = TIMEOUT_SECONDS) -> str:
    """Return the text Tesseract reads in a PNG or JPEG image: lines, paragraphs apart."""
    if not available():
        raise OcrUnavailable(
            f"{TESSERACT} is not installed (Debian: apt-get install tesseract-ocr)"
        )
    page = _Page(_decoded(data))
    if not page.lines:
        return ""
    # One thread: a worker runs jobs side by side, and Tesseract's OpenMP threads only
    # contend with each other on a small machine. --psm 6: the column is one uniform block.
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(
            [TESSERACT, "stdin", "stdout", "-l", "eng", "--psm", "6", "tsv"],
            input=page.column_png(),
            capture_output=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise OcrUnavailable(f"{TESSERACT} took longer than {timeout:g} s") from error
    except OSError as error:
        raise OcrUnavailable(f"{TESSERACT} could not be started: {error}") from error
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        raise OcrUnavailable(f"{TESSERACT} failed ({done.returncode}): {message[0]}")
    return page.text(done.stdout.decode("utf-8", errors="replace"))


def _decoded(data: bytes) -> np.ndarray:
    """Return the image as a greyscale array, with the upload's guard against huge images."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as img:
                img.load()
                grey = img.convert("L")
        except (
            OSError,
            ValueError,
            UnidentifiedImageError,
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
        ) as error:
            raise OcrUnavailable(f"the image cannot be decoded: {error}") from error
    width, height = grey.size
    if width * height > MAX_PIXELS:
        scale = (MAX_PIXELS / (width * height)) ** 0.5
        grey = grey.resize((round(width * scale), round(height * scale)), Image.Resampling.BOX)
    pixels = np.asarray(grey)
    # Light text on a dark page (a dark theme): read as dark on light.
    return 255 - pixels if np.median(pixels) < 128 else pixels


class _Page:
    """A screenshot cut into its text lines, in reading order, and laid out again as one column.

    Tesseract reads one column of plain lines well and a test window badly: it reads a
    passage and the question beside it as one line each, and loses answers drawn in boxes.
    So the boxes and rules are erased, the page is cut at its widest blank gaps (a gutter
    between columns before the space between lines: the XY-cut), and the lines are pasted
    one under another, a paragraph's lines close together and paragraphs apart.
    """

    def __init__(self, grey: np.ndarray) -> None:
        self.grey = _without_rules(grey)
        self.ink = self.grey < INK_LEVEL
        self.gutter = max(12, round(grey.shape[1] / 40))
        self.lines: list[tuple[int, int, int, int]] = []  # (top, bottom, left, right)
        self._cut(self.ink, 0, 0)
        # Solid blocks are pictures (a photo, a chart, noise), not text: a line of text is
        # mostly paper even in bold.
        self.lines = [
            (t, b, left, right)
            for t, b, left, right in self.lines
            if self.ink[t:b, left:right].mean() <= MAX_DENSITY
        ]
        rings = {i: ring for i, line in enumerate(self.lines) if (ring := self._ring(line))}
        # The height of a line of text, from the lines that do not start with a ring.
        self.line_height = _median(
            [
                b - t
                for i, (t, b, _, _) in enumerate(self.lines)
                if b - t >= MIN_INK and i not in rings
            ]
            or [b - t for t, b, _, _ in self.lines]
        )
        self.starts: set[int] = set()  # lines that begin a paragraph whatever their spacing
        self._drop_choice_marks(rings)
        # What is left of dashed rules and rounded corners: too thin to be a line of text.
        keep = [i for i, (t, b, _, _) in enumerate(self.lines) if b - t >= 0.35 * self.line_height]
        self.starts = {keep.index(i) for i in self.starts if i in keep}
        self.lines = [self.lines[i] for i in keep]
        # The space between the lines of a paragraph: the common gap smaller than a line.
        gaps = [
            top - p_bottom
            for (p_top, p_bottom, p_left, p_right), (top, _, left, right) in itertools.pairwise(
                self.lines
            )
            if 0 <= top - p_bottom < self.line_height and left < p_right and p_left < right
        ]
        self.line_gap = _median(gaps) if gaps else self.line_height // 2
        self.rows: list[tuple[int, int, int]] = []  # (top, bottom, line index) in the column

    def _cut(self, ink: np.ndarray, top: int, left: int) -> None:
        """Add the lines of a block of the page to self.lines, in reading order."""
        todo = [(ink, top, left)]  # a stack: what is read first is on top
        while todo:
            ink, top, left = todo.pop()
            rows, cols = _any(ink, 1), _any(ink, 0)
            if not rows.any():
                continue
            y0, y1 = _extent(rows)
            x0, x1 = _extent(cols)
            ink = ink[y0:y1, x0:x1]
            top, left = top + y0, left + x0
            if len(self.lines) + len(todo) >= MAX_LINES:  # not a page of text: stop cutting
                self.lines.append((top, top + ink.shape[0], left, left + ink.shape[1]))
                continue
            gap_y = _widest_gap(_any(ink, 1))
            gap_x = _widest_gap(_any(ink, 0))
            # A gutter splits columns; between lines any blank row will do.
            if (
                gap_x is not None
                and gap_x[1] - gap_x[0] >= self.gutter
                and (gap_y is None or gap_x[1] - gap_x[0] >= gap_y[1] - gap_y[0])
            ):
                todo.append((ink[:, gap_x[1] :], top, left + gap_x[1]))
                todo.append((ink[:, : gap_x[0]], top, left))
            elif gap_y is not None:
                todo.append((ink[gap_y[1] :], top + gap_y[1], left))
                todo.append((ink[: gap_y[0]], top, left))
            else:
                self.lines.append((top, top + ink.shape[0], left, left + ink.shape[1]))

    def _drop_choice_marks(self, rings: dict[int, tuple[int, int]]) -> None:
        """Erase the circled letters before answer choices; start a paragraph at each choice.

        Tesseract reads a circled letter as "@", "©" or nothing, and glues it to a short
        answer ("@®s" for a circled B and 6). Two or more lines that begin with a ring larger
        than a capital letter, at the same x, are choices: the ring goes, and each choice's
        text becomes its own paragraph.
        """
        big = {i: end for i, (end, size) in rings.items() if size >= 1.25 * self.line_height}
        tolerance = max(3, self.line_height // 3)
        groups = [
            {
                j: end
                for j, end in big.items()
                if abs(self.lines[j][2] - self.lines[i][2]) <= tolerance
            }
            for i in big
        ]
        found = max(groups, key=len, default={})
        if len(found) < 2:
            return
        lines: list[tuple[int, int, int, int]] = []
        for i, (top, bottom, left, right) in enumerate(self.lines):
            end = found.get(i)
            if end is None:
                lines.append((top, bottom, left, right))
                continue
            self.grey[top:bottom, left:end] = 255
            self.ink[top:bottom, left:end] = False
            before = len(self.lines)
            self._cut(self.ink[top:bottom, end:right], top, end)
            parts = self.lines[before:]
            del self.lines[before:]
            if parts:
                self.starts.add(len(lines))
                lines += parts
        self.lines = lines
        # A ring sits beside the middle of its choice: lines above it that start where the
        # choice's text starts, close above, are the choice's first lines.
        for start in sorted(self.starts):
            first = start
            while first > 0 and first - 1 not in self.starts:
                top, _, left, _ = self.lines[first]
                p_top, p_bottom, p_left, _ = self.lines[first - 1]
                if abs(p_left - left) > tolerance or not 0 <= top - p_bottom < self.line_height:
                    break
                first -= 1
            self.starts.discard(start)
            self.starts.add(first)

    def _ring(self, line: tuple[int, int, int, int]) -> tuple[int, int] | None:
        """Return (where the text starts, the ring's height) when a line begins with a ring."""
        top, bottom, left, right = line
        ink = self.ink[top:bottom, left:right]
        cols = _any(ink, 0)
        blank = np.flatnonzero(~cols)
        if not blank.size or not cols[blank[0] :].any():
            return None
        width = int(blank[0])
        rows = np.flatnonzero(_any(ink[:, :width], 1))
        height = int(rows[-1] - rows[0] + 1)
        if height < MIN_INK or not 0.75 <= width / height <= 1.33:
            return None
        if not _is_ring(ink[rows[0] : rows[-1] + 1, :width]):
            return None
        text = np.flatnonzero(cols[width:])
        return left + width + int(text[0]), height

    def column_png(self) -> bytes:
        """Return the lines pasted into one column, enlarged to Tesseract's liking."""
        pad = max(4, self.line_height // 2)
        width = max(right - left for _, _, left, right in self.lines) + 2 * pad
        height = sum(b - t + pad + self.line_height for t, b, _, _ in self.lines) + pad
        scale = min(
            MAX_SCALE,
            max(1.0, LINE_HEIGHT / max(1, self.line_height)),
            max(1.0, (MAX_PIXELS / (width * height)) ** 0.5),
        )
        self.rows = []
        pieces, y = [], pad
        for i, (top, bottom, left, right) in enumerate(self.lines):
            if i and not self._same_paragraph(i):
                y += self.line_height
            pieces.append((y, self.grey[top:bottom, left:right]))
            self.rows.append((round(y * scale), round((y + bottom - top) * scale), i))
            y += bottom - top + pad
        column = np.full((y + pad, width), 255, dtype=np.uint8)
        for at, piece in pieces:
            column[at : at + piece.shape[0], pad : pad + piece.shape[1]] = piece
        img = Image.fromarray(column)
        if scale > 1.05:
            img = img.resize(
                (round(img.width * scale), round(img.height * scale)), Image.Resampling.LANCZOS
            )
        out = io.BytesIO()
        img.save(out, format="PNG", compress_level=1)
        return out.getvalue()

    def _same_paragraph(self, i: int) -> bool:
        """Say whether line i continues the paragraph of the line before it."""
        top, _, left, right = self.lines[i]
        p_top, p_bottom, p_left, p_right = self.lines[i - 1]
        if i in self.starts:
            return False
        close = top - p_bottom < 1.5 * self.line_gap + 1
        return top >= p_bottom and close and left < p_right and p_left < right

    def text(self, tsv: str) -> str:
        """Return Tesseract's lines, each on the line of the page it came from."""
        found: dict[tuple[str, ...], list[tuple[int, int, int, str]]] = {}
        for record in tsv.splitlines()[1:]:
            fields = record.split("\t")
            if len(fields) < 12 or fields[0] != "5" or not fields[11].strip():
                continue
            word = (int(fields[7]), int(fields[9]), int(fields[6]), fields[11].strip())
            found.setdefault(tuple(fields[1:5]), []).append(word)
        tops = [top for top, _, _ in self.rows]
        on_line: dict[int, list[tuple[float, str]]] = {}
        for words in found.values():
            middle = statistics.median(y + h / 2 for y, h, _, _ in words)
            at = self.rows[max(0, bisect.bisect_right(tops, middle) - 1)][2]
            top = min(y for y, _, _, _ in words)
            text = " ".join(word for _, _, _, word in sorted(words, key=lambda w: w[2]))
            on_line.setdefault(at, []).append((top, text))
        out: list[str] = []
        for i in range(len(self.lines)):
            if i and not self._same_paragraph(i) and out and out[-1]:
                out.append("")
            out += [text for _, text in sorted(on_line.get(i, []))]
        return "\n".join(out).strip()


def _is_ring(blob: np.ndarray) -> bool:
    """Say whether a blob is a circle outline (with anything inside it, like a letter)."""
    height, width = blob.shape
    cy, cx = (height - 1) / 2, (width - 1) / 2
    angles = np.linspace(0, 2 * np.pi, 36, endpoint=False)

    def share(radius: float, reach: int) -> float:
        ys = np.clip(np.round(cy + radius * cy * np.sin(angles)).astype(int), 0, height - 1)
        xs = np.clip(np.round(cx + radius * cx * np.cos(angles)).astype(int), 0, width - 1)
        hits = 0
        for y, x in zip(ys, xs, strict=True):
            hits += bool(
                blob[max(0, y - reach) : y + reach + 1, max(0, x - reach) : x + reach + 1].any()
            )
        return hits / len(angles)

    edge = max(1, round(min(height, width) / 12))
    return share(1.0 - edge / max(cy, 1), edge) >= 0.9 and share(0.72, 0) <= 0.35


def _median(values: list[int]) -> int:
    return sorted(values)[len(values) // 2] if values else 0


def _without_rules(grey: np.ndarray) -> np.ndarray:
    """Return the image with its rules, box outlines and filled bars painted white."""
    ink = grey < INK_LEVEL
    # Rules, box sides and fills are long runs of ink; a vertical one can be shorter than a
    # horizontal one (a box is wide and low) but still taller than a letter.
    across = _runs(ink, max(30, grey.shape[1] // 30))
    rules = across | _runs(ink.T, max(20, grey.shape[1] // 60)).T
    # A bar or button (text on a dark fill) shows long runs above and below its text.
    reach = max(8, grey.shape[1] // 40)
    rules |= _between(across, reach)
    # Growing the rules takes the rounded corners of boxes with them.
    grow = max(2, grey.shape[1] // 200)
    cleaned = grey.copy()
    cleaned[_grown(_grown(rules, grow).T, grow).T] = 255
    return cleaned


def _grown(mask: np.ndarray, reach: int) -> np.ndarray:
    """Return mask with every set pixel spread reach pixels left and right."""
    height, width = mask.shape
    sums = np.concatenate(
        [np.zeros((height, 1), dtype=np.int32), np.cumsum(mask, axis=1, dtype=np.int32)], axis=1
    )
    x = np.arange(width)
    return (sums[:, np.minimum(x + reach + 1, width)] - sums[:, np.maximum(x - reach, 0)]) > 0


def _runs(mask: np.ndarray, length: int) -> np.ndarray:
    """Return the pixels of mask that lie in a horizontal run of at least length pixels."""
    height, width = mask.shape
    if width < length:
        return np.zeros_like(mask)
    zero = np.zeros((height, 1), dtype=np.int32)
    sums = np.concatenate([zero, np.cumsum(mask, axis=1, dtype=np.int32)], axis=1)
    full = (sums[:, length:] - sums[:, :-length]) == length  # full[:, j]: j .. j+length all set
    starts = np.concatenate([zero, np.cumsum(full, axis=1, dtype=np.int32)], axis=1)
    x = np.arange(width)
    last = np.minimum(x, full.shape[1] - 1) + 1
    first = np.clip(x - length + 1, 0, full.shape[1])
    return (starts[:, last] - starts[:, first]) > 0


def _between(mask: np.ndarray, reach: int) -> np.ndarray:
    """Return the pixels with a set pixel of mask at most reach rows above and below them."""
    height = mask.shape[0]
    rows = np.arange(height)[:, None]
    above = np.maximum.accumulate(np.where(mask, rows, -(10**9)), axis=0)
    below = np.minimum.accumulate(np.where(mask, rows, 10**9)[::-1], axis=0)[::-1]
    return (below - above) <= reach


def _any(ink: np.ndarray, axis: int) -> np.ndarray:
    """Return, for each row (axis 1) or column (axis 0), whether it holds any ink."""
    return np.asarray(ink.any(axis=axis))


def _extent(present: np.ndarray) -> tuple[int, int]:
    where = np.flatnonzero(present)
    return int(where[0]), int(where[-1]) + 1


def _widest_gap(present: np.ndarray) -> tuple[int, int] | None:
    """Return the widest run of False strictly inside present (which starts and ends True)."""
    blank = ~present
    if not blank.any():
        return None
    edges = np.diff(np.concatenate([[0], blank.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    widths = ends - starts
    # Of equal gaps, the one nearest the middle: cutting evenly spaced lines in halves, not
    # one at a time, keeps the work at n log n.
    widest = np.flatnonzero(widths == widths.max())
    best = int(widest[np.argmin(np.abs(starts[widest] + ends[widest] - len(present)))])
    return int(starts[best]), int(ends[best])


def without_chrome(text: str) -> str:
    """Return the text without the lines of the test window around a question."""
    return "\n".join(line for line in text.splitlines() if not CHROME_LINE.match(line))


def plain(text: str) -> str:
    """Return text as lower-case words and numbers: no LaTeX, punctuation or symbols."""
    text = unicodedata.normalize("NFKC", text)  # ² -> 2, ﬁ -> fi
    while True:
        flat = _FRACTION.sub(r" \1 / \2 ", text)
        if flat == text:
            break
        text = flat
    text = _WORD_COMMANDS.sub(r" \1 ", text)
    text = _COMMAND.sub(" ", text)
    # A raised or lowered part belongs to its base, as OCR reads it: x^{2} is "x2".
    text = re.sub(r"[\^_{}]", "", text)
    return " ".join(_NOT_WORD.sub(" ", text.lower()).split())


def words(text: str) -> list[str]:
    """Return the tokens of plain(text)."""
    return plain(text).split()


def match(ocr_text: str, parts: Iterable[str]) -> float | None:
    """Return the share of the parts' words found, in order, in the OCR text.

    None when the OCR text is too short to say anything (a figure, a blank crop).
    """
    seen = words(without_chrome(ocr_text))
    read = [token for part in parts for token in words(part)]
    if len(seen) < MIN_WORDS or not read:
        return None
    matcher = SequenceMatcher(None, seen, read, autojunk=False)
    found = sum(block.size for block in matcher.get_matching_blocks() if block.size >= 2)
    return round(found / len(read), 3)


def similarity(a: str, b: str) -> float:
    """Return difflib's ratio between two texts, as plain() has them (the benchmark's measure)."""
    return SequenceMatcher(None, plain(a), plain(b), autojunk=False).ratio()
