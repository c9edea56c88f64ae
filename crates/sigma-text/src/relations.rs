//! Relations between the entities of one sentence, found by rules over the sentence's
//! *skeleton*: the sentence in lower case with each entity replaced by a marker that names its
//! class and index (`<P0>, chief executive of <O1>, spoke in <L2> on <X3>.`). A rule is a regular
//! expression over the skeleton whose groups `s…` and `o…` capture the markers of the subject and
//! object; a group may capture a list (`founded by <P2>, <P3> and <P4>`), which gives one
//! relation per entity in it. Because every end of a relation is a marker, a relation is always
//! anchored on two recognised entities and its evidence never runs past the sentence.
//!
//! Questions state no relation, and a match whose words negate it (`not`, `never`, `n't`) or
//! make it a plan (`talks`, `plans to`, `bid`) is dropped.

use std::ops::Range;
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use regex_automata::meta::Regex;
use regex_automata::util::captures::Captures;
use regex_automata::{Anchored, Input};

use crate::gazetteer::{PlaceKind, gazetteers};
use crate::types::{Entity, EntityType, Predicate, Relation};

/// The marker class of an entity type: `P`erson, `O`rganisation, `L`ocation, anything else `X`.
fn class(kind: EntityType) -> u8 {
    match kind {
        EntityType::Person => b'P',
        EntityType::Organization => b'O',
        EntityType::Location => b'L',
        _ => b'X',
    }
}

/// Shorthands the rules are written with, expanded before compiling.
const MACROS: &[(&str, &str)] = &[
    // A comma-enclosed aside: `, who was born in <L3>,`, `, the Swiss food group,`.
    ("{appos}", r"(?:, [^;]*?,)?"),
    // Words between a subject and its verb, crossing no name and no clause.
    ("{gap}", r"(?:[^<;,?]|<[LX]\d+>)*?"),
    // Words inside one phrase, crossing only values (dates, amounts).
    ("{w}", r"(?:[^<;,?]|<X\d+>)"),
    ("{the}", r"(?:the )?"),
    (
        "{adv}",
        r"(?:(?:also|later|now|then|previously|currently|once|still|briefly|first|already|formerly|subsequently|eventually|recently|long) )*",
    ),
    (
        "{former}",
        r"(?:(?:former|then|current|longtime|long-time|new|interim|acting|outgoing|incoming|founding|senior|top) )*",
    ),
    (
        "{dir}",
        r"(?:(?:northern|southern|eastern|western|central|north|south|east|west|northeastern|northwestern|southeastern|southwestern|north-eastern|north-western|south-eastern|south-western|coastal|rural|upper|lower|mainland|inland) )?",
    ),
    (
        "{capadj}",
        r"(?:(?:administrative|former|new|old|ancient|historic|historical|political|economic|commercial|financial|cultural|royal|official|legislative|judicial|executive|de facto|provincial|state|regional|national|federal|imperial|colonial|winter|summer|joint|constitutional|current|present|first) )*",
    ),
    ("{ceo}", r"(?:chief executive(?: officer)?|ceo|chief exec)"),
    (
        "{role}",
        r"(?:chairman|chairwoman|chairperson|chair|president|vice[- ]president|vice[- ]chairman|managing director|director-general|director general|director|head coach|head|manager|coach|governor|deputy governor|executive editor|editor-in-chief|editor|publisher|chief [a-z]+ officer|cfo|cto|coo|secretary-general|secretary general|general secretary|commissioner|dean|provost|rector|vice-chancellor|principal|curator|conductor|captain|treasurer|spokesman|spokeswoman|spokesperson|executive|engineer|scientist|researcher|professor|lecturer|economist|analyst|official|employee|lawyer|adviser|advisor|reporter|correspondent|journalist|columnist|pharmacologist|epidemiologist|physicist|chemist|biologist|astronomer|mathematician|designer|architect|developer|programmer|partner|fellow|player|striker|midfielder|defender|goalkeeper|forward|pitcher|quarterback|teacher|nurse|doctor|surgeon|pilot|admiral|general|officer|colonel|trustee|board member|member of staff|staff member)",
    ),
    (
        "{place}",
        r"(?:city|town|village|port|island|islands|region|state|province|country|nation|municipality|district|suburb|resort|county|capital|kingdom|republic|territory|archipelago|lake|river|mountain|peninsula|valley|desert|coast|area|settlement|neighbou?rhood|borough|prefecture)",
    ),
];

