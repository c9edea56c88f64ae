//! Words: how an item's values and a query's text become the terms BM25 counts.
//!
//! 1. Unicode word segmentation (UAX 29, the `unicode-segmentation` crate): a word is a segment
//!    holding a letter or a digit, so `3.14`, `1,000`, `can't`, `Zürich` and `ラブライブ` are
//!    one word each and punctuation is none.
//! 2. Each word folded: lower case (full Unicode case mapping) and full-width Latin letters and
//!    digits (`Ｔｗｉｔｔｅｒ`, `２０１３`) to their ASCII forms.
//! 3. Han and hiragana, which UAX 29 cuts one character per word since those scripts put no
//!    spaces between words, become overlapping pairs of characters (`東京都` → `東京`, `京都`),
//!    as Lucene's CJK bigram filter does; a character standing alone stays a word. A query
//!    for a word of two or more such characters then matches the items holding it, without a
//!    dictionary.
//!
//! The same function makes the terms of items and of queries, so a query finds exactly the
//! items holding its words. It keeps no state: the same text always gives the same terms.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use unicode_segmentation::UnicodeSegmentation;

/// The name the bank's tokenizer is registered under in the store. Items indexed with one
/// version of the rules above are searched with the same version: a change to the rules takes a
/// new name (and a new bank format version).
pub(crate) const TOKENIZER: &str = "sigma-words-1";

/// Calls `emit` with each term of `text`, in order (a term can repeat).
pub fn terms(text: &str, mut emit: impl FnMut(&str)) {
    // A line break always ends a word (UAX 29 rules WB3a and WB3b), so lines are cut alone:
    // the ASCII ones by `ascii_terms`, several times faster and with the same terms.
    let mut word = String::new();
    for line in text.split('\n') {
        if line.is_ascii() {
            ascii_terms(line, &mut word, &mut emit);
        } else {
            unicode_terms(line, &mut word, &mut emit);
        }
    }
}

/// What UAX 29 says of an ASCII character, for words.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ascii {
    /// A–Z, a–z (ALetter), 0–9 (Numeric), `_` (ExtendNumLet): any two of these join.
    Word,
    /// `:` (MidLetter): joins two letters.
    MidLetter,
    /// `.` (MidNumLet) and `'` (Single_Quote): join two letters or two digits.
    MidNumLet,
    /// `,` and `;` (MidNum): join two digits.
    MidNum,
    /// Anything else: a word ends here.
    Other,
}

fn ascii_class(b: u8) -> Ascii {
    match b {
        b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' => Ascii::Word,
        b':' => Ascii::MidLetter,
        b'.' | b'\'' => Ascii::MidNumLet,
        b',' | b';' => Ascii::MidNum,
        _ => Ascii::Other,
    }
}

/// The terms of an ASCII line: UAX 29's words (rules WB5–WB13b, the only ones that join ASCII
/// characters), lower-cased. `unicode_terms` gives the same terms for any ASCII line (a test
/// checks it on random lines).
fn ascii_terms(line: &str, word: &mut String, emit: &mut impl FnMut(&str)) {
    let bytes = line.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let Some(&first) = bytes.get(at) else { break };
        if ascii_class(first) != Ascii::Word {
            at += 1;
            continue;
        }
        let start = at;
        at += 1;
        while let Some(&b) = bytes.get(at) {
            match ascii_class(b) {
                Ascii::Word => at += 1,
                mid @ (Ascii::MidLetter | Ascii::MidNumLet | Ascii::MidNum) => {
                    let (Some(&before), Some(&after)) = (bytes.get(at - 1), bytes.get(at + 1)) else { break };
                    let letters = before.is_ascii_alphabetic() && after.is_ascii_alphabetic();
                    let digits = before.is_ascii_digit() && after.is_ascii_digit();
                    let joins = match mid {
                        Ascii::MidLetter => letters,
                        Ascii::MidNumLet => letters || digits,
                        _ => digits,
                    };
                    if !joins {
                        break;
                    }
                    at += 2;
                }
                Ascii::Other => break,
            }
        }
        if let Some(segment) = bytes.get(start..at)
            && segment.iter().any(u8::is_ascii_alphanumeric)
        {
            word.clear();
            word.extend(segment.iter().map(|b| char::from(b.to_ascii_lowercase())));
            emit(word);
        }
    }
}

/// The terms of any line, by the rules in the module's docs.
fn unicode_terms(text: &str, word: &mut String, emit: &mut impl FnMut(&str)) {
    // While a run of single Han or hiragana characters goes on: its last character, the byte
    // offset just past it, and whether the run has made a pair yet (a run of one character is
    // a word by itself).
    let mut run: Option<(char, usize, bool)> = None;
    let flush = |run: Option<(char, usize, bool)>, emit: &mut dyn FnMut(&str)| {
        if let Some((c, _, false)) = run {
            emit(c.encode_utf8(&mut [0; 4]));
        }
    };
    for (start, segment) in text.split_word_bound_indices() {
        let mut chars = segment.chars();
        if let (Some(c), None) = (chars.next(), chars.next())
            && is_unspaced(c)
        {
            let end = start + c.len_utf8();
            run = match run {
                Some((prev, prev_end, _)) if prev_end == start => {
                    word.clear();
                    word.push(prev);
                    word.push(c);
                    emit(word);
                    Some((c, end, true))
                }
                other => {
                    flush(other, emit);
                    Some((c, end, false))
                }
            };
            continue;
        }
        flush(run.take(), emit);
        if !segment.chars().any(char::is_alphanumeric) {
            continue;
        }
        word.clear();
        for c in segment.chars() {
            let c = fold_width(c);
            if c.is_ascii() {
                word.push(c.to_ascii_lowercase());
            } else {
                word.extend(c.to_lowercase());
            }
        }
        emit(word);
    }
    flush(run, emit);
}

