//! Extraction quality on the gold set (`fixtures/text/gold/`: sentences written for this project,
//! labelled by hand; `GUIDE.md` says how). Prints precision, recall and F1 per entity type
//! (strict: the same span; overlap: byte ranges with a Jaccard index of at least 0.5) and per
//! relation, for the development part, the held-out part and both; fails below the floors.
//!
//! `cargo test -p sigma-text --test gold -- --nocapture`

use std::collections::BTreeMap;

use sigma_text::{EntityType, Predicate, extract};

/// Entity F1 (overlap) and relation F1 that the whole set must reach.
const ENTITY_F1_FLOOR: f64 = 0.85;
const RELATION_F1_FLOOR: f64 = 0.70;

#[derive(Clone, Debug)]
struct GoldEntity {
    start: usize,
    end: usize,
    kind: EntityType,
}

#[derive(Clone, Debug)]
struct Sentence {
    text: String,
    entities: Vec<GoldEntity>,
    relations: Vec<(usize, Predicate, usize)>,
}

/// Parses a gold file: records of a marked-up sentence and `REL:` lines.
fn load(file: &str) -> Vec<Sentence> {
    let source = sigma_testkit::fixture_text(&format!("text/gold/{file}"));
    let mut out = Vec::new();
    for record in source.split("\n\n") {
        let mut lines = record.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty());
        let Some(marked) = lines.next() else { continue };
        let mut text = String::new();
        let mut entities = Vec::new();
        let mut rest = marked;
        while let Some(open) = rest.find('[') {
            text.push_str(&rest[..open]);
            let close = rest[open..].find("](").map(|i| open + i).unwrap_or_else(|| panic!("{marked}"));
            let kind_end = rest[close..].find(')').map(|i| close + i).unwrap_or_else(|| panic!("{marked}"));
            let surface = &rest[open + 1..close];
            let kind =
                EntityType::from_name(&rest[close + 2..kind_end]).unwrap_or_else(|| panic!("{marked}"));
            entities.push(GoldEntity { start: text.len(), end: text.len() + surface.len(), kind });
            text.push_str(surface);
            rest = &rest[kind_end + 1..];
        }
        text.push_str(rest);
        let find = |name: &str| {
            entities
                .iter()
                .position(|e| &text[e.start..e.end] == name)
                .unwrap_or_else(|| panic!("{name}: {marked}"))
        };
        let relations = lines
            .filter_map(|l| l.strip_prefix("REL:"))
            .map(|l| {
                let parts: Vec<&str> = l.split('|').map(str::trim).collect();
                let predicate = Predicate::from_name(parts[1]).unwrap_or_else(|| panic!("{l}"));
                (find(parts[0]), predicate, find(parts[2]))
            })
            .collect();
        out.push(Sentence { text, entities, relations });
    }
    out
}

fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    let inter = a.1.min(b.1).saturating_sub(a.0.max(b.0));
    let union = a.1.max(b.1) - a.0.min(b.0);
    union > 0 && inter as f64 / union as f64 >= 0.5
}

/// True positives, predictions and gold items, per label.
#[derive(Default)]
struct Counts(BTreeMap<String, [usize; 3]>);

impl Counts {
    fn add(&mut self, label: &str, slot: usize) {
        self.0.entry(label.to_owned()).or_default()[slot] += 1;
        self.0.entry("all".to_owned()).or_default()[slot] += 1;
    }

    fn f1(&self, label: &str) -> f64 {
        let [tp, predicted, gold] = self.0.get(label).copied().unwrap_or_default();
        let p = if predicted == 0 { 0.0 } else { tp as f64 / predicted as f64 };
        let r = if gold == 0 { 0.0 } else { tp as f64 / gold as f64 };
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }

    fn print(&self, title: &str) {
        println!("{title}");
        println!("| label | gold | predicted | correct | precision | recall | F1 |");
        println!("|---|---:|---:|---:|---:|---:|---:|");
        for (label, &[tp, predicted, gold]) in &self.0 {
            let p = if predicted == 0 { 0.0 } else { tp as f64 / predicted as f64 };
            let r = if gold == 0 { 0.0 } else { tp as f64 / gold as f64 };
            println!("| {label} | {gold} | {predicted} | {tp} | {p:.3} | {r:.3} | {:.3} |", self.f1(label));
        }
        println!();
    }
}

