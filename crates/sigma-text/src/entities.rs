//! Entities in a document: pattern entities (`patterns`), then names. A name is a run of
//! capitalised words (with the particles and punctuation names contain), classified by the
//! evidence it carries: organisation words (`Inc.`, `University`, `Motors`), place words
//! (`River`, `Airport`) and the place gazetteer, titles (`Dr.`, `President`), given names and
//! surnames, acronyms, what the document said of the same name before, and the words around it.
//! Every entity is a span of the text; nothing is guessed where no evidence is found.

use std::collections::HashMap;
use std::ops::Range;

use crate::gazetteer::{Gazetteers, PlaceKind, PlaceMatch, gazetteers};
use crate::patterns;
use crate::segment::{Token, TokenKind, tokens};
use crate::types::{Entity, EntityType};

/// Last words of organisation names (and `of`-heads such as `University of …`).
const ORG_WORDS: &[&str] = &[
    "Inc",
    "Inc.",
    "Corp",
    "Corp.",
    "Corporation",
    "Co.",
    "Company",
    "Ltd",
    "Ltd.",
    "LLC",
    "L.L.C.",
    "LLP",
    "plc",
    "PLC",
    "AG",
    "GmbH",
    "SA",
    "S.A.",
    "NV",
    "N.V.",
    "SE",
    "SpA",
    "S.p.A.",
    "AB",
    "ASA",
    "Oyj",
    "KK",
    "Group",
    "Holdings",
    "Holding",
    "Bank",
    "Bancorp",
    "Airlines",
    "Airways",
    "Air",
    "Motors",
    "Motor",
    "Automotive",
    "Electronics",
    "Electric",
    "Systems",
    "Technologies",
    "Technology",
    "Tech",
    "Labs",
    "Laboratories",
    "Pharmaceuticals",
    "Pharma",
    "Therapeutics",
    "Biotech",
    "Energy",
    "Oil",
    "Petroleum",
    "Gas",
    "Mining",
    "Steel",
    "Industries",
    "Industrial",
    "Partners",
    "Capital",
    "Ventures",
    "Media",
    "Entertainment",
    "Studios",
    "Pictures",
    "Records",
    "Foods",
    "Brands",
    "Stores",
    "Retail",
    "Services",
    "Solutions",
    "Software",
    "Networks",
    "Communications",
    "Telecom",
    "Telecommunications",
    "Insurance",
    "Securities",
    "Investments",
    "Fund",
    "Trust",
    "Foundation",
    "Institute",
    "Centre",
    "Center",
    "Centers",
    "Centres",
    "University",
    "College",
    "School",
    "Academy",
    "Hospital",
    "Clinic",
    "Museum",
    "Library",
    "Association",
    "Society",
    "Federation",
    "Union",
    "Council",
    "Committee",
    "Commission",
    "Agency",
    "Authority",
    "Bureau",
    "Department",
    "Ministry",
    "Board",
    "Parliament",
    "Congress",
    "Senate",
    "Party",
    "Club",
    "FC",
    "F.C.",
    "United",
    "Rovers",
    "Wanderers",
    "Athletic",
    "Orchestra",
    "Philharmonic",
    "Band",
    "Times",
    "Post",
    "News",
    "Journal",
    "Herald",
    "Tribune",
    "Gazette",
    "Press",
    "Magazine",
    "Broadcasting",
    "Television",
    "TV",
    "Radio",
    "Army",
    "Navy",
    "Police",
    "Court",
    "Organization",
    "Organisation",
    "League",
    "Alliance",
    "Coalition",
    "Movement",
    "Assembly",
    "Cooperative",
    "Consortium",
    "Enterprises",
    "Works",
    "Logistics",
    "Shipping",
    "Railways",
    "Railway",
    "Motorsport",
    "Racing",
    "Team",
    "Conservatory",
    "Observatory",
    "Church",
    "Reserve",
    "Exchange",
    "Forum",
    "Institution",
    "Robotics",
    "Semiconductor",
    "Semiconductors",
    "Instruments",
    "Aerospace",
    "Dynamics",
    "Chemicals",
    "Chemical",
    "Textiles",
    "Cosmetics",
    "Apparel",
    "Beverages",
    "Brewery",
    "Breweries",
    "Farms",
    "Hotels",
    "Resorts",
    "Cinemas",
    "Publishing",
    "Publishers",
    "Books",
    "Games",
    "Interactive",
    "Digital",
    "Online",
    "Mobile",
    "Wireless",
    "Cloud",
    "AI",
    "Microsystems",
    "Devices",
    "Health",
    "Healthcare",
    "Medical",
    "Sons",
];

/// Last words (or first, `Mount`, `Lake`) of place names that no list holds.
const PLACE_WORDS: &[&str] = &[
    "River",
    "Lake",
    "Mount",
    "Mountains",
    "Mountain",
    "Sea",
    "Ocean",
    "Gulf",
    "Bay",
    "Island",
    "Islands",
    "Isle",
    "Peninsula",
    "Desert",
    "Valley",
    "Canyon",
    "Falls",
    "Strait",
    "Channel",
    "Airport",
    "Bridge",
    "Stadium",
    "Arena",
    "Palace",
    "Castle",
    "Square",
    "Street",
    "Avenue",
    "Road",
    "Park",
    "Tower",
    "Cathedral",
    "Basilica",
    "Temple",
    "Canal",
    "Coast",
    "Province",
    "County",
    "Region",
    "District",
    "Prefecture",
    "Heights",
    "Hills",
    "Beach",
    "Harbor",
    "Harbour",
    "Glacier",
    "Volcano",
    "Plateau",
    "Delta",
    "Forest",
    "Reef",
    "Oblast",
    "Governorate",
    "Township",
    "Borough",
    "Parish",
    "Quarter",
    "Plaza",
    "Boulevard",
    "Station",
    "Terminal",
    "Port",
    "Pass",
    "Peak",
    "Ridge",
    "Cape",
];