/// The words rules of one kind look for first (see [`RULES`]).
const CEO: &[&str] = &["chief exec", "ceo"];
const APPOSITION: &[&str] = &[", a ", ", an ", ", the "];
const CAPITAL: &[&str] = &["capital"];
const MARRIAGE: &[&str] = &["marri", "wed", "wife", "husband", "spouse", "widow"];
const PART: &[&str] = &[
    "subsidiar",
    "unit",
    "division",
    "arm ",
    "brand",
    "member",
    "part ",
    "affiliate",
    "label",
    "imprint",
    "branch",
    "department",
];
const ACQUISITION: &[&str] = &["bought", "acquir", "purchas", "took over", "taken over", "completed", "sold"];

/// The rules: a predicate, the marker classes a skeleton must hold for it (`PO`: a person and an
/// organisation), words one of which it must hold (none: no such need; matched without regard
/// to case), and a pattern over the skeleton. `{P:s}` is a person marker captured as
/// the subject, `{O+:o}` a list of organisation markers captured as objects, `{LO:s}` a place or
/// organisation; a group named `no` vetoes the match when it takes part (a list where the rule
/// wants a pair).
const RULES: &[(Predicate, &str, &[&str], &str)] = &[
    // CEO_OF (each also gives WORKS_FOR).
    (
        Predicate::CeoOf,
        "PO",
        CEO,
        r"{P:s}{appos},? (?:who (?:is|was|has been|had been) |(?:is|was|has been|had been|became|becomes|remains|served as|serves as) |as )?(?:the |its |a )?{former}{ceo} (?:of|at) {the}{O:o}",
    ),
    (Predicate::CeoOf, "PO", CEO, r"{O:o}(?:'s)? {former}{ceo},? {P:s}"),
    // `Sundar Pichai, Google's chief executive, …`
    (Predicate::CeoOf, "PO", CEO, r"{P:s}, {the}{O:o}'s {former}{ceo}(?:,|$| (?:is|was|has|had|said))"),
    (Predicate::CeoOf, "PO", CEO, r"{O:o}(?:[^<;?]|<[LXP]\d+>)*? its {former}{ceo},? {P:s}"),
    // WORKS_FOR.
    (
        Predicate::WorksFor,
        "PO",
        &[],
        r"{P:s}{appos},? (?:who (?:is|was|has been|had been) |(?:is|was|has been|had been|became|becomes|remains|served as|serves as|(?:was |has been |had been )?(?:re-?elected|elected|appointed|named|made) )(?:as )?|as )?(?:the |its |a |an )?{former}(?:[a-z\-]+ ){0,2}?{role} (?:of|at|for|with) {the}(?:<L\d+>-based )?{O:o}",
    ),
    (
        Predicate::WorksFor,
        "PO",
        APPOSITION,
        r"{P:s}, (?:a|an|the) {former}(?:[a-z\-]+ ){0,3}?(?:at|of|for|with|in) {the}(?:<L\d+>-based )?{O:o}(?P<no>'s)?",
    ),
    (Predicate::WorksFor, "PO", APPOSITION, r"{P:s}, (?:a|an|the) {former}{O:o} (?:[a-z\-]+ )?{role}"),
    (Predicate::WorksFor, "PO", &[" of "], r"{P:s} of {the}{O:o}"),
    (
        Predicate::WorksFor,
        "PO",
        &[
            "work", "taught", "teach", "lectur", "play", "coach", "serv", "employed", "spent", "signed",
            "scored", "starred", "raced", "rode", "perform",
        ],
        r"{P:s}{appos}(?:,? who)?{gap} {adv}(?:has |had |have )?{adv}(?:worked|works|work|working|taught|teaches|teach|teaching|lectured|lectures|played|plays|playing|coached|coaches|coaching|served|serves|serving|was employed|is employed|has been employed|spent|signed|scored|starred|raced|rode|performed)(?: {w}*?)? (?:at|for|with|in|on) {the}(?:<L\d+>-based )?{O:o}",
    ),
    (
        Predicate::WorksFor,
        "PO",
        &[],
        r"{P:s}{appos}(?:,? who)?{gap} {adv}(?:has |had |have )?{adv}(?:as )?(?:an? |the )?{former}(?:[a-z\-]+ ){0,2}?{role} (?:at|for|with|in) {the}(?:<L\d+>-based )?{O:o}",
    ),
    (
        Predicate::WorksFor,
        "PO",
        &[
            "join", "head", "lead", "led ", "runs", "ran ", "chair", "manag", "coach", "captain", "left",
            "leaves", "quit",
        ],
        r"{P:s}{appos}(?:,? who)? {adv}(?:has |had |have )?{adv}(?:joined|rejoined|joins|heads|headed|leads|led|runs|ran|chairs|chaired|manages|managed|coaches|coached|captains|captained|left|leaves|quit) {the}(?:<L\d+>-based )?{O:o}",
    ),
    (
        Predicate::WorksFor,
        "PO",
        &["left", "leaves", "quit"],
        r"{P:s} (?:left|leaves|quit) {the}<O\d+>,? (?:to join|for) {the}{O:o}",
    ),
    (Predicate::WorksFor, "PO", &["join"], r"{P:s} (?:joined|joins|rejoined) {the}<O\d+> from {the}{O:o}"),
    (
        Predicate::WorksFor,
        "PO",
        &["hired", "appoint", "named", "promot", "recruit", "signed", "elected", "poached"],
        r"{O:o}{appos} {adv}(?:has |had )?(?:hired|appointed|named|promoted|recruited|signed|elected|re-elected|poached) {P:s}",
    ),
    (Predicate::WorksFor, "PO", &[], r"{O:o}(?:'s)? {former}{role},? {P:s}"),
    (Predicate::WorksFor, "PO", &[" its "], r"{O:o}(?:[^<;?]|<[LXP]\d+>)*? its {former}{role},? {P:s}"),
    // FOUNDED_BY.
    (
        Predicate::FoundedBy,
        "PO",
        &[" by "],
        r"{O:s}{appos}(?:,| (?:was|were|is|are|had been|has been)|,? which (?:was|were))? (?:co-?founded|founded|started|formed|created|set up|established|launched)(?:[^<;?]|<[LX]\d+>)*? by {P+:o}",
    ),
    (
        Predicate::FoundedBy,
        "PO",
        &["found", "start", "set up", "creat", "establish", "formed", "launch"],
        r"{P+:o}{appos}(?: and [^<;,]{1,40}?)?(?:,? who)? {adv}(?:co-?founded|founded|started|set up|created|established|formed) {the}{O:s}(?:(?:[^<;?]|<[LXO]\d+>)*? with (?:(?:his|her|their) [a-z ]{1,20}, )?{P+:o2})?",
    ),
    (Predicate::FoundedBy, "PO", &["founder"], r"{O:s}(?:'s)? (?:co-)?founders? {P+:o}"),
    (
        Predicate::FoundedBy,
        "PO",
        &["founder"],
        r"{P:o}, (?:a |the |one of the )?{former}(?:co-)?founders? of {the}{O:s}",
    ),
    (
        Predicate::FoundedBy,
        "PO",
        &["founded"],
        r"{O:s}(?:[^<;?]|<[LXP]\d+>)*?{P:o},? (?:[^<;?,]{0,20} )?(?:co-)?founded (?:the|this|that) (?:company|firm|group|business|bank|band|club|organi[sz]ation|charity|school|university|institute|team|party|newspaper|brand|studio|label|startup|start-up)",
    ),
    // BORN_IN.
    (
        Predicate::BornIn,
        "PL",
        &["born"],
        r"{P:s}(?:{appos}(?:,? who)?{gap} (?:was|were|is) |,? (?:who (?:was |is )?)?)born (?:in|at) (?:the (?:city|town|village|port) of )?{L:o}",
    ),
    (Predicate::BornIn, "PL", &["born"], r"{P:s}[^;?]*?; (?:he|she) was born (?:in|at) {L:o}"),
    // LOCATED_IN.
    (
        Predicate::LocatedIn,
        "L",
        &[", <l"],
        r"{LO:s}, {L:o}(?P<no>,? (?:and|or) <L\d+>|, <L\d+>,? (?:and|or) )?",
    ),
    (Predicate::LocatedIn, "L", &[" in "], r"{LO:s} in {the}{dir}{L:o}"),
    (Predicate::LocatedIn, "OL", &[" of <l"], r"{O:s} of {L:o}"),
    (
        Predicate::LocatedIn,
        "L",
        &["based", "headquarter", "located", "situated", "housed"],
        r"{LO:s}{appos}(?:,? (?:which|that|who))?,? (?:is |was |are |were |has been |had been )?{adv}(?:based|headquartered|located|situated|housed) in {the}{dir}{L:o}",
    ),
    (
        Predicate::LocatedIn,
        "L",
        &[" its "],
        r"{LO:s}{appos}(?:,? (?:which|that))? (?:has|had|have) its (?:headquarters|head office|base|main office|seat) in {the}{dir}{L:o}",
    ),
    (
        Predicate::LocatedIn,
        "L",
        &["based", "headquarter", "located", "situated"],
        r"{LO:s}, (?:the|a|an) {w}{0,60}? (?:based|headquartered|located|situated) in {the}{dir}{L:o}",
    ),
    (Predicate::LocatedIn, "OL", &["-based <o"], r"<L(?P<o>\d+)>-based {O:s}"),
    (
        Predicate::LocatedIn,
        "OL",
        &[", the <l", ", a <l", ", an <l"],
        r"{O:s}, (?:the|a|an) {L:o}(?:-based)? (?:[a-z\-]+ ){0,2}?(?:company|firm|group|maker|carmaker|automaker|chipmaker|bank|lender|insurer|retailer|startup|start-up|airline|publisher|broadcaster|newspaper|university|club|team|laboratory|lab|agency|brewer|manufacturer|conglomerate|giant|operator|developer)",
    ),
    (Predicate::LocatedIn, "L", &["'s <"], r"{L:o}'s {LO:s}"),
    (
        Predicate::LocatedIn,
        "L",
        APPOSITION,
        r"{L:s}, (?:a|an|the) {w}{0,60}?{place} (?:in|on|of) {the}{dir}{L:o}",
    ),
    (
        Predicate::LocatedIn,
        "L",
        &[" in ", " on "],
        r"{L:s},? (?:in|on) (?:the (?:island|state|province|region|county|republic|city|coast|district|prefecture|department|canton|emirate) of )?{the}{dir}{L:o}",
    ),
    (
        Predicate::LocatedIn,
        "L",
        &[" is ", " was ", " remain"],
        r"{L:s} (?:is|was|remains|remained) (?:the|a|an|one of the) {w}{0,60}?{place} (?:in|on) {the}{dir}{L:o}",
    ),
    (
        Predicate::LocatedIn,
        "L",
        &["sits", "lies", "stands", "rises", "located", "situated", "lay ", "stood"],
        r"{L:s} (?:sits|lies|stands|rises|is located|is situated|lay|stood)(?:[^<;?]|<X\d+>)*? in {the}{dir}{L:o}",
    ),
    // CAPITAL_OF.
    (
        Predicate::CapitalOf,
        "L",
        CAPITAL,
        r"{L:s}{appos}(?:,| (?:is|was|became|has been|had been|remains|remained|served as|serves as|replaced <L\d+> as|succeeded <L\d+> as))? (?:the |its )?(?:[a-z\-]+ ){0,2}?capital (?:city )?of {the}{L:o}",
    ),
    (
        Predicate::CapitalOf,
        "L",
        CAPITAL,
        r"{L:o}(?:[^<;?]|<[XPO]\d+>)*? {L:s} (?:is|was|remains|became) its {capadj}capital",
    ),
    (
        Predicate::CapitalOf,
        "L",
        CAPITAL,
        r"{L:o}(?:[^<;?]|<[XPO]\d+>)*?{L:s}, (?:the country's|the state's|the province's|the nation's|the region's|its) {capadj}capital",
    ),
    (Predicate::CapitalOf, "L", CAPITAL, r"{L:o}'s {capadj}capital(?: city)?,? {L:s}"),
    (Predicate::CapitalOf, "L", CAPITAL, r"capital (?:city )?of {the}{L:o}, {L:s}(?P<no>,? (?:and|or) )?"),
    // `The capital of Japan is Tokyo.`
    (
        Predicate::CapitalOf,
        "L",
        CAPITAL,
        r"capital (?:city )?of {the}{L:o} (?:is|was|has been|had been|became|remains) {L:s}",
    ),
    // MARRIED_TO.
    (Predicate::MarriedTo, "P", MARRIAGE, r"{P:s}{appos} (?:has |had )?(?:married|weds|wed) {P:o}"),
    (
        Predicate::MarriedTo,
        "P",
        MARRIAGE,
        r"{P:s}{appos} (?:has |had )?(?:married|weds|wed) (?:his|her) [a-z\- ]{1,30}, {P:o}",
    ),
    (
        Predicate::MarriedTo,
        "P",
        MARRIAGE,
        r"{P:s}(?:[^<;?]|<[LXO]\d+>)*? (?:his|her) (?:wife|husband|spouse|widow|widower),? {P:o}",
    ),
    (Predicate::MarriedTo, "P", MARRIAGE, r"{P:s}(?:'s)? (?:wife|husband|spouse),? {P:o}"),
    // A second verb phrase of the same subject: `X was born in <L> and married Y`.
    (
        Predicate::MarriedTo,
        "P",
        &["marri", "wed"],
        r"{P:s}(?:[^<;?]|<[LXO]\d+>)*? and (?:later |then |in <X\d+> )?(?:married|wed) {P:o}",
    ),
    (
        Predicate::MarriedTo,
        "P",
        MARRIAGE,
        r"{P:s} and {P:o},? (?:have been|had been|were|are|got|have long been) married",
    ),
    (Predicate::MarriedTo, "P", MARRIAGE, r"{P:s} (?:is|was|has been|had been) married to {P:o}"),
    // PART_OF.
    (
        Predicate::PartOf,
        "O",
        PART,
        r"{O:s},? (?:then |now |which is |which was )?(?:a|an|the) (?:[a-z\-]+ ){0,2}?(?:subsidiary|unit|division|arm|brand|member|part|affiliate|label|imprint|branch|department|member club) of {the}{O:o}",
    ),
    (
        Predicate::PartOf,
        "O",
        PART,
        r"{O:s}{gap} (?:is|was|are|were|became|has been|had been|remains) (?:now )?(?:a |an |the )?(?:(?:wholly|majority|fully)[- ]owned )?(?:[a-z\-]+ )?(?:subsidiary|unit|division|part|member|brand|affiliate|arm) of {the}{O:o}",
    ),
    (
        Predicate::PartOf,
        "O",
        &["owned by"],
        r"{O:s}{appos} (?:is |was |are |were |has been |had been )?(?:now )?(?:(?:wholly|majority|partly|fully|jointly)[- ])?owned by {the}{O:o}",
    ),
    (
        Predicate::PartOf,
        "O",
        &["owns", "controls", "owned", "controlled"],
        r"{O:o}{appos}(?:,? (?:which|that))? (?:also )?(?:owns|controls|owned|controlled) {the}{O+:s}",
    ),
    (
        Predicate::PartOf,
        "O",
        &[" its "],
        r"{O:o}(?: sold|'s) its {w}{0,30}?(?:business|unit|division|arm|subsidiary|brand|label|operations),? {O:s}",
    ),
    // ACQUIRED.
    (
        Predicate::Acquired,
        "O",
        ACQUISITION,
        r"{O:s}{appos}(?: of <L\d+>(?:, <L\d+>)?,?)? {adv}(?:has |had )?(?:bought|acquired|purchased|took over|completed (?:its|the) (?:purchase|acquisition|takeover) of) {the}{O:o}",
    ),
    (
        Predicate::Acquired,
        "O",
        ACQUISITION,
        r"{O:o}{appos} (?:was|were|has been|had been|is being)? ?(?:acquired|bought|purchased|taken over) by {the}{O:s}",
    ),
    (
        Predicate::Acquired,
        "O",
        ACQUISITION,
        r"{O:o}(?:[^<;?]|<[XL]\d+>)*?{O:s}, which (?:bought|acquired|purchased) (?:it|them)",
    ),
    (Predicate::Acquired, "O", &["sold"], r"sold (?:its [^<;,]{1,40}, )?{O:o},? to {the}{O:s}"),
];

