//! Entities that follow a grammar rather than a list: e-mail addresses, URLs, money, percentages,
//! quantities, times and dates, found by regular expressions (the `regex` crate, linear time on
//! any input) and normalised.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use regex::Regex;

use crate::types::EntityType;

/// A pattern entity: its byte range in the searched text, its type and normal form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) kind: EntityType,
    pub(crate) normalized: String,
}

const MONTHS: &str = "January|February|March|April|May|June|July|August|September|October|November|December|Jan\\.|Feb\\.|Mar\\.|Apr\\.|Jun\\.|Jul\\.|Aug\\.|Sept?\\.|Oct\\.|Nov\\.|Dec\\.";
const WEEKDAYS: &str = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday";
const SCALE: &str = "thousand|million|billion|trillion|crore|lakh|bn|mn|m|k";
const CURRENCY_WORDS: &str = "dollars?|euros?|pounds sterling|yen|yuan|renminbi|rupees?|rupiah|francs?|pesos?|reais|real|rubles?|roubles?|won|lira|liras|kronor|kroner|krona|krone|zlotys?|forints?|dinars?|dirhams?|riyals?|shekels?|rand|naira|baht|ringgit";
const UNITS: &str = "km|kilomet(?:er|re)s?|met(?:er|re)s?|cm|mm|centimet(?:er|re)s?|millimet(?:er|re)s?|miles?|feet|foot|ft|inch(?:es)?|yards?|kg|kilograms?|kilos|grams?|g|mg|milligrams?|tons?|tonnes?|lbs?|ounces?|oz|lit(?:er|re)s?|l|ml|millilit(?:er|re)s?|gallons?|barrels?|acres?|hectares?|ha|square (?:kilomet(?:er|re)s|met(?:er|re)s|centimet(?:er|re)s|millimet(?:er|re)s|miles|feet|inches)|sq km|km2|cubic (?:met(?:er|re)s|feet|kilomet(?:er|re)s)|degrees(?: Celsius| Fahrenheit| C| F)?|°C|°F|mph|km/h|knots|MW|GW|kW|kWh|MWh|GWh|megawatts?|gigawatts?|kilowatts?|(?:kilo|mega|giga)?watt[- ]hours|volts?|watts?|calories|light[- ]years|nautical miles|decibels|hertz|Hz|GHz|MHz|terabytes?|gigabytes?|megabytes?|bytes|TB|GB|MB";
const NUMBER: &str = "\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?|\\d+(?:\\.\\d+)?";
const NUMBER_WORDS: &str = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred|a hundred|a thousand";

/// The expressions, compiled once. Each is a constant that compiles (the tests use them all); if
/// one ever did not, it would find nothing rather than fail at run time.
struct Patterns {
    email: Option<Regex>,
    url: Option<Regex>,
    money: Option<Regex>,
    percent: Option<Regex>,
    quantity: Option<Regex>,
    time: Option<Regex>,
    date: Option<Regex>,
}

fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let re = |source: String| {
            let regex = Regex::new(&source);
            debug_assert!(regex.is_ok(), "{regex:?}");
            regex.ok()
        };
        Patterns {
            email: re(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}".to_owned()),
            url: re(r"(?:https?://|www\.)[^\s<>()\[\]]+".to_owned()),
            money: re(format!(
                r"(?:(?:US|A|C|NZ|HK|S)?[$€£¥₹₩]|(?:USD|EUR|GBP|JPY|CNY|CHF|INR) ?)(?:{NUMBER})(?:\s?(?:{SCALE})(?-u:\b))?|(?-u:\b)(?:{NUMBER})(?:\s(?:{SCALE}))?\s(?:US |U\.S\. |Canadian |Australian |Hong Kong |Singapore )?(?:{CURRENCY_WORDS})(?-u:\b)"
            )),
            percent: re(format!(r"(?-u:\b)(?:{NUMBER})\s?(?:%|percent(?-u:\b)|per cent(?-u:\b))")),
            quantity: re(format!(
                r"(?-u:\b)(?:(?:minus|plus) )?(?:(?:{NUMBER})(?:\s(?:thousand|million|billion))?|(?:{NUMBER_WORDS}))[\s\-]?(?:{UNITS})(?-u:\b)(?: per (?:{UNITS}|second|hour|day|year|kilogram|person)(?-u:\b))?"
            )),
            time: re(r"(?-u:\b)\d{1,2}:\d{2}(?::\d{2})?(?:\s?(?:a\.m\.|p\.m\.|[AaPp]\.?[Mm](?-u:\b)\.?))?(?:\s(?:UTC|GMT|CET|CEST|EST|EDT|CST|CDT|PST|PDT|JST|IST|BST)(?-u:\b))?|(?-u:\b)half past (?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)(?-u:\b)|(?-u:\b)\d{1,2}\s?(?:a\.m\.|p\.m\.|[AaPp][Mm](?-u:\b))|(?-u:\b)(?:noon|midnight|midday)(?-u:\b)|(?-u:\b)(?:this|that|tomorrow|yesterday|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) (?:morning|afternoon|evening|night)(?-u:\b)|(?-u:\b)tonight(?-u:\b)".to_owned()),
            date: re(format!(
                r"(?x)
                (?-u:\b)\d{{4}}-\d{{2}}-\d{{2}}(?-u:\b)
              | (?-u:\b)\d{{1,2}}/\d{{1,2}}/\d{{2,4}}(?-u:\b)
              | (?-u:\b)(?:{MONTHS})\s\d{{1,2}}(?:st|nd|rd|th)?,?\s\d{{4}}(?-u:\b)
              | (?-u:\b)\d{{1,2}}(?:st|nd|rd|th)?\s(?:of\s)?(?:{MONTHS})(?:,?\s\d{{4}})?(?-u:\b)
              | (?-u:\b)(?:early|mid|late)[\s\-](?:{MONTHS})(?:\s\d{{4}})?(?-u:\b)
              | (?-u:\b)(?:{MONTHS})\s(?:of\s)?\d{{4}}(?-u:\b)
              | (?-u:\b)(?:{MONTHS})\s\d{{1,2}}(?:st|nd|rd|th)?(?-u:\b)
              | (?-u:\b)(?:spring|summer|autumn|fall|winter)\s(?:of\s)?\d{{4}}(?-u:\b)
              | (?-u:\b)(?:fiscal|financial\syear|FY)\s?\d{{4}}(?-u:\b)
              | (?-u:\b)\d{{1,4}}\s(?:BC|BCE|AD|CE)(?-u:\b)
              | (?-u:\b)\d{{1,4}}\s(?:B\.C\.(?:E\.)?|A\.D\.|C\.E\.)
              | (?-u:\b)A\.D\.\s\d{{1,4}}(?-u:\b)
              | (?-u:\b)(?:early|mid|late)[\s\-]\d{{4}}s?(?-u:\b)
              | (?-u:\b)(?:1\d|20)\d0s(?-u:\b) | '\d0s(?-u:\b)
              | (?-u:\b)(?:\d{{1,2}}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|twenty-first)[\s\-]century(?-u:\b)
              | (?-u:\b)(?:first|second|third|fourth)\squarter(?:\sof\s\d{{4}})?(?-u:\b)
              | (?-u:\b)(?:last|next|this|past|coming)\s(?:week|month|year|decade|century|weekend|spring|summer|autumn|fall|winter|{WEEKDAYS})(?-u:\b)
              | (?-u:\b)(?:yesterday|today|tomorrow)(?-u:\b)
              | (?-u:\b)(?:{WEEKDAYS})(?-u:\b)
              | (?-u:\b)(?:{MONTHS})(?-u:\b)
              | (?-u:\b)(?:1[0-9]\d{{2}}|20\d{{2}})(?-u:\b)
                "
            )),
        }
    })
}

