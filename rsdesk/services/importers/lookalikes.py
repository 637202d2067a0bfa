"""Names that probably mean the same thing, for the import plan to point out (never to merge).

Two uses: a course name that is not in the catalogue gets "did you mean ...?" (rapidfuzz over the
catalogue's names and codes), and the new partners a collaborations file would create are
compared with each other and with the partners in the register using the screening name key
(umlauts written out folded, "Universität"/"University" unified, legal forms dropped) and its
score, plus one rule screening does not need: a short word made of the initials of the other
name's leading words ("TU München" / "Technische Universität München").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rsdesk.services.screening import matching

#: rapidfuzz WRatio (0-100) a catalogue name must reach to be suggested.
SUGGESTION_CUTOFF = 80
#: New partner names compared at most (a file naming more new partners is checked for these).
MAX_NEW_NAMES = 2000
#: A word (or abbreviation) shared by more names than this is not compared on: it says little
#: about two names (a city with many institutes) and comparing every pair costs quadratically
#: (1,000 new names against a 19,000-partner register took 12 s).
MAX_BLOCK = 100
#: An abbreviation is this many letters at most ("TU", "ETH", "KTH", "UCL").
MAX_ABBREVIATION = 5


def suggest(text: str, choices: Iterable[str]) -> str | None:
    """The choice ``text`` was most probably meant to be, if one is close enough."""
    from rapidfuzz import fuzz, process, utils

    found = process.extractOne(
        text,
        list(choices),
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        score_cutoff=SUGGESTION_CUTOFF,
    )
    return None if found is None else str(found[0])


def _abbreviates(short: matching.NameKey, long: matching.NameKey) -> bool:
    """Whether one word of ``short`` is the initials of consecutive words of ``long`` and the
    other words of the two names are the same ("TU München" / "Technische Universität München")."""
    for index, word in enumerate(short.tokens):
        if not 2 <= len(word) <= MAX_ABBREVIATION or not word.isalpha():
            continue
        rest = short.tokens[:index] + short.tokens[index + 1 :]
        if not rest:
            continue
        for start in range(len(long.tokens) - len(word) + 1):
            run = long.tokens[start : start + len(word)]
            if "".join(t[0] for t in run) != word:
                continue
            if long.tokens[:start] + long.tokens[start + len(word) :] == rest:
                return True
    return False


def alike(a: matching.NameKey, b: matching.NameKey) -> bool:
    return matching.score(a, b) >= matching.THRESHOLD or _abbreviates(a, b) or _abbreviates(b, a)


def _blocks(key: matching.NameKey) -> set[str]:
    """Words that two names alike share at least one of: each distinctive word and its first
    three letters (so that "Geneve" meets "Geneva")."""
    blocks: set[str] = set()
    for token, weight in zip(key.tokens, key.weights):
        if weight >= 1.0:
            blocks.add(token)
            blocks.add("<" + token[:3])
    return blocks


def similar_names(new: list[str], existing: list[str]) -> list[tuple[str, str, bool]]:
    """Pairs (new name, other name, other is in the register) that may name one organisation:
    among ``new`` and between ``new`` and ``existing``. Only names sharing a distinctive word
    (or its first letters) are scored, so the cost follows the new names, not the register."""
    new = new[:MAX_NEW_NAMES]
    if not new:
        return []
    keys = {name: matching.name_key(name) for name in new}
    wanted: set[str] = set().union(*(_blocks(k) for k in keys.values()))
    index: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    for name in new:
        for block in _blocks(keys[name]):
            index[block].append((name, False))
    new_set = set(new)
    for name in existing:
        if name in new_set:
            continue
        key = matching.name_key(name)
        shared = _blocks(key) & wanted
        if shared:
            keys[name] = key
            for block in shared:
                index[block].append((name, True))
    pairs: list[tuple[str, str, bool]] = []
    seen: set[tuple[str, str]] = set()
    for name in new:
        for block in _blocks(keys[name]):
            if len(index[block]) > MAX_BLOCK:
                continue  # a word that many names share says little (and costs quadratically)
            for other, known in index[block]:
                if other == name or (other, name) in seen or (name, other) in seen:
                    continue
                seen.add((name, other))
                if alike(keys[name], keys[other]):
                    pairs.append((name, other, known))
    # In the file's order (blocks are a set), names in the file before those in the register.
    order = {name: position for position, name in enumerate(new)}
    return sorted(pairs, key=lambda pair: (order[pair[0]], pair[2], order.get(pair[1], 0), pair[1]))