/// Words that, inside a match, say the relation does not hold (or not yet).
const VETO: &[&str] = &[
    " not ",
    "n't ",
    " never ",
    " talks ",
    " plans to ",
    " planned ",
    " bid ",
    " offer ",
    " proposed ",
    " would ",
    " could ",
    " might ",
    " may ",
    " rumou",
    " wants to ",
    " hopes to ",
    " considering ",
    " failed ",
    " blocked ",
];

/// Words that, inside a match, make a WORKS_FOR something else: studying, supporting, owning,
/// founding or belonging.
const NOT_WORK: &[&str] = &[
    " student",
    " studied",
    " graduate",
    " alumn",
    " fan ",
    " fans ",
    " customer",
    " shareholder",
    " investor",
    " critic",
    " rival",
    " founder",
    " co-founder",
    " member ",
    " owner",
    " supporter",
];

struct Rule {
    predicate: Predicate,
    /// Marker classes the skeleton must hold.
    classes: &'static str,
    /// Ids in [`Rules::keywords`] of the words one of which the skeleton must hold (empty: none
    /// needed).
    keywords: Vec<usize>,
    regex: Regex,
    /// The classes of the marker the pattern starts with, if it starts with one: it is tried
    /// anchored at each marker of those classes.
    anchor: Option<&'static str>,
}