/// Titles before a person's name (not part of the name's span).
const TITLES: &[&str] = &[
    "President",
    "Vice",
    "Prime",
    "Minister",
    "Chancellor",
    "Senator",
    "Sen.",
    "Governor",
    "Gov.",
    "Mayor",
    "King",
    "Queen",
    "Prince",
    "Princess",
    "Pope",
    "Dr",
    "Dr.",
    "Mr",
    "Mr.",
    "Mrs",
    "Mrs.",
    "Ms",
    "Ms.",
    "Mx.",
    "Prof",
    "Prof.",
    "Professor",
    "Judge",
    "Justice",
    "General",
    "Gen.",
    "Colonel",
    "Col.",
    "Captain",
    "Capt.",
    "Lieutenant",
    "Lt.",
    "Sergeant",
    "Sgt.",
    "Admiral",
    "Sir",
    "Dame",
    "Lord",
    "Lady",
    "Chief",
    "CEO",
    "Chairman",
    "Chairwoman",
    "Chair",
    "Secretary",
    "Ambassador",
    "Coach",
    "Bishop",
    "Archbishop",
    "Cardinal",
    "Rabbi",
    "Imam",
    "Sheikh",
    "Emperor",
    "Empress",
    "Tsar",
    "Czar",
    "Sultan",
    "Emir",
    "Crown",
    "Deputy",
    "Rep.",
    "Representative",
    "Speaker",
    "Commissioner",
    "Director",
    "Foreign",
    "Finance",
    "Defence",
    "Defense",
    "Interior",
    "Health",
    "Education",
    "Father",
    "Sister",
    "Brother",
    "Saint",
    "St.",
    "Uncle",
    "Aunt",
    "Detective",
    "Officer",
    "Inspector",
    "Agent",
    "Reverend",
    "Rev.",
    "Pastor",
    "Sheriff",
    "Premier",
    "Duke",
    "Duchess",
    "Count",
    "Countess",
    "Baron",
    "Baroness",
    "Marshal",
    "Commander",
    "Major",
    "Private",
    "Senior",
    "Former",
    "Late",
    "Founder",
    "Executive",
    "Officer",
    "Head",
    "Manager",
    "Author",
    "Novelist",
    "Singer",
    "Actor",
    "Actress",
    "Physicist",
    "Chemist",
    "Biologist",
    "Astronaut",
    "Striker",
    "Midfielder",
    "Goalkeeper",
    "Defender",
    "Pitcher",
    "Quarterback",
    "Composer",
    "Painter",
    "Poet",
    "Writer",
    "Economist",
];

/// Lower-case words that may join the capitalised words of one name.
const PARTICLES: &[&str] = &[
    "de", "da", "das", "do", "dos", "del", "della", "di", "du", "van", "von", "der", "den", "ter", "la",
    "le", "y", "bin", "ibn", "al", "el", "zu", "af", "e",
];

/// Capitalised words that start sentences without starting a name.
const SENTENCE_STARTERS: &[&str] = &[
    "The",
    "A",
    "An",
    "This",
    "That",
    "These",
    "Those",
    "Yesterday",
    "Today",
    "Tomorrow",
    "After",
    "Before",
    "When",
    "While",
    "In",
    "On",
    "At",
    "By",
    "For",
    "From",
    "With",
    "Without",
    "During",
    "Since",
    "Although",
    "Though",
    "However",
    "Meanwhile",
    "Last",
    "Next",
    "Early",
    "Later",
    "Then",
    "Now",
    "But",
    "And",
    "Or",
    "So",
    "If",
    "As",
    "Under",
    "Over",
    "Despite",
    "Following",
    "According",
    "Many",
    "Some",
    "Most",
    "Several",
    "Both",
    "Each",
    "Every",
    "All",
    "Our",
    "Their",
    "His",
    "Her",
    "Its",
    "My",
    "Your",
    "We",
    "They",
    "He",
    "She",
    "It",
    "I",
    "You",
    "There",
    "Here",
    "What",
    "Who",
    "Whom",
    "Whose",
    "Where",
    "Why",
    "How",
    "Which",
    "Did",
    "Does",
    "Do",
    "Is",
    "Are",
    "Was",
    "Were",
    "Has",
    "Have",
    "Had",
    "Can",
    "Could",
    "Will",
    "Would",
    "Should",
    "Might",
    "Must",
    "Shall",
    "Not",
    "No",
    "Yes",
    "Once",
    "Only",
    "Also",
    "Still",
    "Even",
    "Just",
    "Until",
    "Because",
    "Unlike",
    "Like",
    "About",
    "Around",
    "Across",
    "Through",
    "Throughout",
    "Between",
    "Among",
    "Against",
    "Into",
    "Onto",
    "Upon",
    "Within",
    "Beyond",
    "Near",
    "Outside",
    "Inside",
    "Along",
    "Behind",
    "Above",
    "Below",
    "Beneath",
    "Instead",
    "Besides",
    "Thanks",
    "Officials",
    "Shares",
    "Critics",
    "Analysts",
    "Researchers",
    "Scientists",
    "Residents",
    "Police",
    "Investors",
    "Fans",
    "Visitors",
    "Voters",
    "Workers",
    "Students",
    "Experts",
    "Doctors",
    "Engineers",
    "Authorities",
    "Sources",
    "Reports",
    "Rescuers",
    "Please",
    "Let",
    "Tell",
    "Ask",
    "Send",
    "Call",
    "Email",
    "Write",
    "Visit",
    "See",
    "Read",
    "Note",
    "Born",
    "Founded",
    "Located",
    "Based",
    "Headquartered",
    "Known",
    "Built",
    "Named",
    "Asked",
    "Speaking",
    "Writing",
    "Why",
    "Every",
    "Another",
    "Other",
    "Such",
    "Much",
    "More",
    "Less",
    "Few",
    "Its",
    "Once",
    "Twice",
];

/// Verbs after a name that tell an organisation (it reports, acquires, hires).
const ORG_VERBS: &[&str] = &[
    "acquired",
    "bought",
    "purchased",
    "announced",
    "reported",
    "launched",
    "hired",
    "fired",
    "employs",
    "employed",
    "shipped",
    "sells",
    "sold",
    "posted",
    "recalled",
    "unveiled",
    "filed",
    "merged",
    "listed",
    "raised",
    "invested",
    "owns",
    "operates",
    "manufactures",
    "produces",
    "makes",
    "builds",
    "released",
];

/// Titles that, inside a run of capitalised words, end the name before them and start a
/// person's (`Ericsson CEO Börje Ekholm`, `European Commission President Ursula von der Leyen`).
const ROLE_TITLES: &[&str] = &[
    "CEO",
    "President",
    "Chairman",
    "Chairwoman",
    "Chair",
    "Chief",
    "Governor",
    "Minister",
    "Secretary",
    "Senator",
    "Director",
    "Coach",
    "Manager",
    "Founder",
    "Co-founder",
    "Spokesman",
    "Spokeswoman",
    "Commissioner",
    "Prime",
    "Premier",
    "Chancellor",
    "Mayor",
    "King",
    "Queen",
    "Prince",
    "Princess",
    "Dr.",
    "Professor",
    "Judge",
    "Ambassador",
    "Striker",
    "Captain",
];

/// Words before a name that make it a place (`born in`, `near`).
const PLACE_BEFORE: &[&str] = &[
    "in",
    "near",
    "across",
    "throughout",
    "outside",
    "around",
    "visited",
    "toward",
    "towards",
    "into",
    "via",
    "from",
    "to",
];

/// Words before a name that make it an organisation (`chief executive of`, `shares of`).
const ORG_BEFORE: &[&str] = &[
    "executive of",
    "ceo of",
    "chairman of",
    "president of",
    "manager of",
    "coach of",
    "director of",
    "subsidiary of",
    "unit of",
    "division of",
    "part of",
    "member of",
    "owned by",
    "stake in",
    "shares of",
    "shares in",
    "merger of",
    "acquisition of",
    "purchase of",
    "takeover of",
    "bid for",
    "worked at",
    "works at",
    "working at",
    "engineer at",
    "executive at",
    "analyst at",
    "researcher at",
    "joined",
    "acquired",
    "bought",
    "owns",
    "controls",
    "sued",
    "founded",
    "co-founded",
    "invested in",
    "plays for",
    "played for",
    "signed for",
    "signed with",
    "scored for",
    "left",
    "spokesman for",
    "spokeswoman for",
    "against",
    "lost to",
    "beat",
    "defeated",
];

