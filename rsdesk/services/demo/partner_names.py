"""Synthetic names of foreign partners, in the scripts a register really holds.

Each locale has cities (with the grammatical forms its patterns need), fields, brand words and
name patterns per partner kind, each pattern with an English and a native form. The generator picks
a locale, a kind and a pattern and returns the name, its other names (native-script name, English
alias, transliteration, abbreviation, former name), the country and a website under ``.example``
(never a real address). Names are synthetic: any likeness to a real organisation is by pattern only.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from anyascii import anyascii

UNI, INS, COM, GOV, OTH = "university", "research_institute", "company", "government_body", "other"


@dataclass(frozen=True)
class Pattern:
    kind: str
    english: str | None
    native: str | None
    abbreviate: bool = False


@dataclass(frozen=True)
class Locale:
    key: str
    #: latin (no native form), latin_diacritics, cyrillic, greek, han, japanese, hangul, arabic.
    script: str
    weight: int
    #: Each city: ``c`` English name, ``n`` native name, ``cc`` ISO country, plus grammatical forms.
    cities: tuple[dict[str, str], ...]
    patterns: tuple[Pattern, ...]
    fields: tuple[tuple[str, str], ...] = ()
    brands: tuple[tuple[str, str], ...] = ()
    sectors: tuple[tuple[str, str], ...] = ()
    stems: tuple[tuple[str, str], ...] = (("", ""),)
    _by_kind: dict[str, tuple[Pattern, ...]] = field(default_factory=dict, compare=False)

    def patterns_for(self, kind: str) -> tuple[Pattern, ...]:
        if kind not in self._by_kind:
            self._by_kind[kind] = tuple(p for p in self.patterns if p.kind == kind)
        return self._by_kind[kind]


def _cities(cc: str, *rows: tuple[str, ...], keys: str = "cn") -> tuple[dict[str, str], ...]:
    out = []
    for row in rows:
        city = dict(zip(keys, row))
        city.setdefault("n", city["c"])
        city.setdefault("cc", cc)
        out.append(city)
    return tuple(out)


def _same(*words: str) -> tuple[tuple[str, str], ...]:
    return tuple((word, word) for word in words)


LOCALES: tuple[Locale, ...] = (
    Locale("english", "latin", 26,
        _cities("GB", ("Leeds",), ("Bristol",), ("Glasgow",), ("Cardiff",), ("Belfast",), ("Sheffield",), ("Nottingham",),
                  ("Aberdeen",), ("Exeter",), ("Durham",), ("Lancaster",))
        + _cities("US", ("Boston",), ("Austin",), ("Madison",), ("Pittsburgh",), ("Seattle",),
                  ("Atlanta",), ("Denver",), ("Houston",), ("Phoenix",), ("Portland",),
                  ("Rochester",), ("Tucson",), ("Columbus",), ("Buffalo",), ("Omaha",))
        + _cities("CA", ("Toronto",), ("Waterloo",), ("Calgary",), ("Ottawa",), ("Halifax",))
        + _cities("AU", ("Melbourne",), ("Brisbane",), ("Adelaide",), ("Perth",),
                  ("Canberra",))
        + _cities("IE", ("Dublin",), ("Galway",)) + _cities("NL", ("Delft",), ("Eindhoven",))
        + _cities("SG", ("Singapore",)) + _cities("MY", ("Kuala Lumpur",), ("Penang",)) + _cities("IN", ("Bangalore",), ("Chennai",), ("Pune",), ("Hyderabad",),
                  ("Kolkata",))
        + _cities("ZA", ("Cape Town",), ("Stellenbosch",)) + _cities("NZ", ("Auckland",), ("Dunedin",)) + _cities("GH", ("Accra",))
        + _cities("IL", ("Haifa",)) + _cities("NG", ("Lagos",)) + _cities("KE", ("Nairobi",)),
        (Pattern(UNI, "University of {c}", None, True), Pattern(UNI, "{c} Institute of Technology", None, True),
         Pattern(UNI, "{c} Metropolitan University", None, True), Pattern(UNI, "{c} Medical School", None),
         Pattern(INS, "{c} Institute for {fe}", None, True), Pattern(INS, "{c} Centre for {fe}", None),
         Pattern(COM, "{be}{bs} {se} Ltd", None), Pattern(COM, "{be}{bs} {se} Inc.", None),
         Pattern(GOV, "{c} Regional Development Agency", None), Pattern(GOV, "{c} City Council", None),
         Pattern(GOV, "{c} Port Authority", None),
         Pattern(OTH, "{c} Science Foundation", None), Pattern(OTH, "{c} Chamber of Commerce", None),
         Pattern(OTH, "{c} Teaching Hospital", None)),
        fields=_same("Advanced Materials", "Photonics", "Quantum Computing", "Infectious Diseases",
                     "Climate Research", "Robotics", "Marine Science", "Energy Systems",
                     "Cyber Security", "Data Science"),
        brands=_same("Blue", "North", "Bright", "Iron", "Silver", "Clear", "Swift", "Deep", "Red",
                     "Oak"),
        stems=_same("field", "wave", "gate", "stone", "path", "point", "ridge", "line"),
        sectors=_same("Photonics", "Robotics", "Biosciences", "Analytics", "Systems", "Materials",
                      "Energy", "Instruments", "Semiconductors", "Aerospace", "Defence Systems")),
    Locale("nordic", "latin", 5,
        _cities("NO", ("Tromsø", "Tromsø", "AS"), ("Bergen", "Bergen", "AS"),
                ("Trondheim", "Trondheim", "AS"), keys="cnx")
        + _cities("SE", ("Umeå", "Umeå", "AB"), ("Linköping", "Linköping", "AB"),
                  ("Malmö", "Malmö", "AB"), ("Göteborg", "Göteborg", "AB"), keys="cnx")
        + _cities("IS", ("Reykjavík", "Reykjavík", "ehf."), keys="cnx")
        + _cities("DK", ("Århus", "Århus", "ApS"), ("Odense", "Odense", "ApS"), keys="cnx"),
        (Pattern(UNI, "{c} University", None, True), Pattern(UNI, "University of {c}", None, True),
         Pattern(INS, "{c} Institute of {fe}", None, True), Pattern(COM, "{be}{bs} {se} {x}", None),
         Pattern(GOV, "{c} Municipality", None), Pattern(OTH, "{c} Science Park", None)),
        fields=_same("Marine Research", "Arctic Studies", "Energy Technology", "Bioeconomy"),
        brands=_same("Fjäll", "Älv", "Sjö", "Ørn", "Bjørk", "Strøm", "Lys", "Skär"),
        stems=_same("", "vik", "berg", "dal"),
        sectors=_same("Photonics", "Robotics", "Biotech", "Systems", "Energy", "Instruments")),
    Locale("polish", "latin_diacritics", 6,
        _cities("PL", ("Łódź", "Łódź", "Łódzka", "Łódzki", "w Łodzi"),
                ("Gdańsk", "Gdańsk", "Gdańska", "Gdański", "w Gdańsku"),
                ("Wrocław", "Wrocław", "Wrocławska", "Wrocławski", "we Wrocławiu"),
                ("Kraków", "Kraków", "Krakowska", "Krakowski", "w Krakowie"),
                ("Poznań", "Poznań", "Poznańska", "Poznański", "w Poznaniu"),
                ("Białystok", "Białystok", "Białostocka", "Białostocki", "w Białymstoku"),
                ("Rzeszów", "Rzeszów", "Rzeszowska", "Rzeszowski", "w Rzeszowie"),
                ("Toruń", "Toruń", "Toruńska", "Toruński", "w Toruniu"), keys="cnfml"),
        (Pattern(UNI, "{c} University of Technology", "Politechnika {f}", True),
         Pattern(UNI, "University of {c}", "Uniwersytet {m}", True),
         Pattern(UNI, "Medical University of {c}", "Uniwersytet Medyczny {l}", True),
         Pattern(INS, "Institute of {fe}, {c}", "Instytut {fn} {l}", True),
         Pattern(COM, None, "{bn}{bsn} {sn} sp. z o.o."),
         Pattern(GOV, "{c} Regional Development Agency", "Agencja Rozwoju Regionalnego {l}"),
         Pattern(OTH, "{c} Science and Technology Park", "Park Naukowo-Technologiczny {l}")),
        fields=(("Physics", "Fizyki"), ("Chemical Technology", "Technologii Chemicznej"),
                ("Materials Engineering", "Inżynierii Materiałowej"), ("Plant Genetics", "Genetyki Roślin"),
                ("Computer Science", "Informatyki")),
        brands=_same("Żuraw", "Wisła", "Orzeł", "Bursztyn", "Jantar", "Sokół", "Kruk", "Dąb"),
        stems=_same("", "pol", "tech"),
        sectors=_same("Systemy", "Technologie", "Fotonika", "Robotyka", "Biotech", "Energia",
                      "Materiały", "Elektronika")),
    Locale("czech", "latin_diacritics", 3,
        _cities("CZ", ("Prague", "Praha", "v Praze"), ("Brno", "Brno", "v Brně"),
                ("Ostrava", "Ostrava", "v Ostravě"), ("Plzeň", "Plzeň", "v Plzni"),
                ("Olomouc", "Olomouc", "v Olomouci"), ("Liberec", "Liberec", "v Liberci"),
                ("České Budějovice", "České Budějovice", "v Českých Budějovicích"),
                ("Hradec Králové", "Hradec Králové", "v Hradci Králové"), keys="cnl"),
        (Pattern(UNI, "{c} University of Technology", "Vysoké učení technické {l}", True),
         Pattern(UNI, "University of {c}", "Univerzita {l}", True),
         Pattern(INS, "Institute of {fe}, {c}", "Ústav {fn} {l}", True),
         Pattern(COM, None, "{bn}{bsn} {sn} s.r.o."),
         Pattern(GOV, "{c} Regional Authority", "Krajský úřad {l}"),
         Pattern(OTH, "{c} Innovation Centre", "Inovační centrum {l}")),
        fields=(("Physics", "fyziky"), ("Organic Chemistry", "organické chemie"),
                ("Microbiology", "mikrobiologie"), ("Thermomechanics", "termomechaniky")),
        brands=_same("Šípek", "Řeka", "Lípa", "Jeřáb", "Sokol", "Vltava"),
        stems=_same("", "tech", "tron"),
        sectors=_same("Technologie", "Systémy", "Elektronika", "Robotika", "Materiály", "Biotech")),
    Locale("german", "latin_diacritics", 7,
        _cities("DE", ("Munich", "München"), ("Cologne", "Köln"), ("Düsseldorf", "Düsseldorf"),
                ("Nuremberg", "Nürnberg"), ("Göttingen", "Göttingen"), ("Tübingen", "Tübingen"),
                ("Würzburg", "Würzburg"), ("Lübeck", "Lübeck"), ("Saarbrücken", "Saarbrücken"),
                ("Münster", "Münster"), ("Osnabrück", "Osnabrück"), ("Jülich", "Jülich"),
                ("Gießen", "Gießen"), ("Brunswick", "Braunschweig"), ("Hanover", "Hannover"))
        + _cities("AT", ("Graz", "Graz"), ("Vienna", "Wien"), ("Linz", "Linz"))
        + _cities("CH", ("Zurich", "Zürich"), ("Basel", "Basel")),
        (Pattern(UNI, "University of {c}", "Universität {n}", True),
         Pattern(UNI, "{c} University of Applied Sciences", "Hochschule {n}", True),
         Pattern(UNI, "Technical University of {c}", "Technische Universität {n}", True),
         Pattern(INS, "{c} Institute for {fe}", "Institut für {fn} {n}", True),
         Pattern(COM, None, "{bn}{bsn} {sn} GmbH"),
         Pattern(GOV, "{c} Economic Development Agency", "Wirtschaftsförderung {n}"),
         Pattern(OTH, "{c} Research Foundation", "Forschungsstiftung {n}")),
        fields=(("Solid-State Research", "Festkörperforschung"), ("Applied Optics", "angewandte Optik"),
                ("Plasma Physics", "Plasmaphysik"), ("Molecular Medicine", "Molekulare Medizin"),
                ("Production Technology", "Produktionstechnik")),
        brands=_same("Nordlicht", "Grünwald", "Bergmann", "Edelweiß", "Falke", "Lindner", "Weißdorn",
                     "Kühne"),
        stems=_same("", "tec"),
        sectors=_same("Präzisionstechnik", "Optik", "Systeme", "Robotik", "Werkstoffe",
                      "Energietechnik", "Messtechnik", "Biotech", "Wehrtechnik")),
    Locale("french", "latin_diacritics", 6,
        _cities("FR", ("Lyon", "Lyon"), ("Marseille", "Marseille"), ("Grenoble", "Grenoble"),
                ("Toulouse", "Toulouse"), ("Besançon", "Besançon"), ("Nîmes", "Nîmes"),
                ("Orléans", "Orléans"), ("Lille", "Lille"),
                ("Rennes", "Rennes"), ("Clermont-Ferrand", "Clermont-Ferrand"), ("Nancy", "Nancy"))
        + _cities("BE", ("Liège", "Liège")) + _cities("CA", ("Montreal", "Montréal"))
        + _cities("CH", ("Geneva", "Genève")) + _cities("SN", ("Dakar", "Dakar")),
        (Pattern(UNI, "University of {c}", "Université de {n}", True),
         Pattern(UNI, "{c} Institute of Technology", "Institut polytechnique de {n}", True),
         Pattern(INS, "{c} Laboratory of {fe}", "Laboratoire de {fn} de {n}", True),
         Pattern(COM, None, "{bn}{bsn} {sn} SAS"),
         Pattern(GOV, "{c} Metropolitan Authority", "Métropole de {n}"),
         Pattern(OTH, "{c} Chamber of Commerce and Industry", "Chambre de commerce et d'industrie de {n}")),
        fields=(("Materials Science", "science des matériaux"),
                ("Applied Mathematics", "mathématiques appliquées"), ("Microbiology", "microbiologie"),
                ("Photonics", "photonique")),
        brands=_same("Étoile", "Lumière", "Océane", "Forêt", "Élan", "Aurore", "Rivière", "Cèdre"),
        stems=_same("", "tech"),
        sectors=_same("Technologies", "Systèmes", "Robotique", "Photonique", "Matériaux", "Énergie",
                      "Biotech", "Électronique")),
    Locale("spanish", "latin_diacritics", 6,
        _cities("ES", ("Seville", "Sevilla"), ("Málaga", "Málaga"), ("Cádiz", "Cádiz"),
                ("León", "León"), ("Valencia", "Valencia"), ("A Coruña", "A Coruña"),
                ("Jaén", "Jaén"), ("Logroño", "Logroño"), ("Almería", "Almería"))
        + _cities("AR", ("Córdoba", "Córdoba")) + _cities("CO", ("Bogotá", "Bogotá"), ("Medellín", "Medellín"))
        + _cities("CL", ("Valparaíso", "Valparaíso")) + _cities("MX", ("Mérida", "Mérida"), ("Querétaro", "Querétaro")),
        (Pattern(UNI, "University of {c}", "Universidad de {n}", True),
         Pattern(UNI, "{c} Polytechnic University", "Universidad Politécnica de {n}", True),
         Pattern(INS, "{c} Institute of {fe}", "Instituto de {fn} de {n}", True),
         Pattern(COM, None, "{bn}{bsn} {sn} S.L."),
         Pattern(GOV, "{c} City Council", "Ayuntamiento de {n}"),
         Pattern(OTH, "{c} Science Park", "Parque Científico de {n}")),
        fields=(("Ocean Sciences", "Ciencias del Mar"), ("Biomedicine", "Biomedicina"),
                ("Renewable Energy", "Energías Renovables"), ("Agricultural Research", "Investigación Agraria")),
        brands=_same("Águila", "Olivo", "Cóndor", "Sierra", "Nébula", "Brújula", "Océano", "Piñón"),
        stems=_same("", "tec"),
        sectors=_same("Tecnologías", "Sistemas", "Robótica", "Biotecnología", "Energía", "Materiales",
                      "Fotónica", "Ingeniería")),
    Locale("portuguese", "latin_diacritics", 4,
        _cities("PT", ("Lisbon", "Lisboa"), ("Porto", "Porto"), ("Coimbra", "Coimbra"), ("Évora", "Évora"))
        + _cities("BR", ("São Paulo", "São Paulo"), ("Belém", "Belém"), ("Goiânia", "Goiânia"),
                  ("Florianópolis", "Florianópolis"), ("Maceió", "Maceió")),
        (Pattern(UNI, "University of {c}", "Universidade de {n}", True),
         Pattern(UNI, "{c} Polytechnic Institute", "Instituto Politécnico de {n}", True),
         Pattern(INS, "{c} Institute of {fe}", "Instituto de {fn} de {n}", True),
         Pattern(COM, None, "{bn}{bsn} {sn} Lda."),
         Pattern(GOV, "{c} Municipal Council", "Câmara Municipal de {n}"),
         Pattern(OTH, "{c} Technology Park", "Parque Tecnológico de {n}")),
        fields=(("Molecular Medicine", "Medicina Molecular"), ("Systems Engineering", "Engenharia de Sistemas"),
                ("Tropical Agriculture", "Agricultura Tropical"), ("Nanotechnology", "Nanotecnologia")),
        brands=_same("Açor", "Estrela", "Caravela", "Farol", "Gaivota", "Pinhão", "Sobreiro", "Jacarandá"),
        stems=_same("", "tec"),
        sectors=_same("Tecnologias", "Sistemas", "Robótica", "Biotecnologia", "Energia", "Materiais",
                      "Eletrónica")),
    Locale("turkish", "latin_diacritics", 4,
        _cities("TR", ("Istanbul", "İstanbul"), ("Ankara", "Ankara"), ("Izmir", "İzmir"),
                ("Eskişehir", "Eskişehir"), ("Gaziantep", "Gaziantep"), ("Kayseri", "Kayseri"),
                ("Muğla", "Muğla"), ("Çanakkale", "Çanakkale"), ("Erzurum", "Erzurum"),
                ("Bursa", "Bursa"), ("Konya", "Konya"), ("Sakarya", "Sakarya")),
        (Pattern(UNI, "{c} University", "{n} Üniversitesi", True),
         Pattern(UNI, "{c} Technical University", "{n} Teknik Üniversitesi", True),
         Pattern(INS, "{c} Institute of {fe}", "{n} {fn} Enstitüsü", True),
         Pattern(COM, None, "{bn}{bsn} {sn} A.Ş."),
         Pattern(GOV, "{c} Metropolitan Municipality", "{n} Büyükşehir Belediyesi"),
         Pattern(OTH, "{c} Chamber of Industry", "{n} Sanayi Odası")),
        fields=(("Materials Science", "Malzeme Bilimi"), ("Biotechnology", "Biyoteknoloji"),
                ("Earth Sciences", "Yer Bilimleri"), ("Informatics", "Bilişim")),
        brands=_same("Yıldız", "Güneş", "Doğan", "Kartal", "Işık", "Çınar", "Deniz", "Özgür"),
        stems=_same("", "tek"),
        sectors=_same("Teknoloji", "Sistemleri", "Robotik", "Biyoteknoloji", "Enerji", "Malzeme",
                      "Elektronik", "Savunma Sanayi")),
    Locale("vietnamese", "latin_diacritics", 3,
        _cities("VN", ("Hanoi", "Hà Nội"), ("Ho Chi Minh City", "Thành phố Hồ Chí Minh"),
                ("Da Nang", "Đà Nẵng"), ("Hue", "Huế"), ("Can Tho", "Cần Thơ"),
                ("Hai Phong", "Hải Phòng"), ("Nha Trang", "Nha Trang")),
        (Pattern(UNI, "{c} University of Science and Technology", "Trường Đại học Khoa học và Công nghệ {n}", True),
         Pattern(UNI, "{c} National University", "Đại học Quốc gia {n}", True),
         Pattern(INS, "{c} Institute of {fe}", "Viện {fn} {n}", True),
         Pattern(COM, None, "Công ty TNHH {bn}{bsn} {sn}"),
         Pattern(GOV, "{c} People's Committee", "Ủy ban Nhân dân {n}"),
         Pattern(OTH, "{c} Hi-Tech Park", "Khu Công nghệ cao {n}")),
        fields=(("Physics", "Vật lý"), ("Biotechnology", "Công nghệ Sinh học"),
                ("Marine Science", "Hải dương học"), ("Information Technology", "Công nghệ Thông tin")),
        brands=_same("Sao Việt", "Hồng Hà", "Phương Đông", "Ánh Dương", "Trường Sơn", "Bình Minh"),
        sectors=_same("Công nghệ", "Điện tử", "Vật liệu", "Năng lượng", "Phần mềm")),
    Locale("hungarian", "latin_diacritics", 3,
        _cities("HU", ("Budapest", "Budapest", "Budapesti"), ("Szeged", "Szeged", "Szegedi"),
                ("Debrecen", "Debrecen", "Debreceni"), ("Pécs", "Pécs", "Pécsi"), ("Győr", "Győr", "Győri"),
                ("Miskolc", "Miskolc", "Miskolci"), ("Veszprém", "Veszprém", "Veszprémi"),
                ("Gödöllő", "Gödöllő", "Gödöllői"), keys="cna"),
        (Pattern(UNI, "University of {c}", "{a} Tudományegyetem", True),
         Pattern(UNI, "{c} University of Technology", "{a} Műszaki Egyetem", True),
         Pattern(INS, "{c} Institute of {fe}", "{a} {fn} Intézet", True),
         Pattern(COM, None, "{bn}{bsn} {sn} Kft."),
         Pattern(GOV, "{c} City Council", "{n} Megyei Jogú Város Önkormányzata"),
         Pattern(OTH, "{c} Science Park", "{a} Tudományos Park")),
        fields=(("Solid State Physics", "Szilárdtestfizikai"), ("Biological Research", "Biológiai Kutató"),
                ("Energy Research", "Energiatudományi")),
        brands=_same("Fényes", "Tölgy", "Sólyom", "Dunai", "Körös", "Mátra"),
        stems=_same("", "tech"),
        sectors=_same("Technológia", "Rendszerek", "Robotika", "Biotech", "Energetika", "Anyagtechnológia")),
    Locale("russian", "cyrillic", 5,
        _cities("RU", ("Novosibirsk", "Новосибирск", "Новосибирский", "Новосибирска"),
                ("Tomsk", "Томск", "Томский", "Томска"), ("Kazan", "Казань", "Казанский", "Казани"),
                ("Samara", "Самара", "Самарский", "Самары"), ("Perm", "Пермь", "Пермский", "Перми"),
                ("Omsk", "Омск", "Омский", "Омска"), ("Saratov", "Саратов", "Саратовский", "Саратова"),
                keys="cnag")
        + _cities("KZ", ("Almaty", "Алматы", "Алматинский", "Алматы"),
                  ("Karaganda", "Караганда", "Карагандинский", "Караганды"), keys="cnag"),
        (Pattern(UNI, "{c} State University", "{a} государственный университет", True),
         Pattern(UNI, "{c} State Technical University", "{a} государственный технический университет", True),
         Pattern(UNI, "{c} State Medical University", "{a} государственный медицинский университет", True),
         Pattern(INS, "{c} Institute of {fe}", "{a} институт {fn}", True),
         Pattern(COM, "{be}{bs} LLC", "ООО «{bn}{bsn}»"),
         Pattern(COM, "{c} Instrument-Making Plant JSC", "АО «{a} приборостроительный завод»"),
         Pattern(GOV, "{c} City Administration", "Администрация города {g}"),
         Pattern(OTH, "{c} Scientific Centre", "{a} научный центр")),
        fields=(("Applied Physics", "прикладной физики"), ("Chemical Technology", "химической технологии"),
                ("Computational Mathematics", "вычислительной математики"),
                ("Materials Science", "материаловедения"), ("Biophysics", "биофизики")),
        brands=(("Vektor", "Вектор"), ("Spektr", "Спектр"), ("Kvant", "Квант"), ("Sigma", "Сигма"),
                ("Almaz", "Алмаз"), ("Orion", "Орион"), ("Granit", "Гранит"), ("Impuls", "Импульс")),
        stems=(("", ""), ("-Tekh", "-Тех"), ("-Soft", "-Софт"), (" Lab", " Лаб"), ("-Pribor", "-Прибор"))),
    Locale("ukrainian", "cyrillic", 3,
        _cities("UA", ("Kharkiv", "Харків", "Харківський"), ("Lviv", "Львів", "Львівський"),
                ("Dnipro", "Дніпро", "Дніпровський"), ("Odesa", "Одеса", "Одеський"),
                ("Kyiv", "Київ", "Київський"), ("Sumy", "Суми", "Сумський"), keys="cna"),
        (Pattern(UNI, "{c} National University", "{a} національний університет", True),
         Pattern(UNI, "{c} Polytechnic Institute", "{a} політехнічний інститут", True),
         Pattern(UNI, "{c} National Medical University", "{a} національний медичний університет", True),
         Pattern(INS, "{c} Institute of {fe}", "{a} інститут {fn}", True),
         Pattern(COM, "{be}{bs} LLC", "ТОВ «{bn}{bsn}»")),
        fields=(("Radiophysics", "радіофізики"), ("Cryogenic Technology", "кріогенної техніки"),
                ("Materials Science", "матеріалознавства"), ("Plant Physiology", "фізіології рослин")),
        brands=(("Promin", "Промінь"), ("Svitanok", "Світанок"), ("Kalyna", "Калина"),
                ("Obrii", "Обрії"), ("Sokil", "Сокіл"), ("Dzherelo", "Джерело")),
        stems=(("", ""), ("-Tekh", "-Тех"), ("-Soft", "-Софт"))),
    Locale("bulgarian", "cyrillic", 2,
        _cities("BG", ("Sofia", "София"), ("Varna", "Варна"), ("Plovdiv", "Пловдив"), ("Ruse", "Русе"),
                ("Burgas", "Бургас"), ("Gabrovo", "Габрово")),
        (Pattern(UNI, "Technical University of {c}", "Технически университет – {n}", True),
         Pattern(UNI, "Medical University of {c}", "Медицински университет – {n}", True),
         Pattern(INS, "Institute of {fe}, {c}", "Институт по {fn} – {n}", True),
         Pattern(COM, "{be}{bs} Ltd", "{bn}{bsn} ЕООД"),
         Pattern(GOV, "Municipality of {c}", "Община {n}")),
        fields=(("Metal Science", "металознание"), ("Mechanics", "механика"),
                ("Plant Genetic Resources", "растителни генетични ресурси")),
        brands=(("Balkan", "Балкан"), ("Rila", "Рила"), ("Vitosha", "Витоша"), ("Dunav", "Дунав"),
                ("Pirin", "Пирин"), ("Yantra", "Янтра")),
        stems=(("", ""), ("tech", "тех"), ("soft", "софт"))),
    Locale("serbian", "cyrillic", 2,
        _cities("RS", ("Belgrade", "Београд", "Београду"), ("Novi Sad", "Нови Сад", "Новом Саду"),
                ("Niš", "Ниш", "Нишу"), ("Kragujevac", "Крагујевац", "Крагујевцу"), keys="cnl"),
        (Pattern(UNI, "University of {c}", "Универзитет у {l}", True),
         Pattern(INS, "Institute of {fe}, {c}", "Институт за {fn}, {n}", True),
         Pattern(COM, "{be}{bs} d.o.o.", "{bn}{bsn} д.о.о."),
         Pattern(GOV, "City of {c}", "Град {n}")),
        fields=(("Physics", "физику"), ("Nuclear Sciences", "нуклеарне науке"),
                ("Molecular Genetics", "молекуларну генетику")),
        brands=(("Avala", "Авала"), ("Morava", "Морава"), ("Drina", "Дрина"), ("Sava", "Сава"),
                ("Kopaonik", "Копаоник")),
        stems=(("", ""), ("tek", "тек"), ("soft", "софт"))),
    Locale("greek", "greek", 4,
        _cities("GR", ("Athens", "Αθήνα", "Αθηνών"), ("Thessaloniki", "Θεσσαλονίκη", "Θεσσαλονίκης"),
                ("Patras", "Πάτρα", "Πατρών"), ("Heraklion", "Ηράκλειο", "Ηρακλείου"),
                ("Ioannina", "Ιωάννινα", "Ιωαννίνων"), ("Larissa", "Λάρισα", "Λάρισας"),
                ("Volos", "Βόλος", "Βόλου"), ("Chania", "Χανιά", "Χανίων"), keys="cng")
        + _cities("CY", ("Nicosia", "Λευκωσία", "Λευκωσίας"), ("Limassol", "Λεμεσός", "Λεμεσού"),
                  keys="cng"),
        (Pattern(UNI, "University of {c}", "Πανεπιστήμιο {g}", True),
         Pattern(UNI, "Technical University of {c}", "Πολυτεχνείο {g}", True),
         Pattern(UNI, "{c} University of Applied Sciences", "Πανεπιστήμιο Εφαρμοσμένων Επιστημών {g}", True),
         Pattern(INS, "{fe} Research Institute, {c}", "Ινστιτούτο {fn}, {n}", True),
         Pattern(COM, "{be}{bs} {se} S.A.", "{bn}{bsn} {sn} Α.Ε."),
         Pattern(GOV, "Municipality of {c}", "Δήμος {g}"),
         Pattern(OTH, "{c} Science Park", "Επιστημονικό Πάρκο {g}")),
        fields=(("Molecular Biology", "Μοριακής Βιολογίας"), ("Computer Science", "Πληροφορικής"),
                ("Marine Research", "Θαλάσσιων Ερευνών"), ("Nanotechnology", "Νανοτεχνολογίας"),
                ("Astronomy", "Αστρονομίας")),
        brands=(("Alfa", "Άλφα"), ("Delta", "Δέλτα"), ("Omega", "Ωμέγα"), ("Helios", "Ήλιος"),
                ("Aegean", "Αιγαίο"), ("Olympos", "Όλυμπος"), ("Kyma", "Κύμα"), ("Astra", "Άστρα")),
        sectors=(("Technologies", "Τεχνολογίες"), ("Systems", "Συστήματα"),
                 ("Pharmaceuticals", "Φαρμακευτική"), ("Energy", "Ενέργεια"), ("Robotics", "Ρομποτική"),
                 ("Materials", "Υλικά"))),
    Locale("chinese", "han", 10,
        _cities("CN", ("Beijing", "北京"), ("Shanghai", "上海"), ("Wuhan", "武汉"), ("Harbin", "哈尔滨"),
                ("Nanjing", "南京"), ("Chengdu", "成都"), ("Xi'an", "西安"), ("Tianjin", "天津"),
                ("Guangzhou", "广州"), ("Hangzhou", "杭州"), ("Hefei", "合肥"), ("Changsha", "长沙"),
                ("Dalian", "大连"), ("Shenzhen", "深圳"),
                ("Qingdao", "青岛"), ("Xiamen", "厦门"), ("Jinan", "济南"), ("Kunming", "昆明"),
                ("Lanzhou", "兰州"), ("Shenyang", "沈阳"), ("Fuzhou", "福州"), ("Suzhou", "苏州")),
        (Pattern(UNI, "{c} University", "{n}大学", True),
         Pattern(UNI, "{c} University of Science and Technology", "{n}科技大学", True),
         Pattern(UNI, "{c} Normal University", "{n}师范大学", True),
         Pattern(UNI, "{c} University of Technology", "{n}理工大学", True),
         Pattern(UNI, "{c} Medical University", "{n}医科大学", True),
         Pattern(INS, "{c} Institute of {fe}", "{n}{fn}研究所", True),
         Pattern(COM, "{c} {be}{bs} {se} Co., Ltd.", "{n}{bn}{bsn}{sn}有限公司"),
         Pattern(GOV, "{c} Municipal Bureau of Science and Technology", "{n}市科学技术局"),
         Pattern(GOV, "{c} Municipal Health Commission", "{n}市卫生健康委员会"),
         Pattern(OTH, "{c} Association for Science and Technology", "{n}市科学技术协会"),
         Pattern(OTH, "{c} {be}{bs} Foundation", "{n}{bn}{bsn}基金会")),
        fields=(("Optics and Fine Mechanics", "光学精密机械"), ("Advanced Materials", "先进材料"),
                ("Microelectronics", "微电子"), ("Biotechnology", "生物技术"), ("Automation", "自动化"),
                ("Marine Science", "海洋科学"), ("Energy Research", "能源"), ("Applied Mathematics", "应用数学")),
        brands=(("Hua", "华"), ("Zhong", "中"), ("Tian", "天"), ("Xin", "新"), ("Jin", "金"),
                ("Long", "龙"), ("Hai", "海"), ("Guang", "光")),
        stems=(("xin", "信"), ("ke", "科"), ("yu", "宇"), ("tong", "通"), ("rui", "瑞"), ("da", "达")),
        sectors=(("Photonics", "光电"), ("Semiconductor", "半导体"), ("Biotechnology", "生物技术"),
                 ("Information Technology", "信息技术"), ("New Materials", "新材料"),
                 ("Intelligent Equipment", "智能装备"), ("Energy", "能源"), ("Robotics", "机器人"))),
    Locale("japanese", "japanese", 6,
        _cities("JP", ("Tokyo", "東京"), ("Osaka", "大阪"), ("Kyoto", "京都"), ("Nagoya", "名古屋"),
                ("Sendai", "仙台"), ("Fukuoka", "福岡"), ("Sapporo", "札幌"), ("Kobe", "神戸"),
                ("Hiroshima", "広島"), ("Tsukuba", "筑波"), ("Kanazawa", "金沢"), ("Yokohama", "横浜"),
                ("Niigata", "新潟"), ("Okayama", "岡山"), ("Kumamoto", "熊本"), ("Nagasaki", "長崎")),
        (Pattern(UNI, "{c} University", "{n}大学", True),
         Pattern(UNI, "{c} Institute of Technology", "{n}工業大学", True),
         Pattern(UNI, "{c} Medical University", "{n}医科大学", True),
         Pattern(UNI, "{c} University of Foreign Studies", "{n}外国語大学", True),
         Pattern(INS, "{c} Research Institute for {fe}", "{n}{fn}研究所", True),
         Pattern(COM, "{c} {be} {se} Co., Ltd.", "{n}{bn}{sn}株式会社"),
         Pattern(GOV, "{c} City Office", "{n}市役所"),
         Pattern(GOV, "{c} Industrial Technology Center", "{n}産業技術センター"),
         Pattern(OTH, "{c} {be} Foundation", "公益財団法人{n}{bn}財団")),
        fields=(("Materials Science", "材料科学"), ("Photonics", "光科学"), ("Robotics", "ロボット工学"),
                ("Life Sciences", "生命科学"), ("Earthquake Engineering", "地震工学"),
                ("Information Science", "情報科学")),
        brands=(("Aoba", "青葉"), ("Hoshino", "星野"), ("Midori", "緑"), ("Asahi", "旭"), ("Sakura", "桜"),
                ("Fujimi", "富士見"), ("Kita", "北"), ("Minato", "港"), ("Tsubasa", "翼"), ("Hikari", "光")),
        sectors=(("Electric", "電機"), ("Precision Instruments", "精機"), ("Pharmaceutical", "製薬"),
                 ("Chemical", "化学"), ("Optical", "光学"), ("Systems", "システム"), ("Robotics", "ロボティクス"),
                 ("Materials", "マテリアル"))),
    Locale("korean", "hangul", 5,
        _cities("KR", ("Seoul", "서울"), ("Busan", "부산"), ("Daejeon", "대전"), ("Daegu", "대구"),
                ("Gwangju", "광주"), ("Incheon", "인천"), ("Suwon", "수원"), ("Pohang", "포항"),
                ("Ulsan", "울산"), ("Changwon", "창원"),
                ("Jeonju", "전주"), ("Cheongju", "청주"), ("Chuncheon", "춘천")),
        (Pattern(UNI, "{c} National University", "{n}대학교", True),
         Pattern(UNI, "{c} University of Science and Technology", "{n}과학기술대학교", True),
         Pattern(UNI, "{c} Institute of Science and Technology", "{n}과학기술원", True),
         Pattern(UNI, "{c} National University of Education", "{n}교육대학교", True),
         Pattern(INS, "{c} Institute of {fe}", "{n}{fn}연구원", True),
         Pattern(COM, "{be}{bs} {se} Co., Ltd.", "{bn}{bsn}{sn} 주식회사"),
         Pattern(GOV, "{c} City Hall", "{n}시청"),
         Pattern(OTH, "{c} Techno Park", "{n}테크노파크"),
         Pattern(OTH, "{c} Creative Economy Innovation Center", "{n}창조경제혁신센터")),
        fields=(("Advanced Materials", "첨단소재"), ("Biotechnology", "생명공학"), ("Electronics", "전자"),
                ("Energy", "에너지"), ("Marine Science", "해양과학"), ("Robotics", "로봇")),
        brands=(("Hanbit", "한빛"), ("Saerom", "새롬"), ("Daon", "다온"), ("Nuri", "누리"),
                ("Haneul", "하늘"), ("Baram", "바람"), ("Sol", "솔"), ("Gaon", "가온")),
        stems=(("", ""), ("tech", "테크"), ("link", "링크"), ("soft", "소프트")),
        sectors=(("Electronics", "전자"), ("Semiconductor", "반도체"), ("Bio", "바이오"),
                 ("Robotics", "로보틱스"), ("Materials", "소재"), ("Energy", "에너지"),
                 ("Systems", "시스템"), ("Optics", "광학"))),
    Locale("arabic", "arabic", 7,
        _cities("EG", ("Cairo", "القاهرة"), ("Alexandria", "الإسكندرية"))
        + _cities("SA", ("Riyadh", "الرياض"), ("Jeddah", "جدة"), ("Dammam", "الدمام"))
        + _cities("JO", ("Amman", "عمّان"), ("Irbid", "إربد")) + _cities("LB", ("Beirut", "بيروت"))
        + _cities("QA", ("Doha", "الدوحة")) + _cities("AE", ("Abu Dhabi", "أبوظبي"), ("Sharjah", "الشارقة"))
        + _cities("OM", ("Muscat", "مسقط")) + _cities("KW", ("Kuwait City", "الكويت"))
        + _cities("DZ", ("Algiers", "الجزائر"), ("Oran", "وهران")) + _cities("MA", ("Rabat", "الرباط"), ("Fez", "فاس"))
        + _cities("TN", ("Tunis", "تونس"), ("Sfax", "صفاقس")),
        (Pattern(UNI, "University of {c}", "جامعة {n}", True),
         Pattern(UNI, "{c} University of Science and Technology", "جامعة {n} للعلوم والتكنولوجيا", True),
         Pattern(UNI, "{c} Polytechnic University", "جامعة {n} التقنية", True),
         Pattern(INS, "{c} Institute for {fe} Research", "معهد {n} لبحوث {fn}", True),
         Pattern(COM, "{be} {se} Company", "شركة {bn} {sn}"),
         Pattern(GOV, "{c} Municipality", "بلدية {n}"),
         Pattern(GOV, "{c} Health Directorate", "مديرية الصحة في {n}"),
         Pattern(OTH, "{c} Chamber of Commerce and Industry", "غرفة تجارة وصناعة {n}")),
        fields=(("Energy", "الطاقة"), ("Water", "المياه"), ("Materials", "المواد"), ("Computing", "الحوسبة"),
                ("Desert Agriculture", "الزراعة الصحراوية"), ("Public Health", "الصحة العامة")),
        brands=(("Al Noor", "النور"), ("Al Fajr", "الفجر"), ("Al Rowad", "الرواد"), ("Al Amal", "الأمل"),
                ("Al Manara", "المنارة"), ("Al Wafa", "الوفاء"), ("Al Safwa", "الصفوة"), ("Al Baraka", "البركة")),
        sectors=(("Advanced Technologies", "للتقنيات المتقدمة"), ("Engineering", "للهندسة"),
                 ("Pharmaceuticals", "للأدوية"), ("Telecommunications", "للاتصالات"),
                 ("Energy Solutions", "لحلول الطاقة"), ("Industrial Systems", "للأنظمة الصناعية"),
                 ("Defence Industries", "للصناعات الدفاعية"))),
)  # fmt: skip

#: Faculties and schools, for registers that record the unit rather than the whole university.
UNITS = (
    "Faculty of Engineering", "Faculty of Science", "School of Medicine", "Department of Physics",
    "Department of Chemistry", "School of Computer Science", "Faculty of Law", "Business School",
    "Institute of Materials Science", "Department of Mathematics", "School of Public Health",
    "Faculty of Agriculture", "Department of Electrical Engineering", "Faculty of Arts",
    "Centre for Energy Research", "Department of Biology", "School of Economics",
    "Faculty of Mechanical Engineering", "Department of Earth Sciences", "Graduate School",
)  # fmt: skip

#: Scripts the register must show, for tests and screenshots.
SCRIPTS = ("latin_diacritics", "cyrillic", "greek", "han", "japanese", "hangul", "arabic")
_NON_LATIN = frozenset({"cyrillic", "greek", "han", "japanese", "hangul", "arabic"})
_STOP = frozenset({"of", "for", "and", "the", "de", "du", "des", "la", "le", "di", "w", "we", "v"})


@dataclass(frozen=True)
class DrawnPartner:
    name: str
    country: str
    city: str
    website: str | None
    #: (name, kind) pairs with kind one of alias, native_script, former, abbreviation.
    other_names: tuple[tuple[str, str], ...]
    script: str


class PartnerNamer:
    """Draws unique partner names; deterministic for a given random generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.seen: set[str] = set()
        self._branches: dict[str, int] = {}
        self._locales: dict[str, tuple[list[Locale], list[int]]] = {}
        for kind in (UNI, INS, COM, GOV, OTH):
            usable = [loc for loc in LOCALES if loc.patterns_for(kind)]
            self._locales[kind] = (usable, [loc.weight for loc in usable])

    def draw(self, kind: str) -> DrawnPartner:
        candidate = self._draw_once(kind)
        for _ in range(3):
            if candidate[0] not in self.seen:
                break
            candidate = self._draw_once(kind)
        name, english, native, locale, pattern, city = candidate
        if name in self.seen:
            name, english, native = self._distinguish(name, english, native, pattern, city)
        self.seen.add(name)
        return self._describe(name, english, native, locale, pattern, city)

    def _distinguish(
        self,
        name: str,
        english: str | None,
        native: str | None,
        pattern: Pattern,
        city: dict[str, str],
    ) -> tuple[str, str | None, str | None]:
        """A name already taken: registers record a faculty of a university, or a branch office."""
        if pattern.kind in (UNI, INS):
            units = list(UNITS)
            self.rng.shuffle(units)
            for unit in units:
                candidate = f"{unit}, {english or name}"
                if candidate not in self.seen:
                    # The faculty's own name is English; the parent's names stay as other names.
                    return candidate, english, native
        counter = self._branches.get(name, 1)
        while True:
            suffix = f" ({city['c']})" if counter == 1 else f" ({city['c']} {counter})"
            counter += 1
            if name + suffix not in self.seen:
                self._branches[name] = counter
                return (
                    name + suffix,
                    english + suffix if english else None,
                    native + suffix if native and native != name else native,
                )

    def _draw_once(
        self, kind: str
    ) -> tuple[str, str | None, str | None, Locale, Pattern, dict[str, str]]:
        rng = self.rng
        locales, weights = self._locales[kind]
        locale = rng.choices(locales, weights)[0]
        pattern = rng.choice(locale.patterns_for(kind))
        city = rng.choice(locale.cities)
        values = dict(city)
        if locale.fields:
            values["fe"], values["fn"] = rng.choice(locale.fields)
        if locale.brands:
            values["be"], values["bn"] = rng.choice(locale.brands)
            values["bs"], values["bsn"] = rng.choice(locale.stems)
        if locale.sectors:
            values["se"], values["sn"] = rng.choice(locale.sectors)
        english = pattern.english.format(**values) if pattern.english else None
        native = pattern.native.format(**values) if pattern.native else None
        if locale.script in _NON_LATIN:
            # Offices mostly register the English name and keep the native one as another name.
            primary = native if (native and (english is None or rng.random() < 0.25)) else english
        else:
            primary = native or english
        assert primary is not None
        return primary, english, native, locale, pattern, city

    def _describe(
        self,
        name: str,
        english: str | None,
        native: str | None,
        locale: Locale,
        pattern: Pattern,
        city: dict[str, str],
    ) -> DrawnPartner:
        rng = self.rng
        others: list[tuple[str, str]] = []
        if native and native != name:
            kind = "native_script" if locale.script in _NON_LATIN else "alias"
            others.append((native, kind))
        if english and english != name:
            others.append((english, "alias"))
        if locale.script in ("cyrillic", "greek") and native and rng.random() < 0.3:
            others.append((anyascii(native), "alias"))
        abbreviation = None
        if pattern.abbreviate and rng.random() < 0.5:
            abbreviation = _initials(english or name)
            if len(abbreviation) >= 2 and abbreviation != name:
                others.append((abbreviation, "abbreviation"))
        if pattern.kind == UNI and english and "University" in english and rng.random() < 0.06:
            others.append((english.replace("University", "College"), "former"))
        unique: list[tuple[str, str]] = []
        for other in others:
            if other[0] not in (n for n, _ in unique):
                unique.append(other)
        slug_source = abbreviation or english or name
        slug = re.sub(r"[^a-z0-9]+", "", anyascii(slug_source).lower())[:24]
        website = f"https://www.{slug}.example" if slug and rng.random() < 0.85 else None
        return DrawnPartner(name, city["cc"], city["c"], website, tuple(unique), locale.script)


def _initials(text: str) -> str:
    words = re.split(r"[\s,\-–]+", text)
    letters = [w[0] for w in words if w and w.lower() not in _STOP and w[0].isalpha()]
    return "".join(letters).upper()