struct Rules {
    /// Every rule's words, found in one pass.
    keywords: AhoCorasick,
    keyword_count: usize,
    rules: Vec<Rule>,
}

/// Expands `{P:s}`-style markers and the `MACROS` into regex syntax.
fn expand(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() * 2);
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        let (before, from) = rest.split_at(open);
        out.push_str(before);
        let Some(close) = from.find('}') else {
            out.push_str(from);
            return out;
        };
        let (token, after) = from.split_at(close + 1);
        if let Some(&(_, body)) = MACROS.iter().find(|(name, _)| *name == token) {
            out.push_str(body);
        } else if let Some((classes, group)) = token.trim_matches(['{', '}']).split_once(':')
            && classes.chars().all(|c| matches!(c, 'P' | 'O' | 'L' | '+'))
        {
            let list = classes.ends_with('+');
            let classes = classes.trim_end_matches('+');
            let one = format!("<[{classes}]\\d+>");
            if list {
                out.push_str(&format!("(?P<{group}>{one}(?:(?:, |,? and ){one})*)"));
            } else {
                out.push_str(&format!("<[{classes}](?P<{group}>\\d+)>"));
            }
        } else {
            // A counted repetition such as `{0,3}`: regex syntax, kept.
            out.push_str(token);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

fn rules() -> Option<&'static Rules> {
    static RULES_CELL: OnceLock<Option<Rules>> = OnceLock::new();
    RULES_CELL
        .get_or_init(|| {
            let mut words: Vec<&str> = Vec::new();
            let mut rules = Vec::with_capacity(RULES.len());
            // Byte-wise classes (`(?-u)`): the automata stay small, and a skeleton's non-ASCII
            // text only ever stands between markers, where any byte will do.
            let syntax = regex_automata::util::syntax::Config::new().utf8(false);
            for &(predicate, classes, keywords, source) in RULES {
                let pattern = format!("(?-u){}", expand(source));
                let regex = Regex::builder()
                    .syntax(syntax)
                    .configure(Regex::config().utf8_empty(false))
                    .build(&pattern);
                debug_assert!(regex.is_ok(), "{source}: {regex:?}");
                let keywords = keywords
                    .iter()
                    .map(|k| {
                        words.iter().position(|w| w == k).unwrap_or_else(|| {
                            words.push(k);
                            words.len() - 1
                        })
                    })
                    .collect();
                let anchor = source
                    .strip_prefix('{')
                    .and_then(|rest| rest.split_once(':'))
                    .map(|(classes, _)| classes.trim_end_matches('+'))
                    .or_else(|| source.strip_prefix('<').and_then(|rest| rest.get(..1)));
                rules.push(Rule { predicate, classes, keywords, regex: regex.ok()?, anchor });
            }
            let keywords = AhoCorasick::builder().ascii_case_insensitive(true).build(&words);
            debug_assert!(keywords.is_ok(), "{keywords:?}");
            Some(Rules { keywords: keywords.ok()?, keyword_count: words.len(), rules })
        })
        .as_ref()
}

