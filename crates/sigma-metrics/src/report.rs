//! Text and Markdown reports: a table of rows with named columns.

/// One cell of a report.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Text, left-aligned.
    Text(String),
    /// An integer, right-aligned with thousands separators in text.
    Int(u64),
    /// A number, right-aligned, with this many decimals in text.
    Float(f64, usize),
    /// Nothing (shown as `-`).
    Empty,
}

/// A table: a title, column names, rows of cells.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// Shown above the table.
    pub title: String,
    /// Column names.
    pub columns: Vec<String>,
    /// Rows, each as long as `columns`.
    pub rows: Vec<Vec<Cell>>,
}

/// `1234567` → `"1,234,567"`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => thousands(*n),
            Cell::Float(x, decimals) => format!("{x:.decimals$}"),
            Cell::Empty => "-".to_owned(),
        }
    }
}

impl Report {
    /// A report with these columns and no rows.
    pub fn new(title: &str, columns: &[&str]) -> Report {
        Report {
            title: title.to_owned(),
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row.
    pub fn row(&mut self, cells: Vec<Cell>) {
        self.rows.push(cells);
    }

    /// An aligned plain-text table.
    pub fn to_text(&self) -> String {
        let cells: Vec<Vec<String>> = self.rows.iter().map(|r| r.iter().map(Cell::text).collect()).collect();
        let widths: Vec<usize> = (0..self.columns.len())
            .map(|i| {
                let header = self.columns.get(i).map_or(0, |c| c.chars().count());
                cells.iter().filter_map(|r| r.get(i)).map(|c| c.chars().count()).fold(header, usize::max)
            })
            .collect();
        let mut out = String::new();
        if !self.title.is_empty() {
            out.push_str(&format!("{}\n", self.title));
        }
        let line = |out: &mut String, values: &mut dyn Iterator<Item = (usize, String, bool)>| {
            let parts: Vec<String> = values
                .map(|(width, text, left)| {
                    let pad = width.saturating_sub(text.chars().count());
                    if left {
                        format!("{text}{}", " ".repeat(pad))
                    } else {
                        format!("{}{text}", " ".repeat(pad))
                    }
                })
                .collect();
            out.push_str(&format!("{}\n", parts.join("  ").trim_end()));
        };
        line(&mut out, &mut self.columns.iter().zip(&widths).map(|(c, &w)| (w, c.clone(), true)));
        for (row, raw) in cells.iter().zip(&self.rows) {
            line(
                &mut out,
                &mut row
                    .iter()
                    .zip(&widths)
                    .zip(raw)
                    .map(|((c, &w), cell)| (w, c.clone(), matches!(cell, Cell::Text(_)))),
            );
        }
        out
    }

    /// A Markdown table.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        if !self.title.is_empty() {
            out.push_str(&format!("### {}\n\n", self.title));
        }
        out.push_str(&format!("| {} |\n", self.columns.join(" | ")));
        let aligns: Vec<&str> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, _)| {
                let text = self.rows.iter().all(|r| matches!(r.get(i), Some(Cell::Text(_)) | None));
                if text { "---" } else { "---:" }
            })
            .collect();
        out.push_str(&format!("|{}|\n", aligns.join("|")));
        for row in &self.rows {
            let cells: Vec<String> = row.iter().map(Cell::text).collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Report {
        let mut r = Report::new("sizes", &["codec", "bytes", "ratio"]);
        r.row(vec![Cell::Text("sigma-v2".into()), Cell::Int(441_951), Cell::Float(0.8902, 3)]);
        r.row(vec![Cell::Text("postcard".into()), Cell::Int(496_456), Cell::Empty]);
        r
    }

    #[test]
    fn text_markdown_and_json() {
        let r = sample();
        assert_eq!(
            r.to_text(),
            "sizes\ncodec     bytes    ratio\nsigma-v2  441,951  0.890\npostcard  496,456      -\n"
        );
        assert_eq!(
            r.to_markdown(),
            "### sizes\n\n| codec | bytes | ratio |\n|---|---:|---:|\n| sigma-v2 | 441,951 | 0.890 |\n| postcard | 496,456 | - |\n"
        );
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1000), "1,000");
    }
}
