//! Sentences and words: Unicode segmentation (Unicode Standard Annex 29, the `unicode-segmentation` crate), with
//! the sentence breaks it makes after abbreviations and initials (`Dr. Smith`, `J. R. R.
//! Tolkien`, `the U.S. Senate`) taken back.

use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

/// Abbreviations that come before what they abbreviate: a full stop after one never ends a
/// sentence (`Dr. Smith`, `St. Louis`, `No. 5`).
const ABBREVIATIONS: &[&str] = &[
    "Dr", "Mr", "Mrs", "Ms", "Mx", "Prof", "St", "Gen", "Gov", "Sen", "Rep", "Lt", "Col", "Capt", "Sgt",
    "Mt", "Ft", "Rev", "Hon", "Pres", "Sec", "Dept", "Univ", "No", "Nos", "Vol", "Fig", "vs", "approx",
    "est", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "e.g", "i.e",
    "Messrs", "Mme", "Mlle",
];

/// Abbreviations that may end a sentence: the next piece continues it only if it starts in lower
/// case or with a digit (`Acme Inc. in 2019`, but `at 3 p.m. Then`).
const FINAL_ABBREVIATIONS: &[&str] = &[
    "Inc", "Corp", "Ltd", "Co", "Bros", "Jr", "Sr", "Ave", "Blvd", "etc", "a.m", "p.m", "U.S", "U.K", "U.N",
    "E.U", "D.C", "U.S.A", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun",
];

/// Words that start sentences: after one, an abbreviation that may end a sentence did.
const STARTERS: &[&str] = &[
    "The",
    "A",
    "An",
    "He",
    "She",
    "It",
    "They",
    "We",
    "I",
    "You",
    "This",
    "That",
    "These",
    "Those",
    "There",
    "But",
    "And",
    "In",
    "On",
    "At",
    "By",
    "For",
    "After",
    "Before",
    "When",
    "While",
    "Its",
    "His",
    "Her",
    "Their",
    "Our",
    "Some",
    "Many",
    "Most",
    "Officials",
    "Meanwhile",
    "However",
];

/// The longest sentence, in bytes: a longer stretch without a sentence end (not prose, or not
/// punctuated) is cut at white space into pieces of at most this length, so the work each
/// sentence costs stays bounded on text of any shape.
pub(crate) const MAX_SENTENCE: usize = 2_000;

/// The sentences of `text`, as byte ranges that cover it exactly, in order (each keeps the
/// spaces after it; none is longer than [`MAX_SENTENCE`]).
pub(crate) fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    for (start, piece) in text.split_sentence_bound_indices() {
        let range = start..start + piece.len();
        match out.last_mut() {
            Some(previous) if continues(text.get(previous.clone()).unwrap_or_default(), piece) => {
                previous.end = range.end
            }
            _ => out.push(range),
        }
    }
    if out.iter().any(|r| r.len() > MAX_SENTENCE) {
        out = out.into_iter().flat_map(|r| cut(text, r)).collect();
    }
    out
}

/// `range` in pieces of at most [`MAX_SENTENCE`] bytes, each ending after white space where the
/// stretch has any, else at a character boundary.
fn cut(text: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let mut pieces = Vec::new();
    let mut start = range.start;
    while range.end - start > MAX_SENTENCE {
        let window = text.get(start..text.floor_char_boundary(start + MAX_SENTENCE)).unwrap_or_default();
        let after_space = window.rfind(char::is_whitespace).map(|at| {
            let width = window.get(at..).and_then(|s| s.chars().next()).map_or(1, char::len_utf8);
            at + width
        });
        let length = match after_space {
            Some(length) => length,
            None => window.len(),
        };
        debug_assert!(length > 0, "a window of MAX_SENTENCE bytes holds at least one character");
        pieces.push(start..start + length);
        start += length;
    }
    pieces.push(start..range.end);
    pieces
}

