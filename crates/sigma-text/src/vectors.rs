//! Word vectors and analogies over them, for users who have vectors: *A is to B as C is to ?*
//! answered with 3CosAdd or 3CosMul (Levy and Goldberg, 2014), the query words excluded.
//!
//! Vectors are read from the common formats: word2vec binary, word2vec text (a `rows dims`
//! header, then a word and its components per line; fastText's `.vec` files are this format) and
//! GloVe text (no header). Every file is hostile until read: the header must agree with the file's
//! length before anything is allocated, every line must have the header's (or the first line's)
//! number of components, every component must be a finite number, and a word may appear once;
//! anything else is a [`VectorError`] with the line (text) or byte offset (binary) at fault. No
//! vectors, no answer: this form never invents vectors for words it was not given.
//!
//! ```
//! use sigma_text::{AnalogyMethod, WordVectors};
//! let text = "king 1 1 0\nqueen 1 -1 0\nman 0 1 1\nwoman 0 -1 1\n";
//! let vectors = WordVectors::from_bytes(text.as_bytes(), None)?;
//! let found = vectors.analogy("king", "queen", "man", AnalogyMethod::CosAdd, 3)?;
//! assert_eq!(found.answer.word, "woman");
//! assert!(vectors.analogy("king", "queen", "dog", AnalogyMethod::CosAdd, 3).is_err());
//! # Ok::<(), sigma_text::VectorError>(())
//! ```

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;

use crate::error::{Position, Term, VectorError, VectorFault};

/// The file formats [`WordVectors`] reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VectorFormat {
    /// word2vec's binary format: a `rows dims` line, then each word, a space and `dims`
    /// little-endian 32-bit floats (a newline after each vector is allowed).
    Word2VecBinary,
    /// word2vec's text format, which fastText's `.vec` files share: a `rows dims` line, then a
    /// word and its components per line, separated by spaces.
    Word2VecText,
    /// GloVe's text format: a word and its components per line, no header.
    Glove,
}

impl VectorFormat {
    /// The format's name on the command line: `word2vec`, `word2vec-text`, `glove`.
    pub const fn name(self) -> &'static str {
        match self {
            VectorFormat::Word2VecBinary => "word2vec",
            VectorFormat::Word2VecText => "word2vec-text",
            VectorFormat::Glove => "glove",
        }
    }

    /// The format a name names (`fasttext` and `vec` name word2vec's text format).
    pub fn from_name(name: &str) -> Option<VectorFormat> {
        match name {
            "word2vec" | "word2vec-binary" | "bin" => Some(VectorFormat::Word2VecBinary),
            "word2vec-text" | "fasttext" | "vec" | "txt" => Some(VectorFormat::Word2VecText),
            "glove" => Some(VectorFormat::Glove),
            _ => None,
        }
    }

    /// The format of a file, from its first bytes: a `rows dims` first line followed by a line
    /// of a word and `dims` numbers is word2vec text, followed by anything else word2vec binary;
    /// no such first line is GloVe.
    pub fn detect(bytes: &[u8]) -> VectorFormat {
        let Some((_, dims, body)) = header(bytes) else { return VectorFormat::Glove };
        let line = body.split(|&b| b == b'\n').next().unwrap_or_default();
        let text = std::str::from_utf8(line).ok().filter(|line| {
            let fields: Vec<&str> = line.split_ascii_whitespace().collect();
            fields.len().checked_sub(1) == Some(dims)
                && fields.iter().skip(1).all(|f| f.parse::<f32>().is_ok())
        });
        if text.is_some() { VectorFormat::Word2VecText } else { VectorFormat::Word2VecBinary }
    }
}

