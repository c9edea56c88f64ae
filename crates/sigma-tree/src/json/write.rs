//! Writing JSON strings.

/// Appends `s` to `out` as a JSON string literal: quotes, `\"`, `\\`, and `\n`-style or `\u00XX`
/// escapes for control characters; everything else (all non-ASCII text included) as is.
pub fn write_json_string(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    let mut run = 0;
    for (i, byte) in s.bytes().enumerate() {
        let escape: &str = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0C => "\\f",
            0..=0x1F => "",
            _ => continue,
        };
        out.push_str(super::ascii_cut(s, run, i));
        if escape.is_empty() {
            // Only 0x00-0x1F get here: `\u00` then two lower-case hex digits.
            out.push_str("\\u00");
            out.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
            out.push(char::from_digit(u32::from(byte & 0xF), 16).unwrap_or('0'));
        } else {
            out.push_str(escape);
        }
        run = i + 1;
    }
    out.push_str(super::ascii_cut(s, run, s.len()));
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_json_requires() {
        let mut out = String::new();
        write_json_string(&mut out, "a\"b\\c\nd\u{1}é\u{7f}");
        assert_eq!(out, "\"a\\\"b\\\\c\\nd\\u0001é\u{7f}\"");
        let back: String = serde_json::from_str(&out).unwrap();
        assert_eq!(back, "a\"b\\c\nd\u{1}é\u{7f}");
    }
}
