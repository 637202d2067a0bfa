"""Screening speed: re-screening 10,000 partners against 150,000 list names, and one check.

Both the list and the partners are generated deterministically with realistic shapes
(universities and institutes named after cities and fields, companies with legal forms,
people), from the same vocabulary so that many partners share words with many entries.
About 3% of the partners are variants of listed names (reordered, accents, legal forms, typos).

- ``screening rescreen``: ``workflow.rescreen_all`` over every partner in a real SQLite database,
  including building the index and writing the results; baseline: a naive rapidfuzz
  ``process.extractOne`` (WRatio, names pre-processed once) over all 150,000 names for each of
  the partner's names, measured on a sample of partners and extrapolated to all of them.
- ``screening check``: one ``workflow.check_names`` call with the index loaded (the GUI keeps
  it in memory; ``rsdesk screening check`` builds it once per process, reported separately as
  ``screening index build``), p50 and p95 over 300 names.

``--size`` is ignored: the sizes are the ones the issue sets (``RSDESK_BENCH_SCREENING_SCALE``
scales them down for a quick look, e.g. 0.1).
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from pathlib import Path

from benchmarks.common import Result, percentile

SCALE = float(os.environ.get("RSDESK_BENCH_SCREENING_SCALE", "1"))
LIST_NAMES = int(150_000 * SCALE)
PARTNERS = int(10_000 * SCALE)
BASELINE_SAMPLE = 200
SEED = 8

SYLLABLES = [
    "an",
    "bei",
    "chen",
    "da",
    "dong",
    "fa",
    "gang",
    "guo",
    "hai",
    "han",
    "hua",
    "jian",
    "jin",
    "kang",
    "ke",
    "lan",
    "li",
    "long",
    "min",
    "nan",
    "ning",
    "peng",
    "qing",
    "rong",
    "shan",
    "sheng",
    "tai",
    "tian",
    "wei",
    "xin",
    "yang",
    "yong",
    "yuan",
    "zhong",
    "zhou",
    "ko",
    "ro",
    "mo",
    "vo",
    "za",
    "ni",
    "ka",
    "ta",
    "sa",
    "lo",
    "mi",
    "ra",
    "to",
    "vi",
    "ze",
    "no",
    "ri",
    "bo",
    "al",
    "ar",
    "ev",
    "ul",
    "os",
    "ak",
]
FIELDS = [
    "Technology",
    "Physics",
    "Chemistry",
    "Aeronautics",
    "Astronautics",
    "Electronics",
    "Engineering",
    "Mathematics",
    "Medicine",
    "Agriculture",
    "Optics",
    "Mechanics",
    "Materials Science",
    "Information Technology",
    "Radio Engineering",
    "Nuclear Research",
    "Applied Physics",
    "Biotechnology",
    "Computer Science",
    "Economics",
    "Telecommunications",
    "Metallurgy",
    "Geology",
    "Oceanography",
    "Semiconductors",
    "Robotics",
    "Photonics",
    "Energy",
    "Space Research",
    "Automation",
    "Precision Instruments",
    "Fine Mechanics",
    "Chemical Technology",
]
KINDS = ("University", "Institute", "Academy", "Polytechnic University", "Research Institute")
INDUSTRIES = [
    "Electronics",
    "Machinery",
    "Optics",
    "Instruments",
    "Trading",
    "Aviation",
    "Shipbuilding",
    "Chemical",
    "Photonics",
    "Software",
    "Semiconductor",
    "Materials",
    "Defence Systems",
    "Radio",
    "Engineering",
    "Logistics",
]
LEGAL = ("Co., Ltd.", "GmbH", "JSC", "LLC", "Inc.", "Ltd", "Joint Stock Company", "PJSC", "S.A.")
GIVEN = [
    "Ivan",
    "Alexei",
    "Sergei",
    "Li",
    "Wei",
    "Chen",
    "Mohammad",
    "Ali",
    "Reza",
    "Hassan",
    "Olga",
    "Elena",
    "Anna",
    "Dmitri",
    "Yuri",
    "Kim",
    "Park",
    "Jin",
    "Hao",
    "Ming",
    "Fatemeh",
    "Zahra",
    "Nikolai",
    "Pavel",
]


class Names:
    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.cities = [self.word(2, 3) for _ in range(400)]
        self.brands = [self.word(2, 3) for _ in range(30_000)]
        self.surnames = [self.word(2, 4) + "ov" for _ in range(8_000)]

    def word(self, low: int, high: int) -> str:
        count = self.random.randint(low, high)
        return "".join(self.random.choice(SYLLABLES) for _ in range(count)).capitalize()

    def institution(self) -> str:
        r = self.random
        city, field, kind = r.choice(self.cities), r.choice(FIELDS), r.choice(KINDS)
        shape = r.random()
        if shape < 0.4:
            return f"{city} {kind} of {field}"
        if shape < 0.7:
            return f"{kind} of {field}, {city}"
        if shape < 0.85:
            return f"{r.choice(self.brands)} {city} State {kind}"
        return f"{r.choice(self.brands)} {kind} of {field}"

    def company(self) -> str:
        r = self.random
        brand = r.choice(self.brands)
        if r.random() < 0.3:
            brand += " " + r.choice(self.brands)
        return f"{brand} {r.choice(INDUSTRIES)} {r.choice(LEGAL)}"

    def person(self) -> str:
        r = self.random
        return f"{r.choice(GIVEN)} {r.choice(self.surnames)}"

    def any(self) -> str:
        draw = self.random.random()
        if draw < 0.45:
            return self.institution()
        if draw < 0.85:
            return self.company()
        return self.person()


def acronym(name: str) -> str:
    return "".join(w[0] for w in name.replace(",", "").split() if w[0].isupper())


def variant(name: str, r: random.Random) -> str:
    """A partner's spelling of a listed name."""
    words = name.replace(",", "").split()
    choice = r.random()
    if choice < 0.25:
        r.shuffle(words)
    elif choice < 0.5:
        words = [w for w in words if w not in ("Co.", "Ltd.", "GmbH", "JSC", "LLC")] + ["Ltd"]
    elif choice < 0.75:
        longest = max(range(len(words)), key=lambda i: len(words[i]))
        word = words[longest]
        if len(word) > 6:
            position = r.randrange(1, len(word) - 1)
            words[longest] = word[:position] + word[position + 1 :]
    else:
        words = [w.replace("o", "ö").replace("a", "á") for w in words]
    return " ".join(words)