impl fmt::Display for VectorFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A file's `rows dims` first line: the two numbers and the bytes after the line.
fn header(bytes: &[u8]) -> Option<(usize, usize, &[u8])> {
    let end = bytes.iter().take(64).position(|&b| b == b'\n')?;
    let line = std::str::from_utf8(bytes.get(..end)?).ok()?;
    let mut fields = line.split_ascii_whitespace();
    let rows = fields.next()?.parse().ok()?;
    let dims = fields.next()?.parse().ok()?;
    fields.next().is_none().then_some((rows, dims, bytes.get(end + 1..)?))
}

/// Word vectors, each scaled to unit length, looked up by word.
#[derive(Clone, Debug)]
pub struct WordVectors {
    dims: usize,
    words: Vec<String>,
    /// `words.len() × dims` components, row by row, each row of unit length (or all zero).
    data: Vec<f32>,
    index: HashMap<String, usize>,
}

/// How an analogy is scored over unit vectors `a`, `b`, `c` and a candidate `d`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnalogyMethod {
    /// 3CosAdd: `cos(d, b) − cos(d, a) + cos(d, c)`, from −3 to 3.
    CosAdd,
    /// 3CosMul: `cos'(d, b) · cos'(d, c) / (cos'(d, a) + 0.001)` with each cosine shifted to
    /// [0, 1] (`cos' = (cos + 1) / 2`); it keeps one large similarity from outweighing the others.
    CosMul,
}

impl AnalogyMethod {
    /// `3cosadd` or `3cosmul`.
    pub const fn name(self) -> &'static str {
        match self {
            AnalogyMethod::CosAdd => "3cosadd",
            AnalogyMethod::CosMul => "3cosmul",
        }
    }

    /// The method a name (`3cosadd`, `add`, `3cosmul`, `mul`) names.
    pub fn from_name(name: &str) -> Option<AnalogyMethod> {
        match name {
            "3cosadd" | "add" | "cosadd" => Some(AnalogyMethod::CosAdd),
            "3cosmul" | "mul" | "cosmul" => Some(AnalogyMethod::CosMul),
            _ => None,
        }
    }
}

/// A word an analogy reached, with its score under the method used.
#[derive(Clone, Debug, PartialEq)]
pub struct WordCandidate {
    /// The word, as the file spells it.
    pub word: String,
    /// Its score (see [`AnalogyMethod`]); higher is better.
    pub score: f32,
}

/// The answer to *A is to B as C is to ?* over word vectors.
#[derive(Clone, Debug, PartialEq)]
pub struct VectorAnalogy {
    /// The method that scored it.
    pub method: AnalogyMethod,
    /// The best word other than A, B and C.
    pub answer: WordCandidate,
    /// The next best, best first.
    pub runners_up: Vec<WordCandidate>,
}

/// The most bytes a word may take in a binary file.
const MAX_WORD: usize = 1 << 12;

impl WordVectors {
    /// Reads vectors in `format`, or the format [`VectorFormat::detect`] finds when `None`.
    ///
    /// # Errors
    /// [`VectorError`] naming the line or byte offset and what is wrong there: a header that
    /// the file's length cannot hold, a line with the wrong number of components, a component
    /// that is not a finite number, a word given twice, bytes that are not UTF-8, an empty file.
    pub fn from_bytes(bytes: &[u8], format: Option<VectorFormat>) -> Result<WordVectors, VectorError> {
        match format.unwrap_or_else(|| VectorFormat::detect(bytes)) {
            VectorFormat::Word2VecBinary => read_binary(bytes),
            VectorFormat::Word2VecText => read_text(bytes, true),
            VectorFormat::Glove => read_text(bytes, false),
        }
    }

    /// How many words it holds.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether it holds no words (never, once read: an empty file is an error).
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// How many components each vector has.
    pub fn dims(&self) -> usize {
        self.dims
    }

    /// The unit vector of a word: the word as given, or else in lower case.
    pub fn vector(&self, word: &str) -> Option<&[f32]> {
        self.row_of(word).and_then(|row| self.row(row))
    }

    fn row_of(&self, word: &str) -> Option<usize> {
        self.index.get(word).or_else(|| self.index.get(&word.to_lowercase())).copied()
    }

