//! The lists the extractor knows names from, built from packages on the public registries by
//! `data/make_gazetteers.py` (sources and licences in `data/SOURCES.md`) and compiled into the
//! library: places (GeoNames), given names and surnames (US Social Security Administration and
//! census counts), ordinary English words (SCOWL). Loaded once, on first use.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, Input, MatchKind};

/// What kind of place a gazetteer name is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum PlaceKind {
    Continent,
    Country,
    State,
    City,
}

/// A place name found in a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PlaceMatch {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) kind: PlaceKind,
    /// Whether it is a city of half a million people or more.
    pub(crate) large: bool,
    /// Whether the text has the gazetteer's capitals (or differs only in ASCII case).
    pub(crate) cased: bool,
    /// Index of the canonical name in the place list.
    pub(crate) name: usize,
}

pub(crate) struct Gazetteers {
    place_names: Vec<&'static str>,
    place_kinds: Vec<PlaceKind>,
    place_large: Vec<bool>,
    places: Option<AhoCorasick>,
    place_index: HashMap<&'static str, usize>,
    given: HashSet<&'static str>,
    surnames: HashSet<&'static str>,
    common: HashSet<&'static str>,
    organizations: HashSet<&'static str>,
    /// Lower-case organisation names, for text without capitals.
    organizations_lower: HashSet<String>,
    demonyms: HashSet<&'static str>,
}

const PLACES: &str = include_str!("../data/places.tsv");
const GIVEN: &str = include_str!("../data/given_names.txt");
const SURNAMES: &str = include_str!("../data/surnames.txt");
const COMMON: &str = include_str!("../data/common_words.txt");
const ORGANIZATIONS: &str = include_str!("../data/organizations.txt");
const DEMONYMS: &str = include_str!("../data/demonyms.txt");

/// Names that places are also called in English prose, beside their gazetteer names.
const PLACE_ALIASES: &[(&str, PlaceKind)] = &[
    ("U.S.", PlaceKind::Country),
    ("US", PlaceKind::Country),
    ("USA", PlaceKind::Country),
    ("U.S.A.", PlaceKind::Country),
    ("America", PlaceKind::Country),
    ("UK", PlaceKind::Country),
    ("U.K.", PlaceKind::Country),
    ("Britain", PlaceKind::Country),
    ("Great Britain", PlaceKind::Country),
    ("England", PlaceKind::Country),
    ("Scotland", PlaceKind::Country),
    ("Wales", PlaceKind::Country),
    ("Northern Ireland", PlaceKind::Country),
    ("Czechia", PlaceKind::Country),
    ("Holland", PlaceKind::Country),
    ("the Netherlands", PlaceKind::Country),
    ("UAE", PlaceKind::Country),
    ("Ivory Coast", PlaceKind::Country),
    ("Vatican City", PlaceKind::Country),
    ("Burma", PlaceKind::Country),
    ("Soviet Union", PlaceKind::Country),
    ("USSR", PlaceKind::Country),
    ("Ottoman Empire", PlaceKind::Country),
    ("Roman Empire", PlaceKind::Country),
    ("Middle East", PlaceKind::Continent),
    ("Latin America", PlaceKind::Continent),
    ("Southeast Asia", PlaceKind::Continent),
    ("East Asia", PlaceKind::Continent),
    ("Central Asia", PlaceKind::Continent),
    ("South Asia", PlaceKind::Continent),
    ("Western Europe", PlaceKind::Continent),
    ("Eastern Europe", PlaceKind::Continent),
    ("Central Europe", PlaceKind::Continent),
    ("Scandinavia", PlaceKind::Continent),
    ("Balkans", PlaceKind::Continent),
    ("Caribbean", PlaceKind::Continent),
    ("Siberia", PlaceKind::Continent),
    ("Sahara", PlaceKind::Continent),
    ("Arctic", PlaceKind::Continent),
    ("Antarctic", PlaceKind::Continent),
    ("Washington, D.C.", PlaceKind::City),
    ("Washington D.C.", PlaceKind::City),
    ("New York City", PlaceKind::City),
    ("Silicon Valley", PlaceKind::Continent),
];

/// Short forms of place names and the names they stand for.
const CANONICAL_PLACES: &[(&str, &str)] = &[
    ("U.S.", "United States"),
    ("US", "United States"),
    ("USA", "United States"),
    ("U.S.A.", "United States"),
    ("America", "United States"),
    ("UK", "United Kingdom"),
    ("U.K.", "United Kingdom"),
    ("Britain", "United Kingdom"),
    ("Great Britain", "United Kingdom"),
    ("Holland", "Netherlands"),
    ("the Netherlands", "Netherlands"),
    ("UAE", "United Arab Emirates"),
    ("Czechia", "Czech Republic"),
    ("USSR", "Soviet Union"),
    ("Washington, D.C.", "Washington"),
    ("Washington D.C.", "Washington"),
    ("New York City", "New York"),
];

pub(crate) fn gazetteers() -> &'static Gazetteers {
    static GAZETTEERS: OnceLock<Gazetteers> = OnceLock::new();
    GAZETTEERS.get_or_init(Gazetteers::load)
}