/// Last words of the names of products and works, which are not entities.
const PRODUCT_LAST: &[&str] = &[
    "Telescope",
    "Web",
    "Browser",
    "Prize",
    "Award",
    "Awards",
    "Cup",
    "Olympics",
    "War",
    "Revolution",
    "Treaty",
    "Accord",
    "Accords",
    "Agreement",
    "Act",
    "Declaration",
    "Festival",
    "Expo",
    "Championship",
    "Championships",
    "Marathon",
];

/// Words after a name that make it a product: `the Rosetta probe`, `Boeing jets`.
const PRODUCT_NEXT: &[&str] = &[
    "probe",
    "rover",
    "telescope",
    "spacecraft",
    "satellite",
    "jet",
    "jets",
    "aircraft",
    "airliner",
    "airliners",
    "phone",
    "phones",
    "smartphone",
    "smartphones",
    "app",
    "apps",
    "software",
    "chip",
    "chips",
    "vaccine",
    "drug",
    "engine",
    "engines",
    "console",
    "browser",
    "platform",
    "chatbot",
    "operating",
    "car",
    "cars",
    "truck",
    "trucks",
    "laptop",
    "laptops",
    "tablet",
    "model",
    "models",
    "rocket",
    "rockets",
    "mission",
    "missions",
    "programming",
    "language",
];

/// Words before a name that make it a product or work: `released the first version of Linux`.
const PRODUCT_BEFORE: &[&str] = &[
    "version of",
    "develop",
    "developed",
    "invented",
    "maker of",
    "behind",
    "programmed in",
    "written in",
    "coded in",
    "novel",
    "film",
    "album",
    "song",
    "painting",
    "book",
    "opera",
    "symphony",
    "play",
];

/// A name run before classification: its token range in the sentence, and whether a title
/// ended the run before it (so it names a person).
#[derive(Clone, Copy, Debug)]
struct Run {
    first: usize,
    last: usize,
}

/// What the document has said so far: each name and its type, and the first and last words of
/// people's names (so `Mackey said` is the Mackey named before).
#[derive(Debug, Default)]
pub(crate) struct Memory {
    names: HashMap<String, EntityType>,
}

/// How sure a classification is: `Strong` rests on a list, a word of the name or its context;
/// `Weak` is the default for a name nothing else speaks for (a list it stands in may correct it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Evidence {
    Strong,
    Weak,
}

/// The entities of the sentence `text[sentence]`, in order.
///
/// `found` are the pattern entities and `places` the gazetteer's places of the whole text that
/// lie inside the sentence (each list is found once for the whole text).
pub(crate) fn sentence_entities(
    text: &str,
    sentence: Range<usize>,
    found: Vec<patterns::Found>,
    places: &[PlaceMatch],
    memory: &mut Memory,
) -> Vec<Entity> {
    let g = gazetteers();
    let body = text.get(sentence.clone()).unwrap_or_default();
    let toks = tokens(text, sentence.clone());
    let mut out: Vec<Entity> = found
        .into_iter()
        .map(|f| Entity { start: f.start, end: f.end, kind: f.kind, normalized: f.normalized })
        .collect();
    let caseless = !body.chars().any(char::is_uppercase);
    let taken = |start: usize, end: usize, out: &[Entity]| out.iter().any(|e| start < e.end && e.start < end);
    if caseless {
        for name in caseless_names(text, &toks, places, g) {
            if !taken(name.start, name.end, &out) {
                out.push(name);
            }
        }
    } else {
        let first_word = toks.iter().position(|t| t.kind == TokenKind::Word || t.kind == TokenKind::Number);
        let mut names: Vec<(Entity, Evidence)> = Vec::new();
        for run in runs(text, &toks) {
            let Some(found) = classify(text, &toks, run, first_word, places, memory, g) else { continue };
            if !taken(found.0.start, found.0.end, &out) {
                names.push(found);
            }
        }
        agree_in_lists(text, &mut names);
        out.extend(names.into_iter().map(|(e, _)| e));
    }
    out.sort_by_key(|e| e.start);
    for e in &out {
        if e.kind.is_name() {
            memory.remember(e.text(text), e.kind);
        }
    }
    out
}

/// Names listed together (`Porsche, Audi and Lamborghini`) are of one type: a name classified
/// by default takes the type the others in its list were given on evidence.
fn agree_in_lists(text: &str, names: &mut [(Entity, Evidence)]) {
    let joined = |a: &Entity, b: &Entity| {
        matches!(text.get(a.end..b.start), Some(", " | " and " | ", and " | " or " | ", or " | " & "))
    };
    let mut i = 0;
    while i < names.len() {
        let mut j = i;
        while let (Some(a), Some(b)) = (names.get(j), names.get(j + 1))
            && joined(&a.0, &b.0)
        {
            j += 1;
        }
        // Two names joined by a comma, the second a possessive, are a name and its apposition
        // (`Sundar Pichai, Google's chief executive`), not a list.
        let apposition = j == i + 1
            && names.get(j).is_some_and(|(e, _)| {
                text.get(e.end..).is_some_and(|rest| rest.starts_with("'s ") || rest.starts_with("’s "))
            })
            && matches!(names.get(i).zip(names.get(j)), Some((a, b)) if text.get(a.0.end..b.0.start) == Some(", "));
        if j > i && !apposition {
            let list = names.get(i..=j).unwrap_or_default();
            let strong: Vec<EntityType> =
                list.iter().filter(|(_, ev)| *ev == Evidence::Strong).map(|(e, _)| e.kind).collect();
            let majority = EntityType::ALL
                .into_iter()
                .filter(|t| t.is_name())
                .max_by_key(|t| strong.iter().filter(|k| *k == t).count())
                .filter(|t| strong.contains(t));
            if let Some(kind) = majority {
                for (entity, evidence) in names.get_mut(i..=j).unwrap_or_default() {
                    if *evidence == Evidence::Weak {
                        entity.kind = kind;
                    }
                }
            }
        }
        i = j + 1;
    }
}

impl Memory {
    fn remember(&mut self, name: &str, kind: EntityType) {
        self.names.insert(name.to_owned(), kind);
        let words: Vec<&str> = name.split_whitespace().collect();
        if kind == EntityType::Person && words.len() >= 2 {
            if let Some(last) = words.last() {
                self.names.entry((*last).to_owned()).or_insert(EntityType::Person);
            }
            if let Some(first) = words.first() {
                self.names.entry((*first).to_owned()).or_insert(EntityType::Person);
            }
        }
    }

    fn recall(&self, name: &str) -> Option<EntityType> {
        self.names.get(name).copied()
    }
}