/// A sentence in lower case with its entities replaced by markers, and for each byte of it the
/// range of the text it stands for.
pub(crate) struct Skeleton {
    text: String,
    sources: Vec<(usize, usize)>,
    /// Byte offsets of the markers in `text`.
    markers: Vec<usize>,
}

impl Skeleton {
    fn build(text: &str, sentence: Range<usize>, entities: &[Entity]) -> Skeleton {
        let mut skeleton = Skeleton { text: String::new(), sources: Vec::new(), markers: Vec::new() };
        let mut at = sentence.start;
        for (index, entity) in entities.iter().enumerate() {
            skeleton.gap(text, at..entity.start);
            skeleton.markers.push(skeleton.text.len());
            let marker = format!("<{}{index}>", class(entity.kind) as char);
            for _ in 0..marker.len() {
                skeleton.sources.push((entity.start, entity.end));
            }
            skeleton.text.push_str(&marker);
            at = entity.end;
        }
        skeleton.gap(text, at..sentence.end);
        skeleton
    }

    /// Appends `text[range]` in lower case, with white space runs as one space, curly quotes
    /// made straight and marker brackets made spaces.
    fn gap(&mut self, text: &str, range: Range<usize>) {
        let Some(piece) = text.get(range.clone()) else { return };
        for (offset, c) in piece.char_indices() {
            let source = (range.start + offset, range.start + offset + c.len_utf8());
            let mapped = match c {
                c if c.is_whitespace() => ' ',
                '’' | '‘' | '`' => '\'',
                '“' | '”' => '"',
                '<' | '>' => ' ',
                c => c,
            };
            if mapped == ' ' && self.text.ends_with(' ') {
                if let Some(last) = self.sources.last_mut() {
                    last.1 = source.1;
                }
                continue;
            }
            for lower in mapped.to_lowercase() {
                self.text.push(lower);
                for _ in 0..lower.len_utf8() {
                    self.sources.push(source);
                }
            }
        }
    }

