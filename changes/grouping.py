"""One policy, many sources: fingerprints and the same-policy test.

Texts are folded (NFKC, no whitespace), converted traditional → simplified character by character
with OpenCC's t2s character table (phrase-level conversion is ~50x slower and changes nothing
that 4-character shingles notice), then shingled.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

from changes.normalize import fold
from notices.model import Notice

SHINGLE = 4
SIMHASH_BITS = 64
_SAMPLE_MOD = 4  # keep 1 shingle in 4 (by hash) for the set comparison: same answer, 4x less work
_SAMPLE_FROM = 2000
NEAR_DUPLICATE_JACCARD = 0.8
# After fold() (NFKC, no whitespace): an issuer code, a year in any bracket (or none, or 年), a serial.
_DOC_NUMBER_RE = re.compile(
    r"^(?P<issuer>.*?)[〔〖【\[(]?(?P<year>(?:19|20)\d\d)年?[〕〗】\])]?第?0*(?P<serial>\d+)号?(?P<rest>.*)$"
)
_TRAILING_NOTE_RE = re.compile(r"(?:\([^()]*\)|[。.,，;；:：、])+$")


@cache
def _t2s_table() -> dict[int, str]:
    import opencc

    table: dict[int, str] = {}
    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and len(parts[0]) == 1:
            table[ord(parts[0])] = parts[1].split(" ")[0]
    return table


def to_simplified(text: str) -> str:
    """Traditional → simplified, character by character (OpenCC t2s character dictionary)."""
    return text.translate(_t2s_table())


def canonical_text(notice: Notice) -> str:
    return to_simplified(fold(notice.body))


def normalize_doc_number(doc_number: str | None) -> str:
    """``琼府〔2017〕69号`` / ``瓊府[2017]69號`` / ``琼府(2017)第069号`` → ``琼府2017-69``.

    Only spelling is folded (brackets, full-width digits, traditional characters, 第, leading zeros,
    a trailing note such as （已废止）): a different issuer code, year, serial or suffix (``之一``)
    stays different, because two doc numbers that differ name two documents."""
    if not doc_number:
        return ""
    text = _TRAILING_NOTE_RE.sub("", to_simplified(fold(doc_number)))
    match = _DOC_NUMBER_RE.match(text)
    if match is None:
        return text.replace("第", "").removesuffix("号")
    rest = match["rest"]
    return f"{match['issuer']}{match['year']}-{match['serial']}{rest}"


def _shingle_hashes(text: str) -> list[int]:
    if len(text) < SHINGLE:
        text = text.ljust(SHINGLE, "\0") if text else ""
    out = []
    for i in range(len(text) - SHINGLE + 1):
        digest = hashlib.blake2b(text[i : i + SHINGLE].encode("utf-8"), digest_size=8).digest()
        out.append(int.from_bytes(digest, "big"))
    return out


def simhash(text: str) -> int:
    """64-bit SimHash over the distinct character shingles of ``text``."""
    hashes = set(_shingle_hashes(text))
    if not hashes:
        return 0
    # Bit-sliced counters: counters[i] holds bit i of all 64 per-bit counts at once, so adding one
    # hash is a short ripple-carry of whole-int operations instead of 64 separate increments.
    counters: list[int] = []
    for h in hashes:
        carry, i = h, 0
        while carry:
            if i == len(counters):
                counters.append(0)
            counters[i], carry = counters[i] ^ carry, counters[i] & carry
            i += 1
    half = len(hashes) / 2
    value = 0
    for bit in range(SIMHASH_BITS):
        count = sum(((c >> bit) & 1) << i for i, c in enumerate(counters))
        if count > half:
            value |= 1 << bit
    return value


def _simhash_reference(text: str) -> int:
    """The textbook loop, kept to check the bit-sliced version against."""
    hashes = set(_shingle_hashes(text))
    half = len(hashes) / 2
    return sum(1 << b for b in range(SIMHASH_BITS) if sum(1 for h in hashes if h >> b & 1) > half)


def fingerprint(notice: Notice) -> str:
    """A 16-hex-digit SimHash of the folded, simplified body (stable across processes)."""
    return f"{simhash(canonical_text(notice)):016x}"


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def _sampled_shingles(text: str) -> set[int]:
    hashes = _shingle_hashes(text)
    if len(hashes) < _SAMPLE_FROM:
        return set(hashes)  # short texts: sampling would make the estimate noisy
    return {h for h in hashes if h % _SAMPLE_MOD == 0}


def similarity(a: Notice, b: Notice) -> float:
    """Jaccard similarity of the sampled shingle sets of the two canonical bodies."""
    sa, sb = _sampled_shingles(canonical_text(a)), _sampled_shingles(canonical_text(b))
    if not sa and not sb:
        return 1.0 if canonical_text(a) == canonical_text(b) else 0.0
    return len(sa & sb) / len(sa | sb)


def same_policy(
    a: Notice, b: Notice, *, same_source: bool = False, threshold: float = NEAR_DUPLICATE_JACCARD
) -> bool:
    """Whether two notices publish one policy.

    Two doc numbers decide alone: the same normalized doc number is the same policy, different
    ones are different policies however alike the texts. Without both, near-duplicate bodies
    (traditional reposts included) are one policy, but only across sources: two pages of one
    source (``same_source``) are two documents unless their doc numbers agree, since a site does
    not repost itself and its notices often share boilerplate (详见附件).
    """
    da, db = normalize_doc_number(a.doc_number), normalize_doc_number(b.doc_number)
    if da and db:
        return da == db
    if same_source:
        return False
    return similarity(a, b) >= threshold