fn is_capitalised(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

fn is_acronym(word: &str) -> bool {
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    letters >= 2 && word.chars().all(|c| c.is_uppercase() || c == '.' || c == '&' || c.is_ascii_digit())
}

/// A word with a possessive ending (`Moscow's`), without it.
fn strip_possessive(word: &str) -> Option<&str> {
    word.strip_suffix("'s").or_else(|| word.strip_suffix("’s"))
}

/// The runs of capitalised words in a sentence: words joined by single spaces, hyphens,
/// apostrophes, the full stops of initials and abbreviations, `&`, and name particles. A run
/// ends at a possessive before another capitalised word (`Moscow's | Pushkin Square`) and
/// before a role title inside it (`Ericsson | CEO Börje Ekholm`).
fn runs(text: &str, toks: &[Token]) -> Vec<Run> {
    let mut out = Vec::new();
    let word = |t: &Token| t.kind == TokenKind::Word && is_capitalised(t.text(text));
    let text_at = |k: usize| toks.get(k).map_or("", |t| t.text(text));
    let mut i = 0;
    while i < toks.len() {
        if !toks.get(i).is_some_and(word) {
            i += 1;
            continue;
        }
        let mut last = i;
        let mut j = i + 1;
        let mut has_of = false;
        loop {
            // A full stop right after a word: an initial or abbreviation (`J.`, `St.`, `Inc.`).
            if text_at(j) == "." && is_abbreviation(text_at(last)) {
                last = j;
                j += 1;
                continue;
            }
            // A possessive ends the name before the next one (`Moscow's | Pushkin Square`), unless
            // it is part of an institution's name (`King's College London`, `St Mary's Hospital`).
            if let Some(owner) = strip_possessive(text_at(last))
                && text_at(j) == " "
                && toks.get(j + 1).is_some_and(word)
                && !possessive_in_name(text, toks, owner, j + 1)
            {
                break;
            }
            let sep = text_at(j);
            if !matches!(sep, " " | "-" | "&" | "'" | "’") {
                break;
            }
            let next = toks.get(j + 1);
            if next.is_some_and(word) {
                // A role title inside a run starts a new one (unless only titles came before).
                let title = text_at(j + 1);
                let only_titles = (i..=last).all(|k| {
                    toks.get(k).is_none_or(|t| t.kind != TokenKind::Word || TITLES.contains(&t.text(text)))
                });
                if sep == " "
                    && ROLE_TITLES.contains(&title)
                    && !only_titles
                    && toks.get(j + 3).is_some_and(word)
                {
                    break;
                }
                last = j + 1;
                j += 2;
                continue;
            }
            if sep != " " {
                break;
            }
            // `&` between spaces: `Procter & Gamble`.
            if text_at(j + 1) == "&" && text_at(j + 2) == " " && toks.get(j + 3).is_some_and(word) {
                last = j + 3;
                j += 4;
                continue;
            }
            let particle = text_at(j + 1);
            // A particle joined by a hyphen: `Tamay al-Zahayra`.
            if PARTICLES.contains(&particle) && text_at(j + 2) == "-" && toks.get(j + 3).is_some_and(word) {
                last = j + 3;
                j += 4;
                continue;
            }
            // A particle between capitalised words: `Leonardo da Vinci`, `Bank of America`,
            // `Institute for Advanced Study`, `Academy of Science and Technology`.
            let joins = PARTICLES.contains(&particle)
                || (particle == "of" && of_joins(text_at(last)))
                || (particle == "for" && for_joins(text_at(last)))
                || (particle == "and" && has_of);
            if joins && text_at(j + 2) == " " && toks.get(j + 3).is_some_and(word) {
                has_of |= particle == "of" || particle == "for";
                last = j + 3;
                j += 4;
                continue;
            }
            // Two particles: `Ursula von der Leyen`, `Vicente de la Cruz`.
            if PARTICLES.contains(&particle)
                && text_at(j + 2) == " "
                && PARTICLES.contains(&text_at(j + 3))
                && text_at(j + 4) == " "
                && toks.get(j + 5).is_some_and(word)
            {
                last = j + 5;
                j += 6;
                continue;
            }
            // An epithet after a given name: `Catherine the Great`, `Alfred the Great`.
            if particle == "the"
                && i == last
                && gazetteers().is_given_name(text_at(i))
                && matches!(
                    text_at(j + 3),
                    "Great"
                        | "Elder"
                        | "Younger"
                        | "Conqueror"
                        | "Magnificent"
                        | "Wise"
                        | "Bold"
                        | "Good"
                        | "Terrible"
                        | "Lionheart"
                        | "Pious"
                        | "Fair"
                )
            {
                last = j + 3;
                j += 4;
                continue;
            }
            // `of the`: `Bank of the West`.
            if particle == "of"
                && text_at(j + 3) == "the"
                && of_joins(text_at(last))
                && toks.get(j + 5).is_some_and(word)
            {
                has_of = true;
                last = j + 5;
                j += 6;
                continue;
            }
            break;
        }
        // `University of California, Berkeley`: a campus after a university named for a place.
        if text_at(i) == "University"
            && has_of
            && text_at(last + 1) == ","
            && text_at(last + 2) == " "
            && toks.get(last + 3).is_some_and(word)
            && matches!(text_at(last + 4), "," | "." | "")
            && gazetteers().place(text_at(last + 3)).is_some()
        {
            last += 3;
        }
        out.push(Run { first: i, last });
        i = last + 1;
    }
    out
}

/// Whether `owner's` before the capitalised word at token `next` belongs to one name: the words
/// that follow up to the next break hold an organisation word, and `owner` is not a country,
/// region or large city (whose possessive names something in it).
fn possessive_in_name(text: &str, toks: &[Token], owner: &str, next: usize) -> bool {
    let g = gazetteers();
    let large_place = g.place(owner).is_some_and(|kind| kind != PlaceKind::City) || g.is_large_city(owner);
    let rest = toks
        .get(next..)
        .unwrap_or_default()
        .iter()
        .take_while(|t| t.kind != TokenKind::Punct || matches!(t.text(text), "-" | "'" | "’" | "&"))
        .take(12)
        .any(|t| ORG_WORDS.contains(&t.text(text)) && !LEGAL_SUFFIXES.contains(&t.text(text)));
    rest && !large_place
}

/// Whether `word` takes a full stop as part of a name (`J.`, `St.`, `Inc.`, `U.S.`, `Jr.`).
fn is_abbreviation(word: &str) -> bool {
    let chars = word.chars().count();
    (chars == 1 && is_capitalised(word))
        || matches!(
            word,
            "St" | "Jr"
                | "Sr"
                | "Inc"
                | "Corp"
                | "Ltd"
                | "Co"
                | "Bros"
                | "Mt"
                | "Ft"
                | "Dr"
                | "Mr"
                | "Mrs"
                | "Ms"
                | "Prof"
                | "Gen"
                | "Sen"
                | "Gov"
                | "Rep"
                | "Lt"
                | "Col"
                | "Capt"
                | "Sgt"
                | "Rev"
                | "Hon"
                | "U.S"
                | "U.K"
                | "D.C"
                | "U.N"
                | "E.U"
                | "S.A"
                | "N.V"
                | "L.L.C"
                | "F.C"
                | "S.p.A"
        )
        || (word.contains('.') && word.split('.').all(|p| p.chars().count() <= 1))
}

/// Legal suffixes: a name ends with them (`SAP SE of Walldorf` is a company and a place).
const LEGAL_SUFFIXES: &[&str] = &[
    "Inc", "Inc.", "Corp", "Corp.", "Co.", "Ltd", "Ltd.", "LLC", "LLP", "plc", "PLC", "AG", "GmbH", "SA",
    "S.A.", "NV", "N.V.", "SE", "SpA", "S.p.A.", "AB", "ASA", "Oyj", "KK",
];

/// Whether `of` after the word `head` continues the name (`University of`, `Bank of`, `Gulf
/// of`, `Republic of`), rather than starting a phrase (`Shares of`).
fn of_joins(head: &str) -> bool {
    (ORG_WORDS.contains(&head) && !LEGAL_SUFFIXES.contains(&head))
        || PLACE_WORDS.contains(&head)
        || matches!(
            head,
            "Republic"
                | "Kingdom"
                | "State"
                | "States"
                | "City"
                | "Isle"
                | "Duke"
                | "Duchess"
                | "Prince"
                | "Princess"
                | "King"
                | "Queen"
                | "Earl"
                | "Bishop"
                | "Archbishop"
                | "Statue"
                | "Museum"
                | "Sea"
                | "Straits"
                | "Order"
                | "Office"
                | "Division"
                | "Centre"
                | "Center"
                | "House"
                | "Hall"
                | "Chamber"
                | "Church"
                | "Federation"
                | "Commonwealth"
                | "Emirate"
                | "Principality"
                | "Sultanate"
                | "Kingdoms"
                | "Empire"
                | "Ministry"
                | "Secretary"
                | "Minister"
        )
}

/// Whether `for` after the word `head` continues an institution's name (`Institute for
/// Advanced Study`, `Centre for Disease Control`).
fn for_joins(head: &str) -> bool {
    matches!(
        head,
        "Institute"
            | "Centre"
            | "Center"
            | "Centers"
            | "Centres"
            | "Council"
            | "Commission"
            | "Agency"
            | "Office"
            | "Foundation"
            | "Society"
            | "Association"
            | "Organization"
            | "Organisation"
            | "Fund"
            | "Ministry"
            | "Department"
            | "School"
            | "College"
            | "Museum"
            | "Committee"
            | "Bureau"
            | "Alliance"
            | "Union"
            | "League"
            | "Campaign"
            | "Coalition"
            | "Network"
            | "Trust"
            | "Academy"
            | "Board"
            | "Service"
            | "Party"
            | "Movement"
            | "Federation"
            | "Secretary"
            | "Minister"
    )
}

/// The span, type and strength of a run, or nothing if no evidence makes it an entity.
fn classify(
    text: &str,
    toks: &[Token],
    run: Run,
    first_word: Option<usize>,
    places: &[PlaceMatch],
    memory: &Memory,
    g: &Gazetteers,
) -> Option<(Entity, Evidence)> {
    use Evidence::{Strong, Weak};
    let mut word_indexes: Vec<usize> =
        (run.first..=run.last).filter(|&k| toks.get(k).is_some_and(|t| t.kind == TokenKind::Word)).collect();
    let word = |k: usize| toks.get(k).map_or("", |t| t.text(text));
    let last = run.last;
    let mut words: Vec<&str> = word_indexes.iter().map(|&k| word(k)).collect();
    // A possessive is not part of the name.
    let mut end = toks.get(last)?.end;
    if let Some(stripped) = words.last().and_then(|w| strip_possessive(w)) {
        end -= word(last).len() - stripped.len();
        if let Some(w) = words.last_mut() {
            *w = stripped;
        }
    }
    // A word that starts the sentence without starting a name, and a leading `The`: drop them.
    let at_start = Some(run.first) == first_word;
    let mut the_before = previous_word(text, toks, run.first) == "the";
    let full = text.get(toks.get(run.first)?.start..end).unwrap_or_default();
    let exact_place_full =
        places.iter().any(|p| p.start == toks.get(run.first).map_or(0, |t| t.start) && p.end == end);
    if words.first() == Some(&"The") && words.len() > 1 && !exact_place_full && !g.is_organization(full) {
        words.remove(0);
        word_indexes.remove(0);
        the_before = true;
    } else if at_start {
        let w = words.first().copied().unwrap_or_default();
        let starter = SENTENCE_STARTERS.contains(&w)
            || (g.is_common_word(w)
                && !g.is_given_name(w)
                && g.place(w).is_none()
                && memory.recall(w).is_none()
                && words.len() == 1
                && !(g.is_organization(w) && org_follows(text, toks, last))
                && !(words.len() == 1 && org_subject_follows(text, toks, last)));
        let org_like = words.len() > 1 && words.last().is_some_and(|l| ORG_WORDS.contains(l));
        if starter && !org_like {
            if words.len() == 1 {
                return None;
            }
            words.remove(0);
            word_indexes.remove(0);
        }
    }
    // A role alone is not a name: `the CEO of`, `its CFO`.
    if let [only] = words.as_slice()
        && (ROLE_TITLES.contains(only)
            || matches!(*only, "CFO" | "COO" | "CTO" | "CIO" | "CMO" | "VP" | "SVP" | "EVP"))
    {
        return None;
    }
    let first = *word_indexes.first()?;
    let mut start = toks.get(first)?.start;
    let surface = |start: usize, end: usize| text.get(start..end).unwrap_or_default();
    let name = surface(start, end);
    if words.len() == 1 && g.is_demonym(name) {
        return None;
    }
    let last_word = words.last().copied().unwrap_or_default();
    let first_word_of_name = words.first().copied().unwrap_or_default();
    let org_word = words.iter().any(|w| ORG_WORDS.contains(w) && !(words.len() == 1 && g.is_common_word(w)));
    let place_word = PLACE_WORDS.contains(&last_word)
        || matches!(first_word_of_name, "Mount" | "Lake" | "Cape" | "Isle" | "Gulf" | "Port")
        || matches!(last_word, "Empire" | "Wall" | "Mountains" | "Kingdom");
    let exact_place = places.iter().find(|p| p.start == start && p.end == end && p.cased);
    let before = context_before(text, toks, first);
    let last_before = before.rsplit(' ').next().unwrap_or_default();
    let in_place_context = PLACE_BEFORE.contains(&last_before)
        || before.ends_with("born in")
        || [
            "island of",
            "state of",
            "province of",
            "region of",
            "county of",
            "city of",
            "town of",
            "village of",
            "kingdom of",
            "republic of",
            "coast of",
            "part of the",
        ]
        .iter()
        .any(|c| before.ends_with(c))
        || (the_before
            && matches!(
                last_before,
                "at" | "in" | "near" | "from" | "to" | "across" | "into" | "inside" | "outside"
            ));
    let in_org_context = ORG_BEFORE.iter().any(|c| before.ends_with(c)) || org_follows(text, toks, last);

    // Products and works are not entities: `the James Webb Space Telescope`, `Boeing 737`,
    // `released the first version of Linux`, `the maker of Band-Aid`.
    let next = next_word(text, toks, last);
    let last_named = words
        .iter()
        .rev()
        .find(|w| !w.chars().all(|c| matches!(c, 'I' | 'V' | 'X')) && !w.chars().all(|c| c.is_ascii_digit()))
        .copied()
        .unwrap_or(last_word);
    let product = (words.len() > 1 && PRODUCT_LAST.contains(&last_named))
        || PRODUCT_NEXT.contains(&next)
        || (words.len() == 1
            && next.bytes().all(|b| b.is_ascii_digit())
            && !next.is_empty()
            && !(next.len() == 4 && (next.starts_with('1') || next.starts_with("20")))
            && toks.get(last + 1).is_some_and(|t| t.text(text) == " "))
        || PRODUCT_BEFORE.iter().any(|c| before.ends_with(c));
    if product && memory.recall(name).is_none() && !g.is_organization(name) {
        return None;
    }
    let (kind, evidence) = if let Some(kind) = memory.recall(name) {
        (kind, Strong)
    } else if g.is_organization(name) && !(exact_place.is_some() && in_place_context) {
        (EntityType::Organization, Strong)
    } else if org_word
        && exact_place.is_none_or(|p| p.kind == PlaceKind::City && ORG_WORDS.contains(&last_word))
    {
        if words.len() == 1 && g.is_common_word(name) {
            return None;
        }
        (EntityType::Organization, Strong)
    } else if let Some(place) = exact_place {
        if place.kind == PlaceKind::City && words.len() == 1 && in_org_context && !in_place_context {
            // A city's name for its club or company: `the manager of Liverpool`.
            (EntityType::Organization, Strong)
        } else if place.kind == PlaceKind::City
            && words.len() == 1
            && says_follows(text, toks, last)
            && g.is_surname(name)
        {
            // A place name that is also a person's: `Washington said`.
            (EntityType::Person, Strong)
        } else {
            (EntityType::Location, Strong)
        }
    } else if place_word && words.len() > 1 {
        (EntityType::Location, Strong)
    } else {
        // A title before a name: `President Joe Biden`, `Dr. Ada Lovelace`.
        let mut titles = 0;
        while titles + 1 < words.len() && words.get(titles).is_some_and(|w| TITLES.contains(w)) {
            titles += 1;
        }
        let after_title = titles > 0 && {
            let rest = words.get(titles..).unwrap_or_default();
            rest.first().is_some_and(|w| g.is_given_name(w) || !g.is_common_word(w))
        };
        if after_title {
            start = toks.get(*word_indexes.get(titles)?)?.start;
        }
        let words = words.get(if after_title { titles } else { 0 }..).unwrap_or_default();
        let name = surface(start, end);
        if let Some(kind) = memory.recall(name) {
            (kind, Strong)
        } else if after_title || preceded_by_title(text, toks, first) {
            (EntityType::Person, Strong)
        } else if words.len() >= 2 {
            classify_several(words, start, end, places, the_before, in_place_context, in_org_context, g)
        } else {
            let w = words.first().copied().unwrap_or_default();
            if is_acronym(w)
                || ((in_org_context || org_subject_follows(text, toks, last)) && !in_place_context)
            {
                (EntityType::Organization, Strong)
            } else if g.is_given_name(w) && !g.is_common_word(w) {
                (EntityType::Person, Strong)
            } else if in_place_context && !in_org_context {
                (EntityType::Location, Strong)
            } else if in_org_context {
                (EntityType::Organization, Strong)
            } else if g.is_common_word(w) {
                return None;
            } else if g.is_surname(w) || says_follows(text, toks, last) {
                (EntityType::Person, Weak)
            } else {
                (EntityType::Organization, Weak)
            }
        }
    };
    // What follows a name nothing else decided: `X, who`, `X married`, `… her album` make a
    // person; `X, a port in`, `X sits` a place.
    let kind = match evidence {
        Evidence::Weak if person_follows(text, toks, last) => EntityType::Person,
        Evidence::Weak if place_follows(text, toks, last) => EntityType::Location,
        _ => kind,
    };
    let name = surface(start, end);
    let normalized = patterns::normal_form(kind, name);
    Some((Entity { start, end, kind, normalized }, evidence))
}

/// The type of a name of several words that no list or name word decides.
#[allow(clippy::too_many_arguments)]
fn classify_several(
    words: &[&str],
    start: usize,
    end: usize,
    places: &[PlaceMatch],
    the_before: bool,
    in_place_context: bool,
    in_org_context: bool,
    g: &Gazetteers,
) -> (EntityType, Evidence) {
    use Evidence::{Strong, Weak};
    let first = words.first().copied().unwrap_or_default();
    let last = words.last().copied().unwrap_or_default();
    // A given name, unless it is also a country or large city (`Paris Saint-Germain`) or a
    // direction (`West Bengal`).
    let given = g.is_given_name(first)
        && !SENTENCE_STARTERS.contains(&first)
        && !g.is_large_city(first)
        && g.place(first).is_none_or(|kind| kind == PlaceKind::City)
        && !matches!(first, "North" | "South" | "East" | "West" | "Central");
    // A country, region or large city inside (`Bayern Munich`, `Canada Bread`); a small town is
    // as likely a surname (`Barack Obama`).
    let place_inside = places
        .iter()
        .any(|p| start <= p.start && p.end <= end && p.cased && (p.kind != PlaceKind::City || p.large));
    let plain: Vec<&&str> = words.iter().filter(|w| !PARTICLES.contains(w)).collect();
    let common = plain.iter().filter(|w| g.is_common_word(w) && !g.is_given_name(w)).count();
    let direction = matches!(
        first,
        "North"
            | "South"
            | "East"
            | "West"
            | "Northern"
            | "Southern"
            | "Eastern"
            | "Western"
            | "Central"
            | "Upper"
            | "Lower"
            | "New"
    );
    let initials = first.chars().count() == 1 && words.len() >= 2 && !is_acronym(last);
    if places.iter().any(|p| p.start == start && p.end == end) {
        (EntityType::Location, Strong)
    } else if initials {
        // `J. R. R. Tolkien`, `Franklin D. Roosevelt` start or hold initials.
        (EntityType::Person, Strong)
    } else if g.is_demonym(first) && g.place(last).is_some() {
        // `British Columbia`, `Spanish Town`.
        (EntityType::Location, Strong)
    } else if words.contains(&"&")
        || is_acronym(first)
        || (g.is_demonym(first) && !place_inside && words.len() > 1 && !given)
    {
        (EntityType::Organization, Strong)
    } else if (direction || g.is_demonym(first)) && !given {
        (EntityType::Location, Strong)
    } else if in_org_context && !given {
        (EntityType::Organization, Strong)
    } else if in_place_context && (!given || the_before) {
        (EntityType::Location, Strong)
    } else if place_inside && !given {
        // A name with a place in it that is not a place: `Bayern Munich`, `Canada Bread`.
        (EntityType::Organization, Strong)
    } else if the_before && !given {
        // People's names take no article: `the Red Cross`, `the Beatles`.
        (EntityType::Organization, Weak)
    } else if given || common == 0 || (g.is_surname(last) && !g.is_common_word(first)) {
        (EntityType::Person, if given { Strong } else { Weak })
    } else {
        (EntityType::Organization, Weak)
    }
}

/// The previous word before token `first`, skipping spaces.
fn previous_word<'t>(text: &'t str, toks: &[Token], first: usize) -> &'t str {
    toks.get(..first)
        .unwrap_or_default()
        .iter()
        .rev()
        .find(|t| t.kind != TokenKind::Space)
        .map_or("", |t| t.text(text))
}