    /// The entity indexes a group captured: one index (`{P:s}` captures the digits of one
    /// marker) or the markers of a list (`{P+:s}`).
    fn entities_in(&self, span: Range<usize>) -> Vec<usize> {
        let inside = self.text.get(span).unwrap_or_default();
        if let Ok(one) = inside.parse() {
            return vec![one];
        }
        inside.split('<').skip(1).filter_map(|piece| piece.get(1..piece.find('>')?)?.parse().ok()).collect()
    }
}

/// The relations the sentence `text[sentence]` states between its `entities`, as indexes into
/// `entities`.
pub(crate) fn sentence_relations(text: &str, sentence: Range<usize>, entities: &[Entity]) -> Vec<Relation> {
    let mut out: Vec<Relation> = Vec::new();
    if entities.iter().filter(|e| e.kind.is_name()).count() < 2 {
        return out;
    }
    let Some(body) = text.get(sentence.clone()) else { return out };
    if crate::segment::is_question(body) {
        return out;
    }
    let Some(rules) = rules() else { return out };
    let skeleton = Skeleton::build(text, sentence, entities);
    let mut present = vec![false; rules.keyword_count];
    for m in rules.keywords.find_overlapping_iter(&skeleton.text) {
        if let Some(slot) = present.get_mut(m.pattern().as_usize()) {
            *slot = true;
        }
    }
    let has_class = |c: u8| skeleton.markers.iter().any(|&m| skeleton.text.as_bytes().get(m + 1) == Some(&c));
    for rule in &rules.rules {
        let possible = rule.classes.bytes().all(has_class)
            && (rule.keywords.is_empty() || rule.keywords.iter().any(|&k| present.get(k) == Some(&true)));
        if !possible {
            continue;
        }
        let mut caps = rule.regex.create_captures();
        if let Some(classes) = rule.anchor {
            for &marker in &skeleton.markers {
                let class = skeleton.text.as_bytes().get(marker + 1).copied().unwrap_or(0);
                if !classes.as_bytes().contains(&class) {
                    continue;
                }
                let input = Input::new(&skeleton.text).range(marker..).anchored(Anchored::Yes);
                // The DFA tells whether there is a match at all; only then are groups found.
                if rule.regex.search_half(&input).is_none() {
                    continue;
                }
                rule.regex.search_captures(&input, &mut caps);
                collect(rule.predicate, &caps, &skeleton, entities, &mut out);
            }
        } else {
            for caps in rule.regex.captures_iter(&skeleton.text) {
                collect(rule.predicate, &caps, &skeleton, entities, &mut out);
            }
        }
    }
    tidy(entities, &mut out);
    out
}