/// Every pattern entity in `text` (a sentence), at offsets relative to it, none overlapping:
/// e-mail and URLs first, then money, percentages, quantities, times, dates; among overlapping
/// candidates the earlier kind wins, then the longer match.
pub(crate) fn find(text: &str) -> Vec<Found> {
    let p = patterns();
    let mut found: Vec<Found> = Vec::new();
    // The spans taken so far, by start (they never overlap, so the one starting last before
    // `end` is the only one that can overlap `start..end`).
    let mut taken: BTreeMap<usize, usize> = BTreeMap::new();
    let mut add = |start: usize, end: usize, kind: EntityType| {
        if taken.range(..end).next_back().is_some_and(|(_, &taken_end)| start < taken_end) {
            return;
        }
        let Some(surface) = text.get(start..end) else { return };
        if let Some((start, end, normalized)) = accept(text, start, end, surface, kind) {
            debug_assert!(
                taken.range(..end).next_back().is_none_or(|(_, &e)| start >= e),
                "accept only narrows"
            );
            taken.insert(start, end);
            found.push(Found { start, end, kind, normalized });
        }
    };
    for m in p.email.iter().flat_map(|r| r.find_iter(text)) {
        add(m.start(), m.end(), EntityType::Email);
    }
    for m in p.url.iter().flat_map(|r| r.find_iter(text)) {
        // A sentence's full stop or closing punctuation is not part of the address.
        let trimmed = m.as_str().trim_end_matches(['.', ',', ';', ':', '!', '?', '\'', '"']);
        add(m.start(), m.start() + trimmed.len(), EntityType::Url);
    }
    for (regex, kind) in [
        (&p.money, EntityType::Money),
        (&p.percent, EntityType::Percent),
        (&p.quantity, EntityType::Quantity),
        (&p.time, EntityType::Time),
        (&p.date, EntityType::Date),
    ] {
        for m in regex.iter().flat_map(|r| r.find_iter(text)) {
            add(m.start(), m.end(), kind);
        }
    }
    found.sort_by_key(|f| f.start);
    found
}

/// Whether a match is an entity (some words are one only in some places), with its final range
/// and normal form.
fn accept(
    text: &str,
    start: usize,
    end: usize,
    surface: &str,
    kind: EntityType,
) -> Option<(usize, usize, String)> {
    let before = text.get(..start).unwrap_or_default().trim_end();
    let after = text.get(end..).unwrap_or_default();
    let previous_word = before.rsplit(|c: char| !c.is_alphanumeric()).next().unwrap_or_default();
    match kind {
        EntityType::Date => {
            // A bare year: not a part of a longer number, a code or a quantity.
            if surface.len() == 4 && surface.bytes().all(|b| b.is_ascii_digit()) {
                let previous = text.get(..start).unwrap_or_default().chars().last();
                let mut next = after.chars();
                let (next, then) = (next.next(), next.next());
                let glued_before = previous.is_some_and(|c| {
                    c.is_alphanumeric() || matches!(c, '-' | '/' | '.' | ',' | '$' | '€' | '£' | '#')
                });
                let glued_after = next.is_some_and(|c| c.is_alphanumeric() || matches!(c, '-' | '/' | '%'))
                    || (matches!(next, Some('.' | ',')) && then.is_some_and(|c| c.is_ascii_digit()));
                if glued_before || glued_after {
                    return None;
                }
                let next_word =
                    after.trim_start().split(|c: char| !c.is_alphabetic()).next().unwrap_or_default();
                if is_count_noun(next_word) {
                    return None;
                }
            }
            // May, March and the like are months only next to a date word or after in/of/by.
            if matches!(surface, "May" | "March" | "August" | "June" | "April") {
                let month_context = matches!(
                    previous_word,
                    "in" | "In"
                        | "of"
                        | "by"
                        | "until"
                        | "since"
                        | "from"
                        | "to"
                        | "early"
                        | "late"
                        | "mid"
                        | "last"
                        | "next"
                        | "this"
                        | "during"
                        | "before"
                        | "after"
                        | "through"
                        | "till"
                );
                if !month_context {
                    return None;
                }
            }
            Some((start, end, normal_form(kind, surface)))
        }
        // `1:59:40` with nothing after it is a race time or a duration.
        EntityType::Time
            if surface.matches(':').count() == 2 && !surface.contains(|c: char| c.is_alphabetic()) =>
        {
            None
        }
        _ => Some((start, end, normal_form(kind, surface))),
    }
}

/// The normal form an entity's text gives by rule: a date as `YYYY-MM-DD` (or as much as it
/// says), a time as `HH:MM`, money as `CUR amount`, a percentage as `3.5%`, an e-mail address in
/// lower case, a place's short form as the gazetteer's name (`US` → `United States`), any other
/// name with its white space collapsed. A text tree records a normal form only where it differs
/// from this one.
pub(crate) fn normal_form(kind: EntityType, surface: &str) -> String {
    match kind {
        EntityType::Date => normalize_date(surface),
        EntityType::Time => normalize_time(surface),
        EntityType::Money => normalize_money(surface),
        EntityType::Percent => {
            let number: String =
                surface.chars().take_while(|c| c.is_ascii_digit() || matches!(c, '.' | ',')).collect();
            format!("{}%", number.replace(',', ""))
        }
        EntityType::Email => surface.to_lowercase(),
        EntityType::Url | EntityType::Quantity => surface.to_owned(),
        EntityType::Location => match crate::gazetteer::gazetteers().canonical_place(surface) {
            Some(canonical) => canonical.to_owned(),
            None => surface.split_whitespace().collect::<Vec<_>>().join(" "),
        },
        EntityType::Person | EntityType::Organization => {
            surface.split_whitespace().collect::<Vec<_>>().join(" ")
        }
    }
}

