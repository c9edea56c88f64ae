//! Extraction on the sentences the Python reference gets wrong, whole: every entity with its span,
//! type and normal form, every relation with its evidence span.

use sigma_text::extract;

/// The extraction of `text` in one line per entity and relation:
/// `TYPE text [start,end) => normal form` and `subject PREDICATE object [start,end)`.
fn dump(text: &str) -> Vec<String> {
    let found = extract(text);
    let mut lines: Vec<String> = found
        .entities
        .iter()
        .map(|e| {
            let surface = e.text(text);
            let normal =
                if e.normalized == surface { String::new() } else { format!(" => {}", e.normalized) };
            format!("{} {surface} [{},{}){normal}", e.kind.name(), e.start, e.end)
        })
        .collect();
    for r in &found.relations {
        let name = |i: usize| found.entities.get(i).map_or("?", |e| e.text(text));
        lines.push(format!(
            "{} {} {} [{},{})",
            name(r.subject),
            r.predicate.name(),
            name(r.object),
            r.start,
            r.end
        ));
    }
    lines
}

#[test]
fn a_capitalised_word_before_a_name_is_not_part_of_it() {
    assert_eq!(
        dump("Yesterday John Mackey said Whole Foods would open a store in Austin."),
        ["PERSON John Mackey [10,21)", "ORGANIZATION Whole Foods [27,38)", "LOCATION Austin [61,67)"]
    );
}

#[test]
fn relations_stop_at_their_entities() {
    assert_eq!(
        dump("Marie Curie was born in Warsaw and worked at the University of Paris."),
        [
            "PERSON Marie Curie [0,11)",
            "LOCATION Warsaw [24,30)",
            "ORGANIZATION University of Paris [49,68)",
            "Marie Curie BORN_IN Warsaw [0,30)",
            "Marie Curie WORKS_FOR University of Paris [0,68)",
        ]
    );
}

#[test]
fn a_relation_is_found_between_names_no_list_holds() {
    assert_eq!(
        dump("Microsoft is headquartered in Redmond."),
        ["ORGANIZATION Microsoft [0,9)", "LOCATION Redmond [30,37)", "Microsoft LOCATED_IN Redmond [0,37)"]
    );
    // An ordinary word that starts a sentence is a company's name when a company's passive
    // follows it.
    assert_eq!(
        dump("Slack was acquired by Salesforce in 2021."),
        [
            "ORGANIZATION Slack [0,5)",
            "ORGANIZATION Salesforce [22,32)",
            "DATE 2021 [36,40)",
            "Salesforce ACQUIRED Slack [0,32)",
        ]
    );
}

#[test]
fn amounts_keep_their_scale() {
    assert_eq!(
        dump("Amazon bought Whole Foods for $13.7 billion in 2017."),
        [
            "ORGANIZATION Amazon [0,6)",
            "ORGANIZATION Whole Foods [14,25)",
            "MONEY $13.7 billion [30,43) => USD 13700000000",
            "DATE 2017 [47,51)",
            "Amazon ACQUIRED Whole Foods [0,25)",
        ]
    );
}

#[test]
fn coordination_gives_one_relation_per_name() {
    assert_eq!(
        dump("Google was founded by Larry Page and Sergey Brin."),
        [
            "ORGANIZATION Google [0,6)",
            "PERSON Larry Page [22,32)",
            "PERSON Sergey Brin [37,48)",
            "Google FOUNDED_BY Larry Page [0,48)",
            "Google FOUNDED_BY Sergey Brin [0,48)",
        ]
    );
}

#[test]
fn an_ordinary_word_or_a_known_place_is_not_made_a_company() {
    assert_eq!(dump("Yesterday the company was founded by two students."), Vec::<String>::new());
    let rome = dump("Rome was founded in 753 BC.");
    assert_eq!(rome.first().map(String::as_str), Some("LOCATION Rome [0,4)"));
}

/// Inputs of shapes that once made extraction quadratic (every look around a name read the
/// whole sentence, or every new pattern was checked against all before it). They must come out
/// well formed; were the work quadratic again, this test would take minutes instead of a second.
#[test]
fn repetitive_inputs_extract_in_linear_work() {
    for unit in ["the ", "$1 ", "Mr. ", "a@b.co ", "http://a.b/c ", "Paris, ", "was born in ", "Moscow's "] {
        let text = unit.repeat(100_000 / unit.len());
        let found = extract(&text);
        let mut previous_end = 0;
        for e in &found.entities {
            assert!(previous_end <= e.start && e.start < e.end && e.end <= text.len(), "{unit:?}");
            previous_end = e.end;
        }
        let tree = sigma_text::parse(&text).expect("100 kB is a tree");
        assert_eq!(sigma_text::to_text(&tree).expect("a text tree"), text);
    }
}

#[test]
fn phrasings_of_capitals_appositions_and_chief_executives() {
    let relations = |text: &str| -> Vec<String> {
        let found = extract(text);
        let name = |i: usize| found.entities.get(i).map_or("?", |e| e.text(text));
        found
            .relations
            .iter()
            .map(|r| format!("{} {} {}", name(r.subject), r.predicate, name(r.object)))
            .collect()
    };
    assert_eq!(relations("The capital of Japan is Tokyo."), ["Tokyo CAPITAL_OF Japan"]);
    assert_eq!(
        relations("Apple, headquartered in Cupertino, was co-founded by Steve Jobs."),
        ["Apple LOCATED_IN Cupertino", "Apple FOUNDED_BY Steve Jobs"]
    );
    // A name, a comma and a possessive: an apposition, so the person stays a person.
    assert_eq!(
        relations("Sundar Pichai, Google's chief executive, was born in Madurai."),
        ["Sundar Pichai WORKS_FOR Google", "Sundar Pichai CEO_OF Google", "Sundar Pichai BORN_IN Madurai"]
    );
    // A place and its region, joined by a comma, still agree in type.
    assert_eq!(
        relations(
            "Narendra Modi, who was born in Vadnagar, Gujarat, was sworn in for a third term in New Delhi."
        ),
        ["Narendra Modi BORN_IN Vadnagar", "Vadnagar LOCATED_IN Gujarat"]
    );
}