/// Whether a sentence piece ends in an abbreviation or an initial, so that the `next` piece is
/// the same sentence.
fn continues(piece: &str, next: &str) -> bool {
    let trimmed = piece.trim_end();
    let Some(before) = trimmed.strip_suffix('.') else { return false };
    let word = before.rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"').next().unwrap_or(before);
    if ABBREVIATIONS.contains(&word) {
        return true;
    }
    if FINAL_ABBREVIATIONS.contains(&word) {
        let first_word = next.split(|c: char| !c.is_alphanumeric()).next().unwrap_or_default();
        // A place's abbreviation inside a name (`the U.S. Senate`) is followed by a capital too.
        let in_name = matches!(word, "U.S" | "U.K" | "U.N" | "E.U" | "D.C" | "U.S.A")
            && first_word.chars().next().is_some_and(char::is_uppercase)
            && !STARTERS.contains(&first_word);
        return in_name
            || next.chars().next().is_some_and(|c| c.is_lowercase() || c.is_ascii_digit() || c == ',');
    }
    // A lone capital: an initial (`J.`), or one of several (`J.R.R.`).
    let mut chars = word.chars();
    let initial = matches!((chars.next(), chars.next()), (Some(c), None) if c.is_uppercase());
    initial || (word.len() >= 3 && word.split('.').all(|part| part.chars().count() == 1))
}

/// Whether a sentence asks: its last character other than spaces, closing quotes and brackets
/// is a question mark.
pub(crate) fn is_question(sentence: &str) -> bool {
    sentence.trim_end().trim_end_matches(['"', '\'', '”', '’', ')', '»']).ends_with(['?', '？'])
}

/// What a word-level piece of text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// Letters (and the apostrophes and marks inside a word).
    Word,
    /// Digits, with the separators inside a number.
    Number,
    /// White space.
    Space,
    /// Anything else: punctuation, symbols.
    Punct,
}

/// A word-level piece of a sentence, by byte range in the whole text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) kind: TokenKind,
}

impl Token {
    pub(crate) fn text<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.start..self.end).unwrap_or_default()
    }
}

/// The word-level pieces of `text[range]`, covering it exactly.
pub(crate) fn tokens(text: &str, range: Range<usize>) -> Vec<Token> {
    let sentence = text.get(range.clone()).unwrap_or_default();
    sentence
        .split_word_bound_indices()
        .map(|(at, piece)| {
            let kind = match piece.chars().next() {
                Some(c) if c.is_whitespace() => TokenKind::Space,
                Some(c) if c.is_numeric() => TokenKind::Number,
                Some(c) if c.is_alphabetic() => TokenKind::Word,
                _ => TokenKind::Punct,
            };
            Token { start: range.start + at, end: range.start + at + piece.len(), kind }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<&str> {
        sentences(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn sentences_cover_the_text_and_survive_abbreviations() {
        let text = "Dr. Jane Smith joined Acme Inc. in 2019. She met J. R. R. Tolkien fans in the U.S. Senate! Why?  ";
        let parts = split(text);
        assert_eq!(parts.concat(), text);
        assert_eq!(
            parts,
            [
                "Dr. Jane Smith joined Acme Inc. in 2019. ",
                "She met J. R. R. Tolkien fans in the U.S. Senate! ",
                "Why?  "
            ]
        );
        assert!(split("").is_empty());
        assert_eq!(split("no stop at the end"), ["no stop at the end"]);
    }

    #[test]
    fn long_stretches_are_cut_at_white_space_or_characters() {
        let words = "the ".repeat(1_500);
        let parts = split(&words);
        assert_eq!(parts.concat(), words);
        assert!(parts.iter().all(|p| p.len() <= MAX_SENTENCE && p.ends_with(' ')));
        assert_eq!(parts.len(), 3);
        let letters = "é".repeat(1_500);
        let parts = split(&letters);
        assert_eq!(parts.concat(), letters);
        assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), [2_000, 1_000]);
        let mixed = format!("{} {}", "x".repeat(1_998), "y".repeat(10));
        assert_eq!(split(&mixed).iter().map(|p| p.len()).collect::<Vec<_>>(), [1_999, 10]);
    }

    #[test]
    fn tokens_cover_a_sentence() {
        let text = "O'Brien paid $13.7 billion.";
        let toks = tokens(text, 0..text.len());
        let pieces: Vec<(&str, TokenKind)> = toks.iter().map(|t| (t.text(text), t.kind)).collect();
        assert_eq!(pieces[0], ("O'Brien", TokenKind::Word));
        assert!(pieces.contains(&("13.7", TokenKind::Number)));
        assert_eq!(toks.iter().map(|t| t.text(text)).collect::<String>(), text);
    }
}