/// Adds the relations one match states, unless it is vetoed.
fn collect(
    predicate: Predicate,
    caps: &Captures,
    skeleton: &Skeleton,
    entities: &[Entity],
    out: &mut Vec<Relation>,
) {
    let Some(whole) = caps.get_match() else { return };
    if caps.get_group_by_name("no").is_some() {
        return;
    }
    let matched = skeleton.text.get(whole.range()).unwrap_or_default();
    // Only the clause that states the relation counts (`was not born in X; he was born in Y`).
    let clause = matched.rsplit(';').next().unwrap_or(matched);
    let padded = format!(" {clause} ");
    if VETO.iter().any(|word| padded.contains(word))
        || (predicate == Predicate::WorksFor && NOT_WORK.iter().any(|word| padded.contains(word)))
    {
        return;
    }
    let (Some(first), Some(last)) =
        (skeleton.sources.get(whole.start()), skeleton.sources.get(whole.end().saturating_sub(1)))
    else {
        return;
    };
    let (start, end) = (first.0, last.1);
    let group = |name: &str| caps.get_group_by_name(name).map(|span| skeleton.entities_in(span.range()));
    let subjects = group("s").unwrap_or_default();
    let objects: Vec<usize> = ["o", "o2"].iter().filter_map(|name| group(name)).flatten().collect();
    for &subject in &subjects {
        for &object in &objects {
            let (Some(s), Some(o)) = (entities.get(subject), entities.get(object)) else { continue };
            if subject == object || !predicate.allows(s.kind, o.kind) || !plausible(predicate, s, o) {
                continue;
            }
            out.push(Relation { subject, predicate, object, start, end });
        }
    }
}