/// Han ideographs and hiragana: scripts written without spaces, which UAX 29 cuts one
/// character per word.
fn is_unspaced(c: char) -> bool {
    matches!(u32::from(c),
        0x3040..=0x309F       // hiragana
        | 0x3400..=0x4DBF     // CJK extension A
        | 0x4E00..=0x9FFF     // CJK unified ideographs
        | 0xF900..=0xFAFF     // CJK compatibility ideographs
        | 0x20000..=0x3134F) // CJK extensions B–G
}

/// Full-width ASCII forms (U+FF01–U+FF5E) to ASCII.
fn fold_width(c: char) -> char {
    match u32::from(c) {
        // 0x21..=0x7E after the shift: always one byte.
        cp @ 0xFF01..=0xFF5E => char::from((cp - 0xFEE0) as u8),
        _ => c,
    }
}

/// [`terms`] as a tantivy tokenizer.
#[derive(Clone, Debug, Default)]
pub(crate) struct WordTokenizer {
    tokens: Vec<Token>,
}

/// The tokens of one text.
pub(crate) struct WordStream<'a> {
    tokens: &'a mut [Token],
    next: usize,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        self.tokens.clear();
        let tokens = &mut self.tokens;
        terms(text, |term| {
            let position = tokens.len();
            // Offsets are not kept by the bank (no positions, no highlighting).
            tokens.push(Token {
                offset_from: 0,
                offset_to: 0,
                position,
                text: term.to_owned(),
                position_length: 1,
            });
        });
        WordStream { tokens: &mut self.tokens, next: 0 }
    }
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        // `advance` returned true before the caller asks (the trait's contract); the first
        // token stands in otherwise, and an empty stream is never asked.
        let at = self.next.saturating_sub(1).min(self.tokens.len().saturating_sub(1));
        debug_assert!(self.next >= 1 && self.next <= self.tokens.len(), "token() before advance()");
        #[allow(clippy::indexing_slicing)] // the stream is asked only after `advance` returned true
        &self.tokens[at]
    }

    fn token_mut(&mut self) -> &mut Token {
        let at = self.next.saturating_sub(1).min(self.tokens.len().saturating_sub(1));
        debug_assert!(self.next >= 1 && self.next <= self.tokens.len(), "token_mut() before advance()");
        #[allow(clippy::indexing_slicing)] // as in `token`
        &mut self.tokens[at]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        terms(text, |t| out.push(t.to_owned()));
        out
    }

    #[test]
    fn words_numbers_and_scripts() {
        assert_eq!(
            all("The Graph, version 3.14 — 1,000 nodes!"),
            ["the", "graph", "version", "3.14", "1,000", "nodes"]
        );
        assert_eq!(all("Zürich ÉCOLE can't"), ["zürich", "école", "can't"]);
        assert_eq!(all("Ｔｗｉｔｔｅｒ ２０１３"), ["twitter", "2013"]);
        assert_eq!(all("ラブライブ！"), ["ラブライブ"]);
        assert_eq!(all("東京都に行く"), ["東京", "京都", "都に", "に行", "行く"]);
        assert_eq!(all("東 京"), ["東", "京"]);
        assert_eq!(all("私はラブライブが好き"), ["私は", "ラブライブ", "が好", "好き"]);
        assert_eq!(all("猫"), ["猫"]);
        assert_eq!(all("a猫b"), ["a", "猫", "b"]);
        assert_eq!(all(""), Vec::<String>::new());
    }

    /// The ASCII path against UAX 29 itself, on lines of the characters its rules treat
    /// apart.
    #[test]
    fn ascii_lines_cut_as_unicode_cuts_them() {
        let alphabet = b"aZ09_:.',; -\t\"!";
        let mut state = 0x2545_F491_4F6C_DD1D_u64;
        for _ in 0..20_000 {
            let mut line = String::new();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 12) as usize;
            for i in 0..len {
                let pick = (state >> (4 * i)) as usize % alphabet.len();
                line.push(char::from(alphabet[pick]));
            }
            let (mut fast, mut slow) = (Vec::new(), Vec::new());
            let mut word = String::new();
            ascii_terms(&line, &mut word, &mut |t: &str| fast.push(t.to_owned()));
            unicode_terms(&line, &mut word, &mut |t: &str| slow.push(t.to_owned()));
            assert_eq!(fast, slow, "{line:?}");
        }
        for line in
            ["can't stop", "a:b 1:2 a.1 1.a 3.14 1,000,000 x_1 __ _a a__b 'a' a'b'c", "e.g. U.S.A.", "a.b.c"]
        {
            let (mut fast, mut slow) = (Vec::new(), Vec::new());
            let mut word = String::new();
            ascii_terms(line, &mut word, &mut |t: &str| fast.push(t.to_owned()));
            unicode_terms(line, &mut word, &mut |t: &str| slow.push(t.to_owned()));
            assert_eq!(fast, slow, "{line:?}");
        }
    }

    #[test]
    fn the_tokenizer_gives_the_same_terms() {
        let mut tokenizer = WordTokenizer::default();
        let mut stream = tokenizer.token_stream("東京 Tower 333m");
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        assert_eq!(out, all("東京 Tower 333m"));
    }
}