/// The entries of a list file: every line but comments and blank ones.
fn entries(list: &'static str) -> impl Iterator<Item = &'static str> {
    list.lines().filter(|l| !l.is_empty() && !l.starts_with('#'))
}

impl Gazetteers {
    fn load() -> Gazetteers {
        let mut place_names = Vec::new();
        let mut place_kinds = Vec::new();
        let mut place_large = Vec::new();
        for line in entries(PLACES) {
            let Some((name, kind)) = line.split_once('\t') else { continue };
            place_large.push(kind == "large city");
            let kind = match kind {
                "continent" => PlaceKind::Continent,
                "country" => PlaceKind::Country,
                "state" => PlaceKind::State,
                _ => PlaceKind::City,
            };
            place_names.push(name);
            place_kinds.push(kind);
        }
        for &(name, kind) in PLACE_ALIASES {
            place_names.push(name);
            place_kinds.push(kind);
            place_large.push(kind == PlaceKind::City);
        }
        let places = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .ascii_case_insensitive(true)
            .build(&place_names);
        debug_assert!(places.is_ok(), "{places:?}");
        let mut place_index = HashMap::with_capacity(place_names.len());
        for (i, &name) in place_names.iter().enumerate() {
            place_index.entry(name).or_insert(i);
        }
        Gazetteers {
            places: places.ok(),
            place_index,
            place_names,
            place_kinds,
            place_large,
            given: entries(GIVEN).collect(),
            surnames: entries(SURNAMES).collect(),
            common: entries(COMMON).collect(),
            organizations: entries(ORGANIZATIONS).collect(),
            organizations_lower: entries(ORGANIZATIONS).map(str::to_lowercase).collect(),
            demonyms: entries(DEMONYMS).collect(),
        }
    }

    /// Every place name in `text` whose ends are word boundaries, leftmost-longest, never
    /// overlapping.
    pub(crate) fn places_in(&self, text: &str) -> Vec<PlaceMatch> {
        let mut out = Vec::new();
        let Some(automaton) = &self.places else { return out };
        let mut at = 0;
        while at < text.len() {
            let Some(m) = automaton.find(Input::new(text).range(at..)) else { break };
            let (start, end) = (m.start(), m.end());
            let name = m.pattern().as_usize();
            if is_word_boundary(text, start) && is_word_boundary(text, end) {
                let canonical = self.place_names.get(name).copied().unwrap_or_default();
                let surface = text.get(start..end).unwrap_or_default();
                let kind = self.place_kinds.get(name).copied().unwrap_or(PlaceKind::City);
                let large = self.place_large.get(name).copied().unwrap_or(false);
                out.push(PlaceMatch { start, end, kind, large, cased: surface == canonical, name });
                at = end;
            } else {
                // Try again from the next character (a boundary may follow a shorter name).
                at = start + text.get(start..).and_then(|s| s.chars().next()).map_or(1, char::len_utf8);
            }
        }
        out
    }

    /// The canonical spelling of place `name` (an index from [`PlaceMatch::name`]).
    pub(crate) fn place_name(&self, name: usize) -> &'static str {
        self.place_names.get(name).copied().unwrap_or_default()
    }

    /// The kind of the place spelled exactly `name`, if it is one.
    pub(crate) fn place(&self, name: &str) -> Option<PlaceKind> {
        self.place_index.get(name).and_then(|&i| self.place_kinds.get(i).copied())
    }

    /// Whether the place spelled exactly `name` is a city of half a million people or more.
    pub(crate) fn is_large_city(&self, name: &str) -> bool {
        self.place_index.get(name).and_then(|&i| self.place_large.get(i).copied()).unwrap_or(false)
    }

    /// The name a place is better known by, for the short forms prose uses (`US`, `U.K.`,
    /// `Britain`): the name the gazetteer lists; `None` for any other name.
    pub(crate) fn canonical_place(&self, name: &str) -> Option<&'static str> {
        CANONICAL_PLACES.iter().find(|(alias, _)| *alias == name).map(|&(_, canonical)| canonical)
    }

    /// Whether `word` (any case) is a given name.
    pub(crate) fn is_given_name(&self, word: &str) -> bool {
        self.given.contains(word.to_lowercase().as_str())
    }

    /// Whether `word` (any case) is a surname.
    pub(crate) fn is_surname(&self, word: &str) -> bool {
        self.surnames.contains(word.to_lowercase().as_str())
    }

    /// Whether `name` (as written) is a known organisation.
    pub(crate) fn is_organization(&self, name: &str) -> bool {
        self.organizations.contains(name)
    }

    /// Whether `name` in lower case is a known organisation's name in lower case.
    pub(crate) fn is_organization_lower(&self, name: &str) -> bool {
        self.organizations_lower.contains(name)
    }

    /// Whether `word` is an adjective of a place or people (`Kenyan`, `European`, `Catholic`).
    /// (Its plural too: `Kenyans`, `Europeans`.)
    pub(crate) fn is_demonym(&self, word: &str) -> bool {
        self.demonyms.contains(word) || word.strip_suffix('s').is_some_and(|one| self.demonyms.contains(one))
    }

    /// Whether `word` (any case) is an ordinary English word.
    pub(crate) fn is_common_word(&self, word: &str) -> bool {
        self.common.contains(word.to_lowercase().as_str())
    }
}

/// Whether `at` in `text` is not inside a word (letters or digits on both sides).
pub(crate) fn is_word_boundary(text: &str, at: usize) -> bool {
    let before = text.get(..at).and_then(|s| s.chars().next_back());
    let after = text.get(at..).and_then(|s| s.chars().next());
    !(before.is_some_and(char::is_alphanumeric) && after.is_some_and(char::is_alphanumeric))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_found_as_whole_words() {
        let g = gazetteers();
        let text = "From São Paulo to Parisian Paris and zürich.";
        let found: Vec<(&str, bool)> =
            g.places_in(text).iter().map(|m| (&text[m.start..m.end], m.cased)).collect();
        assert_eq!(found, [("São Paulo", true), ("Paris", true), ("zürich", false)]);
        assert_eq!(g.place("France"), Some(PlaceKind::Country));
        assert!(g.is_given_name("Mary") && g.is_surname("Smith") && g.is_common_word("Whole"));
        assert!(!g.is_common_word("Nadella"));
    }
}