    fn row(&self, row: usize) -> Option<&[f32]> {
        self.data.get(row * self.dims..(row + 1) * self.dims)
    }

    /// *`a` is to `b` as `c` is to ?*: the word (other than the three) that `method` scores
    /// highest, and the `k − 1` after it. Words are looked up as given, or else in lower case.
    ///
    /// # Errors
    /// [`VectorError`] with [`VectorFault::UnknownWord`] naming a word the vectors do not hold,
    /// or [`VectorFault::ZeroVector`] for a word whose vector is all zeros (it has no direction).
    pub fn analogy(
        &self,
        a: &str,
        b: &str,
        c: &str,
        method: AnalogyMethod,
        k: usize,
    ) -> Result<VectorAnalogy, VectorError> {
        let lookup = |term: Term, word: &str| -> Result<(usize, &[f32]), VectorError> {
            let fault = |fault| VectorError { at: None, fault };
            let row = self
                .row_of(word)
                .ok_or_else(|| fault(VectorFault::UnknownWord { term, word: word.to_owned() }))?;
            let vector = self
                .row(row)
                .ok_or_else(|| fault(VectorFault::UnknownWord { term, word: word.to_owned() }))?;
            if vector.iter().all(|&x| x == 0.0) {
                return Err(fault(VectorFault::ZeroVector { term, word: word.to_owned() }));
            }
            Ok((row, vector))
        };
        let (ra, va) = lookup(Term::A, a)?;
        let (rb, vb) = lookup(Term::B, b)?;
        let (rc, vc) = lookup(Term::C, c)?;
        let dot = |x: &[f32], y: &[f32]| x.iter().zip(y).map(|(p, q)| p * q).sum::<f32>();
        // At most every word can be a candidate: a larger `k` (from anywhere) asks for nothing more.
        let k = k.clamp(1, self.len().max(1));
        // The k best, kept sorted: best first, ties in file order.
        let mut best: Vec<(f32, usize)> = Vec::with_capacity(k + 1);
        for (row, v) in self.data.chunks_exact(self.dims.max(1)).enumerate() {
            if row == ra || row == rb || row == rc || v.iter().all(|&x| x == 0.0) {
                continue;
            }
            let (sa, sb, sc) = (dot(v, va), dot(v, vb), dot(v, vc));
            let score = match method {
                AnalogyMethod::CosAdd => sb - sa + sc,
                AnalogyMethod::CosMul => {
                    let shift = |s: f32| (s + 1.0) / 2.0;
                    shift(sb) * shift(sc) / (shift(sa) + 0.001)
                }
            };
            if best.len() == k && best.last().is_some_and(|&(worst, _)| score <= worst) {
                continue;
            }
            let at = best.partition_point(|&(s, _)| s >= score);
            best.insert(at, (score, row));
            best.truncate(k);
        }
        let mut found = best
            .into_iter()
            .filter_map(|(score, row)| Some(WordCandidate { word: self.words.get(row)?.clone(), score }));
        let answer = found.next().ok_or(VectorError { at: None, fault: VectorFault::NoCandidate })?;
        Ok(VectorAnalogy { method, answer, runners_up: found.collect() })
    }
}

/// Builds the vectors from rows read, each scaled to unit length; a word met twice is an error
/// at `at` of the second.
struct Builder {
    dims: usize,
    words: Vec<String>,
    data: Vec<f32>,
    index: HashMap<String, usize>,
}

impl Builder {
    fn new(dims: usize, rows: usize) -> Builder {
        Builder {
            dims,
            words: Vec::with_capacity(rows),
            data: Vec::with_capacity(rows.saturating_mul(dims)),
            index: HashMap::with_capacity(rows),
        }
    }