/// Words after which a four-digit number is a count, not a year.
fn is_count_noun(word: &str) -> bool {
    matches!(
        word,
        "people"
            | "employees"
            | "workers"
            | "students"
            | "members"
            | "soldiers"
            | "troops"
            | "units"
            | "cars"
            | "vehicles"
            | "homes"
            | "houses"
            | "jobs"
            | "times"
            | "copies"
            | "pages"
            | "points"
            | "votes"
            | "residents"
            | "passengers"
            | "cases"
            | "deaths"
            | "patients"
            | "species"
            | "items"
            | "games"
            | "runs"
            | "words"
            | "tons"
            | "kilometres"
            | "kilometers"
            | "miles"
            | "metres"
            | "meters"
            | "feet"
    )
}

fn month_number(word: &str) -> Option<u32> {
    let key: String = word.trim_end_matches('.').chars().take(3).collect::<String>().to_lowercase();
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        .iter()
        .position(|m| *m == key)
        .map(|i| i as u32 + 1)
}

/// `YYYY-MM-DD`, `YYYY-MM` or `YYYY` where the date says as much; otherwise the text itself.
fn normalize_date(surface: &str) -> String {
    let words: Vec<&str> =
        surface.split(|c: char| c.is_whitespace() || c == ',').filter(|w| !w.is_empty()).collect();
    let year = words.iter().find(|w| w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()));
    let month = words
        .iter()
        .find_map(|w| month_number(w).filter(|_| w.chars().next().is_some_and(char::is_uppercase)));
    let day = words.iter().find_map(|w| {
        let digits: String = w.chars().take_while(char::is_ascii_digit).collect();
        let rest = &w[digits.len()..];
        (!digits.is_empty() && digits.len() <= 2 && matches!(rest, "" | "st" | "nd" | "rd" | "th"))
            .then(|| digits.parse::<u32>().ok())
            .flatten()
            .filter(|d| (1..=31).contains(d))
    });
    if surface.len() == 10 && surface.as_bytes().get(4) == Some(&b'-') {
        return surface.to_owned();
    }
    match (year, month, day) {
        (Some(y), Some(m), Some(d)) => format!("{y}-{m:02}-{d:02}"),
        (Some(y), Some(m), None) => format!("{y}-{m:02}"),
        (Some(y), None, None) if words.len() == 1 => (*y).to_owned(),
        _ => surface.to_owned(),
    }
}

/// `HH:MM` on a 24-hour clock where the time says one; otherwise the text itself.
fn normalize_time(surface: &str) -> String {
    let lower = surface.to_lowercase();
    match lower.as_str() {
        "noon" | "midday" => return "12:00".to_owned(),
        "midnight" => return "00:00".to_owned(),
        _ => {}
    }
    let digits: String = lower.chars().take_while(|c| c.is_ascii_digit() || *c == ':').collect();
    let mut parts = digits.split(':');
    let (Some(Ok(hour)), minute) =
        (parts.next().map(str::parse::<u32>), parts.next().and_then(|m| m.parse::<u32>().ok()))
    else {
        return surface.to_owned();
    };
    let pm = lower.contains('p');
    let am = lower.contains('a') && !pm;
    let hour = match (hour, am, pm) {
        (12, true, _) => 0,
        (h, _, true) if h < 12 => h + 12,
        (h, _, _) => h,
    };
    if hour > 23 || minute.is_some_and(|m| m > 59) {
        return surface.to_owned();
    }
    format!("{hour:02}:{:02}", minute.unwrap_or(0))
}

