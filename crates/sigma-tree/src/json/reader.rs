//! `JsonReader`: a pull parser for JSON text that never recurses.
//!
//! serde_json builds values recursively (and stops at 128 levels by default); the tree JSON of a
//! million-node chain nests two million levels deep. This reader instead yields one event at a
//! time and keeps the open containers in a bit stack, so depth costs one bit of heap per level.
//! It is strict RFC 8259: no trailing commas, no comments, no leading zeros, no lone surrogates,
//! no raw control characters in strings, nothing after the top-level value. Numbers are handed
//! out as their exact source text.

use std::borrow::Cow;

use crate::Error;

/// One step of a JSON text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JsonEvent<'a> {
    /// `{`
    StartObject,
    /// `}`
    EndObject,
    /// `[`
    StartArray,
    /// `]`
    EndArray,
    /// An object member's key (escapes decoded).
    Key(Cow<'a, str>),
    /// A string value (escapes decoded).
    String(Cow<'a, str>),
    /// A number, as its exact source text (`-0`, `1.0`, `1e5` stay as written).
    Number(&'a str),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// The top-level value.
    TopValue,
    /// A value inside an array or after a key.
    Value,
    /// Just after `[`: a value or `]`.
    FirstElement,
    /// Just after `{`: a key or `}`.
    FirstKey,
    /// After `,` in an object: a key.
    Key,
    /// After a value: `,`, the container's end, or (at top level) the end of input.
    AfterValue,
    /// The top-level value is complete: only whitespace may follow.
    Done,
}

/// Pull parser over a `&str` (see the module docs).
#[derive(Debug)]
pub struct JsonReader<'a> {
    text: &'a str,
    pos: usize,
    /// One bit per open container: 1 for an object, 0 for an array.
    stack: Vec<u64>,
    depth: usize,
    expect: Expect,
    /// Offset of the start of the last event's token.
    token_start: usize,
}

impl<'a> JsonReader<'a> {
    /// A reader at the start of `text`.
    pub fn new(text: &'a str) -> JsonReader<'a> {
        JsonReader { text, pos: 0, stack: Vec::new(), depth: 0, expect: Expect::TopValue, token_start: 0 }
    }

    /// Offset where the last event's token starts.
    pub fn offset(&self) -> usize {
        self.token_start
    }

    /// How many containers are open.
    pub fn depth(&self) -> usize {
        self.depth
    }

    fn error(&self, offset: usize, message: &'static str) -> Error {
        Error::Json { offset, message }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn push(&mut self, is_object: bool) {
        let (word, bit) = (self.depth / 64, self.depth % 64);
        if word == self.stack.len() {
            self.stack.push(0);
        }
        if let Some(w) = self.stack.get_mut(word) {
            if is_object {
                *w |= 1 << bit;
            } else {
                *w &= !(1 << bit);
            }
        }
        self.depth += 1;
    }

    /// Whether the innermost open container is an object (`None` at top level).
    fn in_object(&self) -> Option<bool> {
        let top = self.depth.checked_sub(1)?;
        self.stack.get(top / 64).map(|w| w >> (top % 64) & 1 == 1)
    }

    /// The next event, or `None` once the whole text has been read.
    pub fn next_event(&mut self) -> Result<Option<JsonEvent<'a>>, Error> {
        loop {
            self.skip_whitespace();
            self.token_start = self.pos;
            let Some(byte) = self.peek() else {
                return match self.expect {
                    Expect::Done => Ok(None),
                    Expect::AfterValue if self.depth == 0 => Ok(None),
                    _ => Err(self.error(self.pos, "unexpected end of input")),
                };
            };
            match self.expect {
                Expect::Done => return Err(self.error(self.pos, "trailing characters after the JSON value")),
                Expect::AfterValue => match (self.in_object(), byte) {
                    (None, _) => self.expect = Expect::Done,
                    (Some(in_object), b',') => {
                        self.pos += 1;
                        self.expect = if in_object { Expect::Key } else { Expect::Value };
                    }
                    (Some(true), b'}') | (Some(false), b']') => return Ok(Some(self.close())),
                    (Some(true), _) => return Err(self.error(self.pos, "expected ',' or '}'")),
                    (Some(false), _) => return Err(self.error(self.pos, "expected ',' or ']'")),
                },
                Expect::FirstElement if byte == b']' => return Ok(Some(self.close())),
                Expect::FirstKey if byte == b'}' => return Ok(Some(self.close())),
                Expect::FirstKey | Expect::Key => return self.key().map(Some),
                Expect::TopValue | Expect::Value | Expect::FirstElement => return self.value(byte).map(Some),
            }
        }
    }

    fn close(&mut self) -> JsonEvent<'a> {
        let was_object = self.in_object() == Some(true);
        self.pos += 1;
        self.depth -= 1;
        self.expect = Expect::AfterValue;
        if was_object { JsonEvent::EndObject } else { JsonEvent::EndArray }
    }

    fn key(&mut self) -> Result<JsonEvent<'a>, Error> {
        if self.peek() != Some(b'"') {
            return Err(self.error(self.pos, "expected a string key"));
        }
        let key = self.string()?;
        self.skip_whitespace();
        if self.peek() != Some(b':') {
            return Err(self.error(self.pos, "expected ':' after the key"));
        }
        self.pos += 1;
        self.expect = Expect::Value;
        Ok(JsonEvent::Key(key))
    }

    fn value(&mut self, byte: u8) -> Result<JsonEvent<'a>, Error> {
        let event = match byte {
            b'{' => {
                self.pos += 1;
                self.push(true);
                self.expect = Expect::FirstKey;
                return Ok(JsonEvent::StartObject);
            }
            b'[' => {
                self.pos += 1;
                self.push(false);
                self.expect = Expect::FirstElement;
                return Ok(JsonEvent::StartArray);
            }
            b'"' => JsonEvent::String(self.string()?),
            b'-' | b'0'..=b'9' => JsonEvent::Number(self.number()?),
            b't' => self.literal("true", JsonEvent::Bool(true))?,
            b'f' => self.literal("false", JsonEvent::Bool(false))?,
            b'n' => self.literal("null", JsonEvent::Null)?,
            _ => return Err(self.error(self.pos, "expected a JSON value")),
        };
        self.expect = Expect::AfterValue;
        Ok(event)
    }

    fn literal(&mut self, word: &'static str, event: JsonEvent<'a>) -> Result<JsonEvent<'a>, Error> {
        if self.text.as_bytes().get(self.pos..self.pos + word.len()) == Some(word.as_bytes()) {
            self.pos += word.len();
            Ok(event)
        } else {
            Err(self.error(self.pos, "invalid literal"))
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<&'a str, Error> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err(self.error(start, "leading zero in number"));
                }
            }
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error(self.pos, "expected a digit")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error(self.pos, "expected a digit after '.'"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error(self.pos, "expected a digit in the exponent"));
            }
        }
        self.text.get(start..self.pos).ok_or(self.error(start, "invalid number"))
    }

    fn hex4(&mut self) -> Result<u16, Error> {
        let at = self.pos;
        let digits = self.text.get(at..at + 4).ok_or(self.error(at, "expected four hex digits after \\u"))?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(self.error(at, "expected four hex digits after \\u"));
        }
        self.pos += 4;
        u16::from_str_radix(digits, 16).map_err(|_| self.error(at, "expected four hex digits after \\u"))
    }

    /// A string starting at the opening quote; borrowed when it has no escapes.
    fn string(&mut self) -> Result<Cow<'a, str>, Error> {
        let open = self.pos;
        self.pos += 1;
        let bytes = self.text.as_bytes();
        let run_start = self.pos;
        while let Some(&b) = bytes.get(self.pos) {
            match b {
                b'"' => {
                    let s = self.text.get(run_start..self.pos).ok_or(self.error(open, "invalid string"))?;
                    self.pos += 1;
                    return Ok(Cow::Borrowed(s));
                }
                b'\\' => return self.escaped_string(open, run_start).map(Cow::Owned),
                0..=0x1F => return Err(self.error(self.pos, "control character in string")),
                _ => self.pos += 1,
            }
        }
        Err(self.error(open, "unterminated string"))
    }

    fn escaped_string(&mut self, open: usize, run_start: usize) -> Result<String, Error> {
        let mut out = String::with_capacity(self.pos - run_start + 16);
        let mut run = run_start;
        loop {
            let Some(&b) = self.text.as_bytes().get(self.pos) else {
                return Err(self.error(open, "unterminated string"));
            };
            match b {
                b'"' => {
                    out.push_str(super::ascii_cut(self.text, run, self.pos));
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    out.push_str(super::ascii_cut(self.text, run, self.pos));
                    let escape_at = self.pos;
                    self.pos += 1;
                    let Some(&kind) = self.text.as_bytes().get(self.pos) else {
                        return Err(self.error(open, "unterminated string"));
                    };
                    self.pos += 1;
                    match kind {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape(escape_at)?),
                        _ => return Err(self.error(escape_at, "invalid escape")),
                    }
                    run = self.pos;
                }
                0..=0x1F => return Err(self.error(self.pos, "control character in string")),
                _ => self.pos += 1,
            }
        }
    }

    fn unicode_escape(&mut self, escape_at: usize) -> Result<char, Error> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if self.text.as_bytes().get(self.pos..self.pos + 2) != Some(b"\\u") {
                    return Err(self.error(escape_at, "lone surrogate in \\u escape"));
                }
                self.pos += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error(escape_at, "lone surrogate in \\u escape"));
                }
                0x10000 + ((u32::from(first) - 0xD800) << 10) + (u32::from(second) - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.error(escape_at, "lone surrogate in \\u escape")),
            _ => u32::from(first),
        };
        char::from_u32(code).ok_or(self.error(escape_at, "invalid \\u escape"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(text: &str) -> Result<Vec<JsonEvent<'_>>, Error> {
        let mut reader = JsonReader::new(text);
        let mut out = Vec::new();
        while let Some(event) = reader.next_event()? {
            out.push(event);
        }
        Ok(out)
    }

    #[test]
    fn reads_every_kind_of_value() {
        use JsonEvent::*;
        let got = events(r#" {"a": [1, -0, 1.0e+5, true, false, null, "x\u00e9\ud83d\ude00\n"], "b": {}} "#)
            .unwrap();
        assert_eq!(
            got,
            vec![
                StartObject,
                Key("a".into()),
                StartArray,
                Number("1"),
                Number("-0"),
                Number("1.0e+5"),
                Bool(true),
                Bool(false),
                Null,
                String("xé😀\n".into()),
                EndArray,
                Key("b".into()),
                StartObject,
                EndObject,
                EndObject,
            ]
        );
    }

    #[test]
    fn rejects_what_rfc_8259_rejects() {
        for (text, offset) in [
            ("", 0),
            ("[1,]", 3),
            ("{\"a\" 1}", 5),
            ("{\"a\":1,}", 7),
            ("01", 0),
            ("1.", 2),
            ("1e", 2),
            ("-", 1),
            ("\"\\x\"", 1),
            ("\"\\ud800\"", 1),
            ("\"\\udc00x\"", 1),
            ("\"a\nb\"", 2),
            ("[1] 2", 4),
            ("[1 2]", 3),
            ("tru", 0),
            ("{1:2}", 1),
            ("[", 1),
            ("\"abc", 0),
            ("]", 0),
        ] {
            let err = events(text).expect_err(text);
            assert_eq!(err.offset(), Some(offset), "{text:?}: {err}");
        }
    }

    #[test]
    fn deep_nesting_is_fine() {
        let depth = 200_000;
        let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert_eq!(events(&text).unwrap().len(), 2 * depth);
    }
}