    fn push(&mut self, word: String, components: &mut [f32], at: Position) -> Result<(), VectorError> {
        debug_assert_eq!(components.len(), self.dims, "the readers check the row's length");
        if let Some(position) = components.iter().position(|x| !x.is_finite()) {
            return Err(VectorError { at: Some(at), fault: VectorFault::NotFinite { component: position } });
        }
        let norm = components.iter().map(|x| f64::from(*x) * f64::from(*x)).sum::<f64>().sqrt();
        if norm > 0.0 {
            for x in components.iter_mut() {
                *x = (f64::from(*x) / norm) as f32;
            }
        }
        match self.index.entry(word) {
            Entry::Occupied(slot) => {
                return Err(VectorError {
                    at: Some(at),
                    fault: VectorFault::Duplicate { word: slot.key().clone() },
                });
            }
            Entry::Vacant(slot) => {
                self.words.push(slot.key().clone());
                slot.insert(self.words.len() - 1);
            }
        }
        self.data.extend_from_slice(components);
        Ok(())
    }

    fn finish(self) -> Result<WordVectors, VectorError> {
        if self.words.is_empty() || self.dims == 0 {
            return Err(VectorError { at: None, fault: VectorFault::Empty });
        }
        Ok(WordVectors { dims: self.dims, words: self.words, data: self.data, index: self.index })
    }
}

/// The header of a word2vec file, checked against the bytes that follow it: each row takes at
/// least `per_row(dims)` bytes.
fn checked_header(
    bytes: &[u8],
    per_row: impl Fn(usize) -> Option<usize>,
) -> Result<(usize, usize, &[u8]), VectorError> {
    let (rows, dims, body) =
        header(bytes).ok_or(VectorError { at: Some(Position::Line(1)), fault: VectorFault::Header })?;
    let needed = per_row(dims).and_then(|per| per.checked_mul(rows));
    if rows == 0 || dims == 0 || needed.is_none_or(|needed| needed > body.len()) {
        return Err(VectorError {
            at: Some(Position::Line(1)),
            fault: VectorFault::Shape { rows, dims, bytes: body.len() },
        });
    }
    Ok((rows, dims, body))
}

fn read_binary(bytes: &[u8]) -> Result<WordVectors, VectorError> {
    // A word of at least one byte and its space, then the floats.
    let (rows, dims, body) = checked_header(bytes, |dims| dims.checked_mul(4)?.checked_add(2))?;
    let base = bytes.len() - body.len();
    let mut builder = Builder::new(dims, rows);
    let mut at = 0;
    let mut components = vec![0.0f32; dims];
    for _ in 0..rows {
        while body.get(at).is_some_and(|&b| b == b'\n' || b == b'\r') {
            at += 1;
        }
        let start = at;
        let rest = body.get(at..).unwrap_or_default();
        let Some(space) = rest.iter().take(MAX_WORD + 1).position(|&b| b == b' ') else {
            let fault = if rest.len() > MAX_WORD { VectorFault::LongWord } else { VectorFault::Truncated };
            return Err(VectorError { at: Some(Position::Byte(base + start)), fault });
        };
        let word = rest.get(..space).unwrap_or_default();
        let word = std::str::from_utf8(word)
            .map_err(|_| VectorError { at: Some(Position::Byte(base + start)), fault: VectorFault::NotUtf8 })?
            .trim();
        if word.is_empty() {
            return Err(VectorError {
                at: Some(Position::Byte(base + start)),
                fault: VectorFault::EmptyWord,
            });
        }
        at += space + 1;
        let floats = body
            .get(at..at + 4 * dims)
            .ok_or(VectorError { at: Some(Position::Byte(base + at)), fault: VectorFault::Truncated })?;
        for (x, chunk) in components.iter_mut().zip(floats.chunks_exact(4)) {
            let mut le = [0u8; 4];
            le.copy_from_slice(chunk);
            *x = f32::from_le_bytes(le);
        }
        builder.push(word.to_owned(), &mut components, Position::Byte(base + start))?;
        at += 4 * dims;
    }
    builder.finish()
}