struct Scores {
    strict: Counts,
    overlap: Counts,
    relations: Counts,
}

fn score(sentences: &[Sentence], show_errors: bool) -> Scores {
    let mut scores =
        Scores { strict: Counts::default(), overlap: Counts::default(), relations: Counts::default() };
    for s in sentences {
        let found = extract(&s.text);
        for e in &s.entities {
            scores.strict.add(e.kind.name(), 2);
            scores.overlap.add(e.kind.name(), 2);
        }
        // Which gold entity each found one stands for (overlap and same type), if any.
        let mut matched: Vec<Option<usize>> = Vec::new();
        for e in &found.entities {
            scores.strict.add(e.kind.name(), 1);
            scores.overlap.add(e.kind.name(), 1);
            if s.entities.iter().any(|g| g.kind == e.kind && g.start == e.start && g.end == e.end) {
                scores.strict.add(e.kind.name(), 0);
            }
            let gold = s
                .entities
                .iter()
                .position(|g| g.kind == e.kind && overlaps((g.start, g.end), (e.start, e.end)));
            if gold.is_some() {
                scores.overlap.add(e.kind.name(), 0);
            }
            matched.push(gold);
        }
        for r in &s.relations {
            scores.relations.add(r.1.name(), 2);
        }
        let mut right = Vec::new();
        for r in &found.relations {
            scores.relations.add(r.predicate.name(), 1);
            let key = (
                matched.get(r.subject).copied().flatten(),
                r.predicate,
                matched.get(r.object).copied().flatten(),
            );
            if let (Some(subject), predicate, Some(object)) = key
                && s.relations.contains(&(subject, predicate, object))
                && !right.contains(&(subject, predicate, object))
            {
                right.push((subject, predicate, object));
                scores.relations.add(r.predicate.name(), 0);
            }
        }
        if show_errors {
            let got: Vec<String> = found
                .entities
                .iter()
                .map(|e| format!("{}={}", &s.text[e.start..e.end], e.kind.name()))
                .collect();
            let want: Vec<String> =
                s.entities.iter().map(|e| format!("{}={}", &s.text[e.start..e.end], e.kind.name())).collect();
            if got != want {
                println!("ENT  {}\n  want {want:?}\n  got  {got:?}", s.text);
            }
            let got: Vec<String> = found
                .relations
                .iter()
                .map(|r| {
                    let name = |i: usize| &s.text[found.entities[i].start..found.entities[i].end];
                    format!("{}-{}-{}", name(r.subject), r.predicate.name(), name(r.object))
                })
                .collect();
            let want: Vec<String> = s
                .relations
                .iter()
                .map(|&(a, p, b)| {
                    let name = |i: usize| &s.text[s.entities[i].start..s.entities[i].end];
                    format!("{}-{}-{}", name(a), p.name(), name(b))
                })
                .collect();
            if got.len() != right.len() || want.len() != right.len() {
                println!("REL  {}\n  want {want:?}\n  got  {got:?}", s.text);
            }
        }
    }
    scores
}

#[test]
fn extraction_quality_on_the_gold_set() {
    let show = std::env::var_os("SIGMA_GOLD_ERRORS").is_some();
    let only_dev = std::env::var_os("SIGMA_GOLD_DEV_ONLY").is_some();
    let dev = load("dev.txt");
    let test = if only_dev { Vec::new() } else { load("test.txt") };
    let mut all = dev.clone();
    all.extend(test.iter().cloned());
    for (name, set) in [("development", &dev), ("held out", &test), ("all", &all)] {
        if set.is_empty() {
            continue;
        }
        let scores = score(set, show && name == "development");
        println!("## {name}: {} sentences\n", set.len());
        scores.strict.print("entities, strict span");
        scores.overlap.print("entities, overlap (Jaccard >= 0.5)");
        scores.relations.print("relations");
        if name == "all" || only_dev {
            let (entity_f1, relation_f1) = (scores.overlap.f1("all"), scores.relations.f1("all"));
            assert!(entity_f1 >= ENTITY_F1_FLOOR, "entity F1 (overlap) {entity_f1:.3} < {ENTITY_F1_FLOOR}");
            assert!(relation_f1 >= RELATION_F1_FLOOR, "relation F1 {relation_f1:.3} < {RELATION_F1_FLOOR}");
        }
    }
}
