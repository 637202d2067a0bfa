"""Matching names against the entries of screening lists.

How a name becomes comparable (:func:`name_key`):

1. Unicode NFKC, then transliteration to ASCII with anyascii: accents and diacritics go
   ("München" -> "Munchen"), Cyrillic, Greek, Arabic... are romanised ("Рособоронэкспорт" ->
   "Rosoboroneksport"), and every Chinese, Japanese or Korean character becomes one syllable
   ("哈尔滨工业大学" -> "ha er bin gong ye da xue").
2. Lower case; "&" becomes "and"; apostrophes vanish; other punctuation separates words; runs of
   single letters join ("N.U.D.T." -> "nudt", "S.p.A." -> "spa").
3. Spelling variants of transliteration are folded (ks -> x, kh -> h, ph -> f), and so are
   German umlauts written out: "ae", "oe", "ue" become "a", "o", "u" in words of four letters
   or more, as anyascii already made "ä", "ö", "ü" ("Zuerich" and "Zürich" -> "zurich"; "ß"
   and "ss" both give "ss"). Foreign or abbreviated words for the same thing are unified
   ("universitet", "Universitaet", "univ." -> "university").
4. Legal forms ("Co., Ltd.", "GmbH", "JSC", "Joint Stock Company", "有限公司"...) and filler words
   ("of", "the", "de", "für", "pour"...) are dropped; word order is ignored.
5. Each remaining word has a weight: words that say what kind of body it is ("university",
   "institute", "academy", "science", "technology", "national"...) weigh 0.5, words that say
   almost nothing ("group", "holding", "international"...) 0.25, every other word 1.

How two names are compared (:func:`score`): words are paired (equal words, or words of four or
more letters whose rapidfuzz similarity is at least 0.8), and the score is the weighted Dice
coefficient of the pairing: ``sum(similarity x (weight_a + weight_b)) / (total_a + total_b)``.
Because distinctive words weigh most, "Technical University of Munich" and "Technical
University of Moscow" share only the generic words and score 0.5; reordered words, missing
accents and added legal forms score 1. Names whose letters are equal once the spaces are
removed but that are cut into a different number of words (pinyin written as words or as
syllables, "Rosoboron Export") also score by the similarity of those compacted strings when it
is at least 0.94.

The threshold :data:`THRESHOLD` (0.87) is chosen from the test corpus in
tests/services/screening/test_matching.py: every true variant there scores at least 0.889
("Huawei" / "Huawei Technologies Co., Ltd.", a filler word apart), and the closest pair of
different bodies scores 0.857 ("Zhejiang University" / "Zhejiang University of Technology": a
word saying what kind of body it is apart). Words shorter than four letters (acronyms) only
match exactly.

Finding candidates (:class:`MatchIndex`): an inverted index from word to list names, plus, per
word, its fuzzy neighbours in the vocabulary (found among words sharing the first or last three
letters). A query only reads the postings of its rarest words: as many as are needed so that a
name sharing none of them could not reach the threshold with the remaining words (prefix
filtering). Candidates then get an upper bound from the words they share, and only those that
can still reach the threshold are scored exactly. This keeps one query to a few milliseconds on
150,000 names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from anyascii import anyascii

THRESHOLD = 0.87
#: Compacted strings (spaces removed) this similar count as the same name.
COMPACT_THRESHOLD = 0.94
TOKEN_SIMILARITY = 0.8
MIN_FUZZY_LENGTH = 4


def word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


def synonyms(text: str, meaning: str) -> dict[str, str]:
    return dict.fromkeys(text.split(), meaning)


STOPWORDS = word_set(
    "of the and for de del della der die das des du la le les el y und et di da do dos im "
    "in at on an a imeni im pri fur zur zum pour para per"
)
LEGAL_FORMS = word_set(
    "ltd limited llc llp lp inc incorporated corp co gmbh mbh ag kg ohg ev sa sas sarl spa srl "
    "bv nv plc pte pty jsc ojsc pjsc cjsc ao oao zao pao ooo tov pat ab oy kk ltda sdn bhd pvt "
    "sc sae fzco fze fzc lllp"
)
#: Multi-word legal forms, removed wherever they occur.
LEGAL_PHRASES = (
    ("open", "joint", "stock", "company"),
    ("closed", "joint", "stock", "company"),
    ("public", "joint", "stock", "company"),
    ("joint", "stock", "company"),
    ("limited", "liability", "company"),
    ("limited", "liability", "partnership"),
    ("public", "limited", "company"),
    ("federal", "state", "unitary", "enterprise"),
    ("federal", "state", "budgetary", "institution"),
    ("federal", "state", "budgetary", "educational", "institution", "higher", "education"),
    ("federal", "state", "autonomous", "educational", "institution", "higher", "education"),
    ("aktsionernoe", "obshchestvo"),
    ("obshchestvo", "s", "ogranichennoy", "otvetstvennostyu"),
)
#: Chinese legal forms as syllables (有限公司, 股份有限公司, 有限责任公司, 集团), removed at the end.
CHINESE_SUFFIXES = (
    ("gu", "fen", "you", "xian", "gong", "si"),
    ("you", "xian", "ze", "ren", "gong", "si"),
    ("you", "xian", "gong", "si"),
    ("gong", "si"),
    ("ji", "tuan"),
)
SYNONYMS = {
    **synonyms(
        "univ universitet universiteta universitat universite universidad universidade "
        "universita universiteit uniwersytet universitatea universitet",
        "university",
    ),
    **synonyms("inst institut instituto istituto instytut instituta", "institute"),
    **synonyms("acad akademiya akademii academia akademie academie", "academy"),
    **synonyms("center tsentr zentrum centro", "centre"),
    **synonyms("lab laboratoriya laboratorium laboratoire", "laboratory"),
    **synonyms(
        "polytechnical politecnico politehnica polytechnique politekhnicheskiy", "polytechnic"
    ),
    **synonyms("sci sciences nauk", "science"),
    **synonyms("tech techn", "technology"),
    **synonyms("natl", "national"),
    **synonyms("intl", "international"),
    **synonyms("kontsern koncern konzern", "concern"),
    **synonyms("gosudarstvennyy gosudarstvennyi", "state"),
}
GENERIC = word_set(
    "university institute academy college school centre laboratory research science scientific "
    "technical technology technological engineering national state federal central polytechnic "
    "hospital foundation society association bureau ministry department faculty branch office "
    "agency council committee republic people peoples advanced applied design plant factory "
    "works unitary budgetary corporation institution education higher educational medical "
    "normal studies study"
)
FILLER = word_set(
    "company group holding holdings trading industries industry international enterprise "
    "enterprises technologies services solutions systems products concern firm partners"
)
GENERIC_WEIGHT = 0.5
FILLER_WEIGHT = 0.25


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x2E80 <= code <= 0x9FFF
        or 0xAC00 <= code <= 0xD7AF
        or 0xF900 <= code <= 0xFAFF
        or 0x1100 <= code <= 0x11FF
        or 0x20000 <= code <= 0x3FFFF
    )


def transliterate(text: str) -> str:
    """ASCII rendering of ``text``; each CJK character becomes a separate syllable."""
    text = unicodedata.normalize("NFKC", text)
    if text.isascii():
        return text
    out = []
    for char in text:
        if char.isascii():
            out.append(char)
        elif _is_cjk(char):
            out.append(f" {anyascii(char)} ")
        else:
            out.append(anyascii(char))
    return "".join(out)


def _words(text: str) -> list[str]:
    text = transliterate(text).lower().replace("&", " and ")
    text = text.replace("'", "").replace("`", "")
    # transliterate() returns ASCII: everything but letters and digits separates words.
    cleaned = _SEPARATORS.sub(" ", text)
    words: list[str] = []
    letters: list[str] = []
    for word in cleaned.split():
        if len(word) == 1 and word.isalpha():
            letters.append(word)
            continue
        if letters:
            words.append("".join(letters))
            letters = []
        words.append(word)
    if letters:
        words.append("".join(letters))
    return words


_SEPARATORS = re.compile(r"[^a-z0-9]+")
_PHRASE_STARTS = frozenset(phrase[0] for phrase in LEGAL_PHRASES)
_SUFFIX_ENDS = frozenset(suffix[-1] for suffix in CHINESE_SUFFIXES)


def _remove_phrases(words: list[str]) -> list[str]:
    if words and words[-1] in _SUFFIX_ENDS:
        for suffix in CHINESE_SUFFIXES:
            if len(words) > len(suffix) and tuple(words[-len(suffix) :]) == suffix:
                del words[-len(suffix) :]
    if _PHRASE_STARTS.isdisjoint(words):
        return words
    for phrase in LEGAL_PHRASES:
        size = len(phrase)
        index = 0
        while index + size <= len(words):
            if tuple(words[index : index + size]) == phrase:
                del words[index : index + size]
            else:
                index += 1
    return words


#: German umlauts written out ("fuer", "Zuerich"): folded to the vowel that anyascii leaves
#: of "ü" ("für" -> "fur"), on both sides. Only in words of four letters or more, so that the
#: pinyin syllables "xue", "yue", "jue", "que"... stay apart from "xu", "yu", "ju", "qu".
_UMLAUT_SPELLING = re.compile(r"(?<=[aou])e")
MIN_UMLAUT_WORD = 4


def _fold_umlaut_spelling(word: str) -> str:
    if len(word) < MIN_UMLAUT_WORD or ("ue" not in word and "oe" not in word and "ae" not in word):
        return word
    return _UMLAUT_SPELLING.sub("", word)


_fold_umlaut_word = lru_cache(maxsize=200_000)(_fold_umlaut_spelling)


@lru_cache(maxsize=200_000)
def _fold(word: str) -> str:
    word = SYNONYMS.get(word, word)
    return word.replace("ks", "x").replace("kh", "h").replace("ph", "f")


def weight(token: str) -> float:
    if token in GENERIC:
        return GENERIC_WEIGHT
    if token in FILLER:
        return FILLER_WEIGHT
    return 1.0


@dataclass(frozen=True, slots=True)
class NameKey:
    tokens: tuple[str, ...]
    weights: tuple[float, ...]
    #: The name's letters without spaces (legal forms removed, no synonyms).
    compact: str
    total: float


def name_key(name: str) -> NameKey:
    """The comparable form of a name (see the module docstring)."""
    words = _remove_phrases(_words(name))
    words = [w for w in words if w not in LEGAL_FORMS]
    # The compacted letters are folded as a whole, so that "Daxue" and "da xue" stay equal.
    compact = _fold_umlaut_spelling(
        "".join(w.replace("ks", "x").replace("kh", "h").replace("ph", "f") for w in words)
    )
    words = [_fold_umlaut_word(w) for w in words]
    tokens: list[str] = []
    for word in words:
        if word in STOPWORDS:
            continue
        folded = _fold(word)
        if folded not in tokens:
            tokens.append(folded)
    weights = tuple(weight(t) for t in tokens)
    return NameKey(tuple(tokens), weights, compact, sum(weights))


_similarity: Any = None


def _ratio(a: str, b: str) -> float:
    """Normalised Indel similarity (rapidfuzz, imported on first use)."""
    global _similarity
    if _similarity is None:
        from rapidfuzz.distance import Indel

        _similarity = Indel.normalized_similarity
    return float(_similarity(a, b))


def token_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if len(a) < MIN_FUZZY_LENGTH or len(b) < MIN_FUZZY_LENGTH or a.isdigit() or b.isdigit():
        return 0.0
    similarity = _ratio(a, b)
    return similarity if similarity >= TOKEN_SIMILARITY else 0.0


def score(a: NameKey, b: NameKey) -> float:
    """Similarity of two names in [0, 1] (see the module docstring)."""
    total = a.total + b.total
    if not total:
        return 0.0
    matched = 0.0
    used_b: set[int] = set()
    pending_a: list[int] = []
    index_b = {token: i for i, token in enumerate(b.tokens)}
    for i, token in enumerate(a.tokens):
        j = index_b.get(token)
        if j is not None:
            matched += a.weights[i] + b.weights[j]
            used_b.add(j)
        else:
            pending_a.append(i)
    if pending_a and len(used_b) < len(b.tokens):
        pairs = []
        for i in pending_a:
            for j, token in enumerate(b.tokens):
                if j in used_b:
                    continue
                similarity = token_similarity(a.tokens[i], token)
                if similarity:
                    pairs.append((similarity, i, j))
        pairs.sort(reverse=True)
        used_a: set[int] = set()
        for similarity, i, j in pairs:
            if i in used_a or j in used_b:
                continue
            used_a.add(i)
            used_b.add(j)
            matched += similarity * (a.weights[i] + b.weights[j])
    result = matched / total
    # Words split or joined differently ("Rosoboron Export", pinyin syllables against words):
    # compare the letters without spaces. Only then, because for names with the same number of
    # words the compacted strings hide a different distinctive word among long generic ones.
    if result < 1.0 and len(a.tokens) != len(b.tokens) and min(len(a.compact), len(b.compact)) >= 8:
        compact = _ratio(a.compact, b.compact)
        if compact >= COMPACT_THRESHOLD:
            result = max(result, compact)
    return result


def compare(name_a: str, name_b: str) -> float:
    """Score of two plain names (convenience for tests and the command line)."""
    return score(name_key(name_a), name_key(name_b))


# --- the index ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EntryInfo:
    entry_id: int
    list_id: int
    list_key: str
    list_name: str
    version_no: int
    external_id: str | None
    primary_name: str
    kind: str | None
    programme: str | None
    fingerprint: str


@dataclass(frozen=True)
class Match:
    """One list entry that one of the searched names matched (the best pair of names)."""

    entry: EntryInfo
    query_name: str
    list_name_matched: str
    score: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.query_name,
            "matched_name": self.list_name_matched,
            "score": round(self.score, 3),
            "entry_name": self.entry.primary_name,
            "entry_id": self.entry.entry_id,
            "external_id": self.entry.external_id,
            "kind": self.entry.kind,
            "programme": self.entry.programme,
            "list": self.entry.list_name,
            "list_key": self.entry.list_key,
            "list_id": self.entry.list_id,
            "list_version": self.entry.version_no,
        }


#: Names compacted (spaces removed) are blocked by their first and last letters.
COMPACT_BLOCK = 5


MAX_COMPACT_POSTING = 500


def _compact_blocks(compact: str) -> tuple[str, str]:
    return ("<" + compact[:COMPACT_BLOCK], compact[-COMPACT_BLOCK:] + ">")


class MatchIndex:
    """In-memory index over the names of list entries (built once per set of active lists)."""

    def __init__(self, entries: Iterable[tuple[EntryInfo, Sequence[str]]]) -> None:
        self.entries: list[EntryInfo] = []
        self.name_entry: list[int] = []
        self.name_text: list[str] = []
        self.name_keys: list[NameKey] = []
        self.postings: dict[str, list[int]] = {}
        self.compact_postings: dict[str, list[int]] = {}
        self._by_prefix: dict[str, set[str]] = {}
        self._by_suffix: dict[str, set[str]] = {}
        self._neighbours: dict[str, tuple[str, ...]] = {}
        key_cache: dict[str, NameKey] = {}
        for info, names in entries:
            entry_index = len(self.entries)
            self.entries.append(info)
            seen: set[tuple[tuple[str, ...], str]] = set()
            for text in names:
                key = key_cache.get(text)
                if key is None:
                    key = key_cache[text] = name_key(text)
                if not key.tokens or (key.tokens, key.compact) in seen:
                    continue
                seen.add((key.tokens, key.compact))
                name_index = len(self.name_keys)
                self.name_entry.append(entry_index)
                self.name_text.append(text)
                self.name_keys.append(key)
                for token in key.tokens:
                    self.postings.setdefault(token, []).append(name_index)
                if len(key.compact) >= 8:
                    for block in _compact_blocks(key.compact):
                        self.compact_postings.setdefault(block, []).append(name_index)
        for token in self.postings:
            if len(token) >= MIN_FUZZY_LENGTH and not token.isdigit():
                self._by_prefix.setdefault(token[:3], set()).add(token)
                self._by_suffix.setdefault(token[-3:], set()).add(token)

    @property
    def name_count(self) -> int:
        return len(self.name_keys)

    def neighbours(self, token: str) -> tuple[str, ...]:
        """Vocabulary words similar to ``token`` (itself included when present)."""
        cached = self._neighbours.get(token)
        if cached is not None:
            return cached
        found = [token] if token in self.postings else []
        if len(token) >= MIN_FUZZY_LENGTH and not token.isdigit():
            from rapidfuzz import process
            from rapidfuzz.distance import Indel

            pool = self._by_prefix.get(token[:3], set()) | self._by_suffix.get(token[-3:], set())
            pool.discard(token)
            if pool:
                for candidate, _score, _index in process.extract(
                    token,
                    list(pool),
                    scorer=Indel.normalized_similarity,
                    score_cutoff=TOKEN_SIMILARITY,
                    limit=None,
                ):
                    if len(candidate) >= MIN_FUZZY_LENGTH and not candidate.isdigit():
                        found.append(candidate)
        result = tuple(found)
        if len(self._neighbours) > 100_000:
            self._neighbours.clear()
        self._neighbours[token] = result
        return result

    def candidates(self, key: NameKey, threshold: float) -> set[int]:
        """Names that could reach ``threshold`` against ``key`` (prefix filtering)."""
        groups: list[tuple[int, float, list[list[int]]]] = []
        for token, token_weight in zip(key.tokens, key.weights):
            lists = [self.postings[t] for t in self.neighbours(token)]
            groups.append((sum(len(p) for p in lists), token_weight, lists))
        groups.sort(key=lambda group: group[0])
        remaining = key.total
        found: set[int] = set()
        for _size, token_weight, lists in groups:
            # A name sharing none of the groups read so far matches at most `remaining`.
            if remaining <= 0 or 2 * remaining / (key.total + remaining) < threshold:
                break
            for posting in lists:
                found.update(posting)
            remaining -= token_weight
        if len(key.compact) >= 8:
            for block in _compact_blocks(key.compact):
                posting = self.compact_postings.get(block, [])
                # A frequent start or end ("insti...", "...ology") says nothing.
                if len(posting) <= MAX_COMPACT_POSTING:
                    found.update(posting)
        return found

    def search_key(self, key: NameKey, threshold: float = THRESHOLD) -> list[tuple[int, float]]:
        """(name index, score) of every list name scoring at least ``threshold``."""
        if not key.tokens:
            return []
        hits = []
        # Query weight of every vocabulary word that can pair with one of the query's words.
        reach: dict[str, float] = {}
        for token, token_weight in zip(key.tokens, key.weights):
            for neighbour in self.neighbours(token):
                reach[neighbour] = max(token_weight, reach.get(neighbour, 0.0))
        compact_length = len(key.compact)
        for name_index in self.candidates(key, threshold):
            other = self.name_keys[name_index]
            # Upper bound of the weighted Dice score from the words that can pair at all.
            shared_query = shared_other = 0.0
            for token, token_weight in zip(other.tokens, other.weights):
                reached = reach.get(token)
                if reached is not None:
                    shared_query += reached
                    shared_other += token_weight
            bound = (min(shared_query, key.total) + shared_other) / (key.total + other.total)
            if bound < threshold and (
                len(other.tokens) == len(key.tokens)
                or compact_length < 8
                or len(other.compact) < 8
                or abs(compact_length - len(other.compact)) > 0.12 * compact_length
            ):
                continue
            value = score(key, other)
            if value >= threshold:
                hits.append((name_index, value))
        return hits

    def match(self, names: Sequence[str], threshold: float = THRESHOLD) -> list[Match]:
        """The entries matched by any of ``names``: the best pair per entry, best first."""
        best: dict[int, Match] = {}
        for query in dict.fromkeys(n for n in names if n and n.strip()):
            for name_index, value in self.search_key(name_key(query), threshold):
                entry_index = self.name_entry[name_index]
                current = best.get(entry_index)
                # On a tie, show the pair an officer reads most easily: the entry's main name.
                if (
                    current is None
                    or value > current.score
                    or (
                        value == current.score
                        and self.name_text[name_index] == self.entries[entry_index].primary_name
                    )
                ):
                    best[entry_index] = Match(
                        self.entries[entry_index], query, self.name_text[name_index], value
                    )
        return sorted(best.values(), key=lambda m: (-m.score, m.entry.primary_name))