/// Whether what the gazetteer knows of two places allows `s` to be in (or the capital of) `o`:
/// a country is not in a city, two countries are not in each other, and a capital's country
/// is not a city.
fn plausible(predicate: Predicate, s: &Entity, o: &Entity) -> bool {
    if !matches!(predicate, Predicate::LocatedIn | Predicate::CapitalOf) {
        return true;
    }
    let g = gazetteers();
    let rank = |e: &Entity| {
        if e.kind != EntityType::Location {
            return None;
        }
        g.place(&e.normalized).map(|kind| match kind {
            PlaceKind::City => 0,
            PlaceKind::State => 1,
            PlaceKind::Country => 2,
            PlaceKind::Continent => 3,
        })
    };
    match (rank(s), rank(o)) {
        (Some(a), Some(b)) if a > b => false,
        (Some(a), Some(b)) if a == b && a >= 2 => false,
        (_, Some(0)) if predicate == Predicate::CapitalOf => false,
        _ => true,
    }
}

/// Removes repeats, adds the WORKS_FOR every CEO_OF implies, drops a LOCATED_IN that a
/// CAPITAL_OF already states, and writes MARRIED_TO once with the first-named person first.
fn tidy(entities: &[Entity], out: &mut Vec<Relation>) {
    let _ = entities;
    let ceos: Vec<Relation> = out.iter().filter(|r| r.predicate == Predicate::CeoOf).copied().collect();
    out.extend(ceos.into_iter().map(|r| Relation { predicate: Predicate::WorksFor, ..r }));
    for r in out.iter_mut() {
        if r.predicate == Predicate::MarriedTo && r.object < r.subject {
            std::mem::swap(&mut r.subject, &mut r.object);
        }
    }
    let capitals: Vec<(usize, usize)> =
        out.iter().filter(|r| r.predicate == Predicate::CapitalOf).map(|r| (r.subject, r.object)).collect();
    out.retain(|r| !(r.predicate == Predicate::LocatedIn && capitals.contains(&(r.subject, r.object))));
    // One relation per (subject, predicate, object): the one with the shortest evidence.
    out.sort_by_key(|r| (r.subject, r.predicate, r.object, r.end - r.start));
    out.dedup_by_key(|r| (r.subject, r.predicate, r.object));
    out.sort_by_key(|r| (r.start, r.subject, r.object, r.predicate));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_compiles() {
        for (_, _, _, pattern) in RULES {
            let expanded = format!("(?-u){}", expand(pattern));
            let syntax = regex_automata::util::syntax::Config::new().utf8(false);
            assert!(Regex::builder().syntax(syntax).build(&expanded).is_ok(), "{pattern}\n{expanded}");
        }
        assert!(rules().is_some());
    }

    #[test]
    fn skeletons_mark_entities_and_map_back() {
        let text = "Dr. Ada  Lovelace, who   met <Babbage>, was born in London.";
        let entities = [
            Entity { start: 4, end: 17, kind: EntityType::Person, normalized: "Ada Lovelace".into() },
            Entity { start: 52, end: 58, kind: EntityType::Location, normalized: "London".into() },
        ];
        let skeleton = Skeleton::build(text, 0..text.len(), &entities);
        assert_eq!(skeleton.text, "dr. <P0>, who met babbage , was born in <L1>.");
        assert_eq!(skeleton.sources.len(), skeleton.text.len());
        assert_eq!(skeleton.entities_in(0..skeleton.text.len()), [0, 1]);
        assert_eq!(skeleton.entities_in(6..7), [0]);
        assert_eq!(skeleton.sources.last(), Some(&(58, 59)));
    }
}