/// Reads word2vec text (with its header) or GloVe text; errors carry the 1-based line.
fn read_text(bytes: &[u8], with_header: bool) -> Result<WordVectors, VectorError> {
    let (rows, mut dims, body, first_line) = if with_header {
        // Each row takes a word, and per component at least one character and a separator.
        let (rows, dims, body) = checked_header(bytes, |dims| dims.checked_mul(2)?.checked_add(1))?;
        (Some(rows), Some(dims), body, 2)
    } else {
        (None, None, bytes, 1)
    };
    let text = std::str::from_utf8(body).map_err(|e| {
        let line = body.get(..e.valid_up_to()).map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count());
        VectorError { at: Some(Position::Line(first_line + line)), fault: VectorFault::NotUtf8 }
    })?;
    let mut builder = Builder::new(dims.unwrap_or(0), rows.unwrap_or(0));
    let mut components: Vec<f32> = Vec::new();
    let mut count = 0;
    for (k, line) in text.lines().enumerate() {
        let number = first_line + k;
        let mut fields = line.split_ascii_whitespace();
        let Some(word) = fields.next() else { continue };
        components.clear();
        for field in fields {
            let x: f32 = field.parse().map_err(|_| VectorError {
                at: Some(Position::Line(number)),
                fault: VectorFault::NotANumber { component: components.len() },
            })?;
            components.push(x);
        }
        let expected = *dims.get_or_insert(components.len());
        if components.len() != expected || expected == 0 {
            return Err(VectorError {
                at: Some(Position::Line(number)),
                fault: VectorFault::Components { found: components.len(), expected },
            });
        }
        if builder.dims == 0 {
            builder.dims = expected;
        }
        count += 1;
        if let Some(rows) = rows
            && count > rows
        {
            return Err(VectorError {
                at: Some(Position::Line(number)),
                fault: VectorFault::Rows { found: count, expected: rows },
            });
        }
        builder.push(word.to_owned(), &mut components, Position::Line(number))?;
    }
    if let Some(rows) = rows
        && count != rows
    {
        return Err(VectorError { at: None, fault: VectorFault::Rows { found: count, expected: rows } });
    }
    builder.finish()
}

impl VectorAnalogy {
    /// Every candidate, the answer first.
    pub fn candidates(&self) -> impl Iterator<Item = &WordCandidate> {
        std::iter::once(&self.answer).chain(&self.runners_up)
    }

    /// As JSON: `{"answer", "score", "method", "candidates": [[word, score], …]}`, the answer
    /// first among the candidates.
    /// Scores are rounded to six decimals (they are computed in 32-bit floats).
    pub fn to_json(&self) -> serde_json::Value {
        let round = |x: f32| (f64::from(x) * 1e6).round() / 1e6;
        serde_json::json!({
            "answer": self.answer.word,
            "score": round(self.answer.score),
            "method": self.method.name(),
            "candidates": self.candidates().map(|c| serde_json::json!([c.word, round(c.score)])).collect::<Vec<_>>(),
        })
    }

    /// The answer and how it was scored, in words, one line each.
    pub fn explain(&self, a: &str, b: &str, c: &str) -> Vec<String> {
        let formula = match self.method {
            AnalogyMethod::CosAdd => format!("cos(d, {b}) - cos(d, {a}) + cos(d, {c})"),
            AnalogyMethod::CosMul => {
                format!("cos'(d, {b}) * cos'(d, {c}) / (cos'(d, {a}) + 0.001), cos' = (cos + 1) / 2")
            }
        };
        let mut lines = vec![
            format!("{} (score {:.4})", self.answer.word, self.answer.score),
            format!(
                "method: {}, the word d (not {a}, {b} or {c}) that maximises {formula}",
                self.method.name()
            ),
        ];
        if !self.runners_up.is_empty() {
            let others: Vec<String> =
                self.runners_up.iter().map(|c| format!("{} ({:.4})", c.word, c.score)).collect();
            lines.push(format!("runners-up: {}", others.join(", ")));
        }
        lines
    }
}
