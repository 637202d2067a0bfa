"""Words for the synthetic institution: departments with their research profile, people's names.

A department's profile drives everything built on it: staff research areas, collaboration fields,
topics and titles, the critical technology areas and dual-use categories its work touches. Staff
names are a mix of name origins in Latin script; rsdesk never records where a person comes from.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    key: str
    name: str
    code: str
    fields: tuple[str, ...]
    topics: tuple[str, ...]
    #: Technology area codes (resources/reference/technology_areas.toml) the work may touch.
    areas: tuple[str, ...]
    #: Annex I dual-use categories the work may fall under.
    dual_use: tuple[str, ...]
    #: Relative share of the institution's international collaborations.
    weight: int


PROFILES: tuple[Profile, ...] = (
    Profile("physics", "Department of Physics", "PHYS",
            ("Quantum optics", "Condensed matter physics", "Photonics", "Astrophysics"),
            ("quantum sensing with nitrogen-vacancy centres", "ultrafast laser spectroscopy",
             "topological insulators", "single-photon detectors", "cold-atom interferometry",
             "gravitational-wave instrumentation", "superconducting qubits"),
            ("quantum", "sensing", "semiconductors", "materials"), ("6", "3"), 9),
    Profile("chemistry", "Department of Chemistry", "CHEM",
            ("Catalysis", "Electrochemistry", "Polymer chemistry", "Organic synthesis"),
            ("solid-state battery electrolytes", "catalysts for green ammonia",
             "metal-organic frameworks for carbon capture", "chemical recycling of plastics",
             "perovskite solar cells", "flow chemistry"),
            ("energy", "materials"), ("1",), 7),
    Profile("cs", "Department of Computer Science", "CS",
            ("Machine learning", "Computer security", "Distributed systems",
             "Human-computer interaction"),
            ("federated learning on medical records", "post-quantum cryptography",
             "evaluation of large language models", "privacy-preserving data analysis",
             "perception for autonomous vehicles", "software supply-chain security",
             "explainable AI for public services"),
            ("ai", "connectivity", "quantum"), ("4", "5"), 10),
    Profile("ee", "Department of Electrical Engineering", "EE",
            ("Microelectronics", "Power electronics", "Signal processing", "Wireless communication"),
            ("6G antenna arrays", "gallium nitride power transistors", "radar signal processing",
             "low-power edge AI chips", "satellite communication links", "chip design automation"),
            ("semiconductors", "connectivity", "sensing"), ("3", "5", "6"), 8),
    Profile("aero", "Department of Aerospace Engineering", "AERO",
            ("Propulsion", "Aerodynamics", "Space systems"),
            ("hypersonic flow modelling", "small-satellite attitude control",
             "additive manufacturing of turbine blades", "hydrogen combustion",
             "navigation of drone swarms", "reusable launcher materials"),
            ("space", "robotics", "materials"), ("9", "7"), 6),
    Profile("materials", "Department of Materials Science", "MAT",
            ("Metallurgy", "Ceramics", "Nanomaterials"),
            ("high-entropy alloys", "two-dimensional materials for electronics",
             "ceramic matrix composites", "self-healing coatings", "rare-earth-free magnets"),
            ("materials", "semiconductors", "energy"), ("1", "2"), 6),
    Profile("biology", "Department of Molecular Biology", "BIO",
            ("Genomics", "Synthetic biology", "Microbiology"),
            ("CRISPR-based diagnostics", "antimicrobial resistance surveillance",
             "engineered yeast for biomanufacturing", "plant stress genomics",
             "single-cell sequencing", "protein structure prediction"),
            ("biotech", "ai"), ("1",), 7),
    Profile("medicine", "Faculty of Medicine", "MED",
            ("Epidemiology", "Oncology", "Immunology", "Neuroscience"),
            ("cancer immunotherapy", "vaccine adjuvants", "infectious disease modelling",
             "a cohort study of long COVID", "brain-computer interfaces", "rare disease registries"),
            ("biotech", "ai"), (), 9),
    Profile("civil", "Department of Civil Engineering", "CIV",
            ("Structural engineering", "Water management", "Geotechnics"),
            ("flood risk modelling", "structural health monitoring of bridges", "low-carbon concrete",
             "smart water networks", "tunnelling in soft ground"),
            ("sensing", "energy"), (), 5),
    Profile("energy", "Energy Research Centre", "ENRC",
            ("Nuclear engineering", "Renewable energy", "Hydrogen technologies"),
            ("fusion plasma diagnostics", "grid-scale energy storage", "electrolyser membranes",
             "offshore wind forecasting", "safety of small modular reactors"),
            ("energy", "materials"), ("0", "1"), 5),
    Profile("mathematics", "Department of Mathematics", "MATH",
            ("Applied mathematics", "Statistics", "Cryptography"),
            ("numerical methods for climate models", "stochastic optimisation",
             "lattice-based cryptography", "Bayesian inference in epidemiology"),
            ("ai", "quantum"), ("5",), 4),
    Profile("earth", "Department of Earth Sciences", "GEO",
            ("Geophysics", "Climate science", "Oceanography"),
            ("seismic imaging", "Arctic sea-ice observation", "satellite remote sensing of land use",
             "deep-sea mineral surveys", "glacier mass balance"),
            ("space", "sensing"), ("8", "6"), 5),
    Profile("economics", "School of Economics and Management", "ECON",
            ("Economics", "Finance", "Supply chain management"),
            ("trade policy and supply chains", "labour market dynamics", "sustainable finance",
             "innovation ecosystems"),
            (), (), 4),
    Profile("politics", "Department of Political Science", "POL",
            ("International relations", "Public policy", "Sociology"),
            ("migration governance", "democratic resilience", "energy transition policy",
             "disinformation and elections"),
            (), (), 3),
    Profile("law", "Faculty of Law", "LAW",
            ("International law", "Data protection law", "Commercial law"),
            ("export-control law", "regulation of digital platforms",
             "human-rights due diligence in supply chains"),
            (), (), 2),
    Profile("humanities", "Department of History and Languages", "HUM",
            ("History", "Linguistics", "Area studies"),
            ("digital archives of medieval manuscripts", "a corpus of endangered languages",
             "comparative literature", "oral history of industrial towns"),
            (), (), 3),
    Profile("robotics", "Robotics Institute", "ROB",
            ("Robotics", "Control engineering", "Computer vision"),
            ("surgical robotics", "autonomous underwater vehicles", "human-robot interaction",
             "legged locomotion", "robotic inspection of pipelines"),
            ("robotics", "ai", "sensing"), ("2", "8"), 5),
    Profile("pharmacy", "Department of Pharmaceutical Sciences", "PHAR",
            ("Pharmacology", "Drug delivery", "Medicinal chemistry"),
            ("nanoparticle drug delivery", "antiviral compound screening", "peptide therapeutics"),
            ("biotech",), ("1",), 4),
    Profile("agriculture", "Department of Agricultural Sciences", "AGRI",
            ("Plant breeding", "Food science", "Animal health"),
            ("drought-tolerant wheat", "sensors for precision agriculture",
             "zoonotic disease surveillance", "alternative proteins"),
            ("biotech", "sensing"), (), 4),
    Profile("education", "School of Education", "EDU",
            ("Education", "Psychology"),
            ("teacher training", "learning analytics", "early-childhood literacy"),
            ("ai",), (), 2),
    Profile("architecture", "Department of Architecture and Urban Planning", "ARCH",
            ("Urban planning", "Building physics"),
            ("smart-city data platforms", "energy-efficient buildings", "heat resilience of cities"),
            ("energy", "connectivity"), (), 2),
)  # fmt: skip

#: Where the research-security officers sit; it has no research collaborations of its own.
OFFICE = Profile(
    "office", "Research Support and Security Office", "RSSO", ("Research management",),
    ("research security",), (), (), 0,
)  # fmt: skip

APPLICATIONS = (
    "climate adaptation", "healthcare", "industrial applications", "secure communications",
    "energy efficiency", "food security", "public health", "smart manufacturing", "the circular economy",
    "disaster response", "clean transport", "open science",
)  # fmt: skip

DATASETS = (
    "anonymised clinical records", "satellite imagery", "genomic sequences", "sensor measurements",
    "survey microdata", "seismic recordings", "traffic data", "text corpora",
)  # fmt: skip

FACILITIES = (
    "the clean room", "the high-performance computing cluster", "the wind tunnel",
    "the electron microscopy centre", "the biosafety level 3 laboratory", "the research reactor",
    "the ship-model basin", "the laser laboratory", "the anechoic chamber",
)  # fmt: skip

FUNDERS = (
    "Horizon Europe", "European Research Council", "Marie Skłodowska-Curie Actions", "Erasmus+",
    "National Research Council", "Innovation Agency", "Industry contract", "Partner-funded",
    "University strategic fund", "Private foundation",
)  # fmt: skip

FIRST_NAMES = (
    "Anna", "Jan", "Maria", "Pieter", "Sofia", "Lukas", "Emma", "Mateo", "Chloé", "Noah",
    "Zofia", "Jakub", "Tereza", "Ondřej", "Léa", "Hugo", "Lucía", "Álvaro", "João", "Inês",
    "Mehmet", "Ayşe", "Elif", "Emre", "Nguyễn Thị", "Minh", "Wei", "Xiaoling", "Hiroshi", "Yuki",
    "Ji-woo", "Min-jun", "Aisha", "Omar", "Fatima", "Youssef", "Olga", "Dmitri", "Kateryna",
    "Andriy", "Eleni", "Nikos", "Priya", "Arjun", "Kwame", "Amara", "Sipho", "Ingrid", "Lars",
    "Astrid", "Björn", "Siobhán", "Seán", "Mairead", "Giulia", "Marco", "Francesca", "Tomás",
    "Catalina", "Diego", "Zsófia", "Bence", "Ioana", "Andrei", "Miloš", "Jelena", "Katarzyna",
    "Michał", "Aleksandra", "Sven", "Hanna", "Rafael", "Beatriz", "Samuel", "Rachel", "David",
    "Leila", "Karim", "Nour", "Mei", "Chen", "Sanjay", "Ananya", "Thabo", "Chiara", "Matthias",
)  # fmt: skip

SURNAMES = (
    "Jansen", "de Vries", "Müller", "Schröder", "García", "Fernández", "Núñez", "Silva",
    "Gonçalves", "Dubois", "Lefèvre", "Rossi", "Bianchi", "Kowalski", "Wiśniewska", "Nowak",
    "Dvořák", "Novotná", "Horváth", "Szabó", "Popescu", "Ionescu", "Petrović", "Jovanović",
    "Yılmaz", "Öztürk", "Kaya", "Nguyễn", "Trần", "Lê", "Wang", "Li", "Zhang", "Liu", "Chen",
    "Tanaka", "Sato", "Suzuki", "Kim", "Park", "Lee", "Choi", "Haddad", "Mansour", "El-Amin",
    "Benali", "Khalil", "Ivanova", "Petrenko", "Shevchenko", "Kovalenko", "Papadopoulos",
    "Georgiou", "Sharma", "Patel", "Iyer", "Mensah", "Okafor", "Dlamini", "Nkosi", "Andersson",
    "Johansson", "Lindqvist", "Hansen", "Berg", "Virtanen", "Korhonen", "O'Brien", "Murphy",
    "Ní Bhriain", "Smith", "Taylor", "Brown", "Wilson", "Evans", "Cohen", "Levi", "Hoffmann",
    "Wagner", "Costa", "Ferreira", "Moreau", "Laurent", "Esposito", "Romano", "Kuznetsova",
)  # fmt: skip

MEASURES = (
    ("contract_clauses", "Add IP, publication and end-use clauses to the agreement"),
    ("end_use_declaration", "Obtain a signed end-use and non-transfer declaration from the partner"),
    ("narrow_scope", "Leave the sensitive work package out of the collaboration"),
    ("compartmentalise", "Restrict lab, data and system access to named project members"),
    ("export_check", "Complete the export-control classification and apply for a licence if needed"),
    ("data_minimisation", "Share only the minimum data needed, through the controlled transfer platform"),
    ("prepublication_review", "Review results for sensitive content before publication"),
    ("travel_devices", "Use clean devices and separate accounts for project travel"),
    ("team_briefing", "Brief the project team on research security before the start"),
    ("governance_review", "Steering committee reviews the collaboration every six months"),
    ("exit_clause", "Include suspension and exit clauses in the agreement"),
    ("rescreen_partner", "Screen the partner again before renewal"),
)  # fmt: skip

MEASURE_EVIDENCE = (
    "Signed agreement with the clauses on file",
    "Declaration received and filed",
    "Access list checked by the lab manager",
    "Export-control classification memo filed",
    "Briefing held; attendance list on file",
    "Minutes of the steering committee on file",
    "Confirmed by the principal investigator by email",
)  # fmt: skip

ADVICE_QUESTIONS = (
    "May I host a visiting researcher from {partner} in my lab for six months?",
    "Can we accept research funding offered by {partner}?",
    "Do I need an export licence to share our {topic} software with {partner}?",
    "I am travelling to a conference with unpublished data on {topic}; what precautions apply?",
    "{partner} asks for exclusive rights to the results on {topic}. Is that acceptable?",
    "Should we sign the memorandum of understanding proposed by {partner}?",
    "A PhD candidate funded by {partner} wants access to the clean room. What is needed?",
    "May we publish the joint results on {topic} before {partner} has reviewed them?",
    "{partner} wants the raw data on {topic} stored on their servers. Is that allowed?",
)  # fmt: skip

ADVICE_ANSWERS = (
    "Low risk: proceed, keep the usual agreement and record the collaboration.",
    "Proceed with standard safeguards; a full appraisal is not needed.",
    "Please start a risk appraisal before committing; we will help with the questionnaire.",
    "An export-control check is needed first; the export-control officer will contact you.",
    "Acceptable with a written agreement covering IP, publication and end use.",
    "Not advisable in this form; narrow the scope and we will review again.",
    "Use a clean laptop and keep the data in the university cloud; briefing material sent.",
)  # fmt: skip