/// `CUR amount` with the scale multiplied out (`USD 13700000000`), where the currency is known.
fn normalize_money(surface: &str) -> String {
    let currency = if surface.contains('€') || surface.contains("euro") || surface.starts_with("EUR") {
        "EUR"
    } else if surface.contains('£') || surface.contains("pound") || surface.starts_with("GBP") {
        "GBP"
    } else if surface.contains('¥') && surface.contains("yuan")
        || surface.contains("yuan")
        || surface.contains("renminbi")
    {
        "CNY"
    } else if surface.contains('¥') || surface.contains("yen") {
        "JPY"
    } else if surface.contains('₹') || surface.contains("rupee") {
        "INR"
    } else if surface.contains('₩') || surface.ends_with(" won") {
        "KRW"
    } else if surface.starts_with("A$") || surface.contains("Australian") {
        "AUD"
    } else if surface.starts_with("C$") || surface.contains("Canadian") {
        "CAD"
    } else if surface.contains('$') || surface.contains("dollar") || surface.starts_with("USD") {
        "USD"
    } else {
        return surface.to_owned();
    };
    let number: String = surface
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | ','))
        .filter(|c| *c != ',')
        .collect();
    let scale = [("trillion", 12), ("billion", 9), ("bn", 9), ("million", 6), ("mn", 6), ("thousand", 3)]
        .iter()
        .find(|(word, _)| surface.contains(word))
        .map(|&(_, zeros)| zeros)
        .or_else(|| surface.trim_end().ends_with('m').then_some(6))
        .or_else(|| surface.trim_end().ends_with('k').then_some(3))
        .unwrap_or(0);
    format!("{currency} {}", scaled(&number, scale))
}

/// `number` (digits with at most one point) times 10^`zeros`, as a decimal without exponent.
fn scaled(number: &str, zeros: usize) -> String {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let mut digits = format!("{whole}{fraction}");
    let mut shift = zeros as isize - fraction.len() as isize;
    while shift < 0 && digits.ends_with('0') {
        digits.pop();
        shift += 1;
    }
    if shift >= 0 {
        digits.push_str(&"0".repeat(shift as usize));
        let trimmed = digits.trim_start_matches('0');
        if trimmed.is_empty() { "0".to_owned() } else { trimmed.to_owned() }
    } else {
        let point = digits.len() as isize + shift;
        if point <= 0 {
            format!("0.{}{digits}", "0".repeat((-point) as usize))
        } else {
            let (a, b) = digits.split_at(point as usize);
            format!(
                "{}.{b}",
                if a.trim_start_matches('0').is_empty() { "0" } else { a.trim_start_matches('0') }
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(&str, EntityType, String)> {
        find(text).into_iter().map(|f| (&text[f.start..f.end], f.kind, f.normalized)).collect()
    }

    #[test]
    fn money_keeps_its_decimals_and_scale() {
        assert_eq!(
            kinds("Amazon paid $13.7 billion."),
            [("$13.7 billion", EntityType::Money, "USD 13700000000".into())]
        );
        assert_eq!(kinds("a profit of €2.5 billion")[0].2, "EUR 2500000000");
        assert_eq!(kinds("about 100 dollars")[0], ("100 dollars", EntityType::Money, "USD 100".into()));
        assert_eq!(kinds("2.5 million euros")[0].2, "EUR 2500000");
    }

    #[test]
    fn dates_times_percentages_quantities_addresses() {
        let found = kinds(
            "On March 5, 2024 at 3:30 p.m. shares rose 3.2% after a 5 km run; mail info@example.org or see https://example.com/a.",
        );
        let names: Vec<(&str, EntityType)> = found.iter().map(|f| (f.0, f.1)).collect();
        assert_eq!(
            names,
            [
                ("March 5, 2024", EntityType::Date),
                ("3:30 p.m.", EntityType::Time),
                ("3.2%", EntityType::Percent),
                ("5 km", EntityType::Quantity),
                ("info@example.org", EntityType::Email),
                ("https://example.com/a", EntityType::Url),
            ]
        );
        assert_eq!(found[0].2, "2024-03-05");
        assert_eq!(found[1].2, "15:30");
        assert_eq!(kinds("in 1998 it had 1200 employees")[0].0, "1998");
        assert_eq!(kinds("in 1998 it had 1200 employees").len(), 1);
        assert_eq!(kinds("She may go")[..], []);
        assert_eq!(kinds("in May 2010")[0], ("May 2010", EntityType::Date, "2010-05".into()));
    }

    #[test]
    fn scaling_is_exact() {
        assert_eq!(scaled("13.7", 9), "13700000000");
        assert_eq!(scaled("2.5", 0), "2.5");
        assert_eq!(scaled("0.05", 3), "50");
        assert_eq!(scaled("100", 0), "100");
    }
}