/// How many tokens a look at a name's surroundings reads, at most: what decides a name is near
/// it, and a bound keeps the work per name constant on text of any length.
const LOOK_AROUND: usize = 24;

/// The (up to) three words before token `first`, in lower case, joined by spaces, skipping
/// `the`.
fn context_before(text: &str, toks: &[Token], first: usize) -> String {
    let mut words: Vec<String> = toks
        .get(first.saturating_sub(LOOK_AROUND)..first)
        .unwrap_or_default()
        .iter()
        .rev()
        .filter(|t| t.kind != TokenKind::Space)
        .map(|t| t.text(text))
        .filter(|w| !["the", "a", "an"].iter().any(|skip| w.eq_ignore_ascii_case(skip)))
        .take(3)
        .map(str::to_lowercase)
        .collect();
    words.reverse();
    words.join(" ")
}

/// The next word after token `last`, skipping spaces.
fn next_word<'t>(text: &'t str, toks: &[Token], last: usize) -> &'t str {
    toks.get(last + 1..)
        .unwrap_or_default()
        .iter()
        .find(|t| t.kind != TokenKind::Space)
        .map_or("", |t| t.text(text))
}

fn preceded_by_title(text: &str, toks: &[Token], first: usize) -> bool {
    let previous = previous_word(text, toks, first);
    matches!(previous, "Dr." | "Mr." | "Mrs." | "Ms." | "Prof." | "Sen." | "Gov." | "Rep." | "Gen.")
        || matches!(
            previous,
            "president"
                | "minister"
                | "chancellor"
                | "senator"
                | "governor"
                | "mayor"
                | "professor"
                | "actor"
                | "actress"
                | "singer"
                | "author"
                | "novelist"
                | "physicist"
                | "chemist"
                | "coach"
                | "striker"
                | "director"
                | "founder"
                | "co-founder"
                | "chairman"
                | "chairwoman"
                | "economist"
                | "astronaut"
                | "poet"
                | "painter"
                | "composer"
                | "writer"
                | "player"
                | "captain"
                | "manager"
                | "scientist"
                | "engineer"
                | "journalist"
                | "reporter"
                | "spokesman"
                | "spokeswoman"
                | "spokesperson"
                | "cellist"
                | "pianist"
                | "violinist"
                | "rapper"
                | "guitarist"
                | "drummer"
                | "dancer"
                | "architect"
                | "artist"
                | "sculptor"
                | "photographer"
                | "philosopher"
                | "historian"
                | "mathematician"
                | "biologist"
        )
}