def generate() -> tuple[bytes, list[list[str]]]:
    """The list (office CSV bytes) and the partners' names."""
    import csv
    import io

    names = Names(SEED)
    entries: list[tuple[str, str]] = []
    total = 0
    seen: set[str] = set()
    while total < LIST_NAMES:
        name = names.any()
        if name in seen:
            continue
        seen.add(name)
        alias = acronym(name) if names.random.random() < 0.3 else ""
        entries.append((name, alias))
        total += 2 if alias else 1
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "aliases", "id"])
    for number, (name, alias) in enumerate(entries):
        writer.writerow([name, alias, f"SYN-{number}"])
    partners_source = Names(SEED + 1)
    partners_source.cities = names.cities  # the same cities and brands: realistic near-misses
    partners_source.brands = names.brands
    r = random.Random(SEED + 2)
    partners = []
    for _ in range(PARTNERS):
        if r.random() < 0.03:
            listed, _alias = r.choice(entries)
            partners.append([variant(listed, r)])
        else:
            name = partners_source.any()
            partners.append([name, acronym(name)] if r.random() < 0.3 else [name])
    return out.getvalue().encode(), partners


def run(size: int) -> list[Result]:
    from rapidfuzz import fuzz, process, utils
    from sqlalchemy import insert

    from rsdesk.db import open_database
    from rsdesk.models import Partner, PartnerName
    from rsdesk.models.enums import PartnerKind, PartnerNameKind
    from rsdesk.services.screening import lists, workflow

    list_bytes, partners = generate()
    folder = Path(tempfile.mkdtemp(prefix="bench-screening-"))
    os.environ["RSDESK_HOME"] = str(folder)
    db = open_database(folder / "bench.sqlite3")
    results: list[Result] = []
    try:
        started = time.perf_counter()
        with db.unit_of_work() as session:
            outcome = lists.load_bytes(session, list_bytes, "synthetic.csv", name="Synthetic")
        load_seconds = time.perf_counter() - started
        with db.unit_of_work() as session:
            # Partners are set-up, not measured: Core insert without the audit hook.
            session.execute(
                insert(Partner.__table__),
                [
                    {"name": names[0], "kind": PartnerKind.COMPANY.value, "archived": False}
                    for names in partners
                ],
            )
            rows = [
                {"partner_id": index + 1, "name": name, "kind": PartnerNameKind.ALIAS.value}
                for index, names in enumerate(partners)
                for name in names[1:]
            ]
            if rows:
                session.execute(insert(PartnerName.__table__), rows)

        started = time.perf_counter()
        with db.read() as session:
            workflow.get_index(session)  # built once per set of active list versions
        index_seconds = time.perf_counter() - started
        started = time.perf_counter()
        with db.unit_of_work() as session:
            summary = workflow.rescreen_all(session)
        rescreen_seconds = time.perf_counter() - started + index_seconds

        list_names = []
        with db.read() as session:
            index = workflow.get_index(session)
            list_names = list(index.name_text)
        processed = [utils.default_process(name) for name in list_names]
        sample = random.Random(SEED + 3).sample(partners, min(BASELINE_SAMPLE, len(partners)))
        started = time.perf_counter()
        for names in sample:
            for name in names:
                process.extractOne(
                    utils.default_process(name), processed, scorer=fuzz.WRatio, processor=None
                )
        naive_sample = time.perf_counter() - started
        naive_total = naive_sample * len(partners) / len(sample)

        results.append(
            Result(
                "screening rescreen 10k partners x 150k names",
                rescreen_seconds,
                baseline_name="naive extractOne per name (extrapolated)",
                baseline=naive_total,
                goal="ratio <= 0.1",
                met=rescreen_seconds / naive_total <= 0.1,
                note=(
                    f"{len(partners)} partners, {index.name_count} list names "
                    f"({outcome.entry_count} entries); {summary.matches} matches; "
                    f"baseline measured on {len(sample)} partners ({naive_sample:.1f} s); "
                    f"includes building the index ({index_seconds:.1f} s); "
                    f"list load {load_seconds:.1f} s"
                ),
            )
        )

        queries = [names[0] for names in random.Random(SEED + 4).sample(partners, 300)]
        timings = []
        with db.read() as session:
            workflow.check_names(session, [queries[0]])  # the list is loaded
            for query in queries:
                started = time.perf_counter()
                workflow.check_names(session, [query])
                timings.append(time.perf_counter() - started)
        p50, p95 = percentile(timings, 0.5) * 1000, percentile(timings, 0.95) * 1000
        results.append(
            Result(
                "screening check one name, p95 (index loaded)",
                p95,
                unit="ms",
                goal="p95 < 50 ms",
                met=p95 < 50,
                note=f"p50 {p50:.1f} ms, p95 {p95:.1f} ms over {len(queries)} names",
            )
        )
        results.append(
            Result("screening check one name, p50 (index loaded)", p50, unit="ms", goal=None)
        )
        results.append(
            Result(
                "screening index build (once per list version set)",
                index_seconds,
                note=f"{index.name_count} names; what a fresh `rsdesk screening check` pays",
            )
        )
    finally:
        db.dispose()
    return results


if __name__ == "__main__":
    for result in run(0):
        print(result)
