"""Matching: what a careful officer would catch, and what must stay apart."""

from __future__ import annotations

import pytest

from rsdesk.services.screening.matching import (
    THRESHOLD,
    EntryInfo,
    MatchIndex,
    compare,
    name_key,
    transliterate,
)

#: (partner's name, list name): variants that must match.
VARIANTS = [
    # missing diacritics
    ("Technische Universitat Munchen", "Technische Universität München"),
    ("Universite de Lyon", "Université de Lyon"),
    # reordered words
    ("Technology Institute Harbin", "Harbin Institute of Technology"),
    ("University of Tehran", "Tehran University"),
    # added or different legal forms
    ("Rosoboronexport", "Joint Stock Company Rosoboronexport"),
    ("Orion Photonics GmbH", "Orion Photonics Co., Ltd."),
    ("Almaz-Antey Air and Space Defence Corporation", "Almaz Antey Air & Space Defence Corp. JSC"),
    ("Sichuan Zhongke Jingmi Yiqi", "四川中科精密仪器有限公司"),
    ("Huawei", "Huawei Technologies Co., Ltd."),
    # transliterated Cyrillic (either side)
    ("Рособоронэкспорт", "Rosoboronexport"),
    ("Концерн Калашников", "Kalashnikov Concern"),
    ("Tsentralnyy Aerogidrodinamicheskiy Institut", "Центральный аэрогидродинамический институт"),
    # Chinese, as characters against pinyin and characters against characters
    ("哈尔滨工业大学", "Harbin Gongye Daxue"),
    ("北京航空航天大学", "北京航空航天大学"),
    # abbreviations registered as aliases, and common abbreviated words
    ("NUDT", "NUDT"),
    ("N.U.D.T.", "NUDT"),
    ("Sharif Univ. of Tech.", "Sharif University of Technology"),
    # small spelling differences in long words
    ("Beijing Insitute of Technology", "Beijing Institute of Technology"),
    # German umlauts written out (ae, oe, ue), "für" as "fuer", "ß" as "ss"
    ("Institut fuer Hoechstleistungsrechnen", "Institut für Höchstleistungsrechnen"),
    ("Hochschule fuer Technik Zuerich", "Hochschule für Technik Zürich"),
    (
        "Universitaet Stuttgart Institut fuer Raumfahrt",
        "Universität Stuttgart Institut für Raumfahrt",
    ),
    ("Technische Universitaet Muenchen", "Technische Universitat Munchen"),
    ("Suedwest Forschungszentrum", "Südwest-Forschungszentrum"),
    ("Grossforschungsanlage Koeln", "Großforschungsanlage Köln"),
    # connecting words of other languages
    ("Institut pour la Recherche Spatiale", "Institut de Recherche Spatiale"),
]

#: Pairs of different bodies that must not match.
DIFFERENT = [
    ("Technical University of Munich", "Technical University of Moscow"),
    ("Beijing Institute of Technology", "Beijing University of Technology"),
    ("Beijing University", "Beijing University of Technology"),
    ("Zhejiang University", "Zhejiang University of Technology"),
    ("Harbin Institute of Technology", "Harbin Engineering University"),
    ("Moscow State University", "Moscow Aviation Institute"),
    ("Peking University", "Beijing University of Aeronautics and Astronautics"),
    ("Tsinghua University", "Tsinghua University Press"),
    ("NUDT", "NUST"),
    ("University of Tehran", "Tehran University of Medical Sciences"),
    ("Institute 17", "Institute 18"),
    ("Institut für Raumfahrt", "Institut für Luftfahrt"),
    ("Hochschule für Technik Zürich", "Hochschule für Musik Zürich"),
    ("Universität Stuttgart", "Universitaet Tuebingen"),
    # pinyin syllables stay apart ("xue" is not "xu", "yue" is not "yu")
    ("Beijing Xue Yuan", "Beijing Xu Yu"),
    ("China Academy of Engineering Physics", "China Academy of Space Technology"),
]


@pytest.mark.parametrize(("partner", "listed"), VARIANTS)
def test_variants_match(partner: str, listed: str) -> None:
    assert compare(partner, listed) >= THRESHOLD
    assert compare(listed, partner) >= THRESHOLD  # symmetric


@pytest.mark.parametrize(("partner", "listed"), DIFFERENT)
def test_different_bodies_stay_apart(partner: str, listed: str) -> None:
    assert compare(partner, listed) < THRESHOLD


def test_normalisation_steps() -> None:
    assert transliterate("中科院") == " Zhong  Ke  Yuan "
    key = name_key("The Joint Stock Company «Rosoboronexport», Ltd.")
    assert key.tokens == ("rosoboronexport",)
    assert name_key("Universität Wien").tokens == name_key("University of Vienna").tokens[:1] + (
        "wien",
    )
    assert name_key("Co., Ltd.").tokens == ()


def _info(entry_id: int, name: str) -> EntryInfo:
    return EntryInfo(entry_id, 1, "test", "Test list", 1, f"X{entry_id}", name, None, None, "f")


def test_index_finds_the_same_as_comparing_every_name() -> None:
    """Blocking must not lose matches: the index agrees with brute force on the test corpus."""
    listed = sorted({b for _a, b in VARIANTS + DIFFERENT} | {a for a, _b in DIFFERENT})
    index = MatchIndex((_info(i, name), [name]) for i, name in enumerate(listed))
    queries = {a for a, _b in VARIANTS + DIFFERENT}
    for query in queries:
        expected = {name for name in listed if compare(query, name) >= THRESHOLD}
        found = {match.list_name_matched for match in index.match([query])}
        assert found == expected, query


def test_match_reports_which_names_met_and_keeps_the_best_per_entry() -> None:
    index = MatchIndex(
        [
            (
                _info(1, "Harbin Institute of Technology"),
                ["Harbin Institute of Technology", "HIT", "哈尔滨工业大学"],
            ),
            (
                _info(2, "Beijing Institute of Technology"),
                ["Beijing Institute of Technology", "BIT"],
            ),
        ]
    )
    matches = index.match(["Harbin Institute of Technolgy", "HIT", "Unrelated University"])
    assert len(matches) == 1
    match = matches[0]
    assert match.entry.entry_id == 1
    assert (match.query_name, match.list_name_matched, match.score) == ("HIT", "HIT", 1.0)
    as_json = match.as_dict()
    assert as_json["list_version"] == 1
    assert as_json["entry_name"] == "Harbin Institute of Technology"
    assert index.match(["Tehran Institute of Technology"]) == []
    # Pinyin written as words meets the characters ("ha er" -> "haer" -> "har", as "ae").
    (pinyin,) = index.match(["Harbin Gongye Daxue"])
    assert (pinyin.list_name_matched, pinyin.score) == ("哈尔滨工业大学", 1.0)