/// The words after token `last` (up to `n` of them, skipping spaces), lower case.
fn words_after(text: &str, toks: &[Token], last: usize, n: usize) -> Vec<String> {
    toks.get(last + 1..)
        .unwrap_or_default()
        .iter()
        .filter(|t| t.kind != TokenKind::Space)
        .take(n)
        .map(|t| t.text(text).to_lowercase())
        .collect()
}

/// Whether what follows a name says it is a person's: `, who`, a verb only people do, or a
/// personal pronoun later in the sentence before any other capitalised name.
fn person_follows(text: &str, toks: &[Token], last: usize) -> bool {
    let after = words_after(text, toks, last, 2);
    let first = after.first().map_or("", String::as_str);
    let second = after.get(1).map_or("", String::as_str);
    if (first == "," && second == "who") || first == "who" {
        return true;
    }
    if matches!(
        first,
        "married"
            | "died"
            | "grew"
            | "studied"
            | "graduated"
            | "retired"
            | "resigned"
            | "wrote"
            | "sang"
            | "painted"
            | "composed"
            | "starred"
            | "divorced"
            | "smiled"
            | "laughed"
            | "recalled"
            | "explained"
            | "admitted"
    ) || (first == "was" && second == "born")
    {
        return true;
    }
    toks.get(last + 1..)
        .unwrap_or_default()
        .iter()
        .take(4 * LOOK_AROUND)
        .filter(|t| t.kind == TokenKind::Word)
        .take_while(|t| !is_capitalised(t.text(text)))
        .any(|t| matches!(t.text(text), "he" | "she" | "his" | "her" | "him" | "himself" | "herself"))
}

/// Whether what follows a name says it is a place: an apposition naming a kind of place (`, an
/// old trading port in`), or a verb of where a place lies (`sits`, `lies`, `straddles`).
fn place_follows(text: &str, toks: &[Token], last: usize) -> bool {
    let after = words_after(text, toks, last, 6);
    let first = after.first().map_or("", String::as_str);
    if matches!(first, "sits" | "lies" | "stands" | "straddles" | "borders" | "overlooks") {
        return true;
    }
    first == ","
        && after.get(1).is_some_and(|w| matches!(w.as_str(), "a" | "an" | "the"))
        && after.iter().skip(2).any(|w| {
            matches!(
                w.as_str(),
                "city"
                    | "town"
                    | "village"
                    | "port"
                    | "island"
                    | "region"
                    | "province"
                    | "country"
                    | "state"
                    | "capital"
                    | "river"
                    | "lake"
                    | "mountain"
                    | "district"
                    | "suburb"
                    | "resort"
                    | "valley"
                    | "peninsula"
                    | "desert"
                    | "archipelago"
                    | "kingdom"
                    | "republic"
                    | "county"
                    | "municipality"
            )
        })
}

fn says_follows(text: &str, toks: &[Token], last: usize) -> bool {
    matches!(
        next_word(text, toks, last),
        "said" | "says" | "told" | "wrote" | "argued" | "added" | "explained"
    )
}

/// Whether the words after a name make it an organisation: a verb organisations do (`acquired`,
/// `reported`), or its role holders (`'s chief executive`, `CEO`, `shares`).
fn org_follows(text: &str, toks: &[Token], last: usize) -> bool {
    let next = next_word(text, toks, last);
    ORG_VERBS.contains(&next)
        || matches!(
            next,
            "CEO" | "shares" | "stock" | "headquarters" | "spokesman" | "spokeswoman" | "spokesperson"
        )
        || toks.get(last).is_some_and(|t| strip_possessive(t.text(text)).is_some())
            && matches!(next, "chief" | "CEO" | "shares" | "board" | "headquarters" | "founder" | "chairman")
}

/// Whether a passive that only a company takes follows a name: `Google was founded by`,
/// `Apple is headquartered in`, `Slack was acquired by`. (A place can be founded too, but a
/// place the lists know is decided before this is asked.)
fn org_subject_follows(text: &str, toks: &[Token], last: usize) -> bool {
    let after = words_after(text, toks, last, 3);
    // An apposition only a company takes: `Apple, headquartered in Cupertino, …`.
    if after.first().is_some_and(|w| w == ",")
        && after.get(1).is_some_and(|w| matches!(w.as_str(), "headquartered" | "incorporated"))
    {
        return true;
    }
    let verb = match after.first().map(String::as_str) {
        Some("was" | "is" | "were" | "are") => after.get(1),
        Some("has" | "had") if after.get(1).is_some_and(|w| w == "been") => after.get(2),
        _ => None,
    };
    verb.is_some_and(|v| {
        matches!(
            v.as_str(),
            "founded" | "co-founded" | "cofounded" | "headquartered" | "incorporated" | "acquired" | "listed"
        )
    })
}

/// Organisation words too ordinary to end a name in text without capitals.
const CASELESS_AMBIGUOUS: &[&str] = &[
    "Air",
    "Post",
    "Times",
    "News",
    "Union",
    "Works",
    "Press",
    "Band",
    "Tech",
    "AI",
    "Group",
    "Team",
    "Online",
    "Mobile",
    "Digital",
    "Cloud",
    "Health",
    "Medical",
    "Energy",
    "Oil",
    "Gas",
    "Capital",
    "Fund",
    "Trust",
    "Exchange",
    "Forum",
    "Board",
    "Court",
    "Party",
    "Club",
    "United",
    "Games",
    "Records",
    "Books",
    "Services",
    "Solutions",
    "Systems",
];

/// Names in a sentence without capitals: organisations and places from the gazetteers (an
/// ordinary word among them only where the words before call for one: `founded amazon`), and a
/// given name followed by a surname or after a title (`queen elizabeth`).
fn caseless_names(text: &str, toks: &[Token], places: &[PlaceMatch], g: &Gazetteers) -> Vec<Entity> {
    let mut out: Vec<Entity> = Vec::new();
    let overlaps =
        |out: &[Entity], start: usize, end: usize| out.iter().any(|e| start < e.end && e.start < end);
    let words: Vec<usize> =
        (0..toks.len()).filter(|&k| toks.get(k).is_some_and(|t| t.kind == TokenKind::Word)).collect();
    // Organisations: the longest known name of one to four words at each word.
    let mut i = 0;
    while i < words.len() {
        let mut found = None;
        let context = words
            .get(i)
            .is_some_and(|&a| ORG_BEFORE.iter().any(|c| context_before(text, toks, a).ends_with(c)));
        for n in (1..=4).rev() {
            let (Some(&a), Some(&b)) = (words.get(i), words.get(i + n - 1)) else { continue };
            let (Some(first), Some(last)) = (toks.get(a), toks.get(b)) else { continue };
            let Some(name) = text.get(first.start..last.end) else { continue };
            if !name.split(' ').all(|w| !w.is_empty()) || name.split(' ').count() != n {
                continue;
            }
            if g.is_organization_lower(name) && (context || !(n == 1 && g.is_common_word(name))) {
                found = Some((first.start, last.end, n));
                break;
            }
        }
        match found {
            Some((start, end, n)) => {
                let normalized = text
                    .get(start..end)
                    .unwrap_or_default()
                    .split(' ')
                    .map(title_case)
                    .collect::<Vec<_>>()
                    .join(" ");
                out.push(Entity { start, end, kind: EntityType::Organization, normalized });
                i += n;
            }
            None => i += 1,
        }
    }
    // Organisations named by an organisation word after names: `east india company`.
    for (k, &index) in words.iter().enumerate() {
        let Some(head) = toks.get(index) else { continue };
        let head_word = title_case(head.text(text));
        if !ORG_WORDS.contains(&head_word.as_str())
            || CASELESS_AMBIGUOUS.contains(&head_word.as_str())
            || k == 0
        {
            continue;
        }
        let mut first = k;
        let mut proper = false;
        while first > 0 && k - first < 3 {
            let Some(previous) = words.get(first - 1).and_then(|&i| toks.get(i)) else { break };
            let Some(next) = words.get(first).and_then(|&i| toks.get(i)) else { break };
            let word = previous.text(text);
            let is_place = g.place(&title_case(word)).is_some();
            let is_direction =
                matches!(word, "north" | "south" | "east" | "west" | "central" | "royal" | "national");
            if text.get(previous.end..next.start) != Some(" ")
                || !(is_place || is_direction || !g.is_common_word(word))
            {
                break;
            }
            proper |= is_place || !g.is_common_word(word);
            first -= 1;
        }
        let Some(start) = words.get(first).and_then(|&i| toks.get(i)).map(|t| t.start) else { continue };
        if proper && first < k && !overlaps(&out, start, head.end) {
            let normalized = text
                .get(start..head.end)
                .unwrap_or_default()
                .split(' ')
                .map(title_case)
                .collect::<Vec<_>>()
                .join(" ");
            out.push(Entity { start, end: head.end, kind: EntityType::Organization, normalized });
        }
    }
    for p in places {
        let surface = text.get(p.start..p.end).unwrap_or_default();
        if surface.chars().count() >= 4 && !g.is_common_word(surface) && !overlaps(&out, p.start, p.end) {
            out.push(Entity {
                start: p.start,
                end: p.end,
                kind: EntityType::Location,
                normalized: g.place_name(p.name).to_owned(),
            });
        }
    }
    let word_toks: Vec<&Token> = words.iter().filter_map(|&k| toks.get(k)).collect();
    for (k, pair) in word_toks.windows(2).enumerate() {
        let [a, b] = pair else { continue };
        let (first, second) = (a.text(text), b.text(text));
        let adjacent = text.get(a.end..b.start) == Some(" ");
        let after_title = k > 0
            && word_toks.get(k - 1).is_some_and(|t| {
                TITLES.iter().any(|title| title.eq_ignore_ascii_case(t.text(text)))
                    && text.get(t.end..a.start) == Some(" ")
            });
        if !adjacent || !g.is_given_name(first) || overlaps(&out, a.start, b.end) {
            continue;
        }
        if (!g.is_common_word(first) || after_title)
            && (g.is_surname(second) || !g.is_common_word(second))
            && g.place(&title_case(second)).is_none()
        {
            let normalized = format!("{} {}", title_case(first), title_case(second));
            out.push(Entity { start: a.start, end: b.end, kind: EntityType::Person, normalized });
        } else if after_title && !overlaps(&out, a.start, a.end) {
            out.push(Entity {
                start: a.start,
                end: a.end,
                kind: EntityType::Person,
                normalized: title_case(first),
            });
        }
    }
    out
}

fn title_case(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
