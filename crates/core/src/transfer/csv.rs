//! CSV as spreadsheets write and read it (RFC 4180: fields quoted when they
//! hold the delimiter, a quote or a line end; quotes doubled), with our own
//! parser so a broken file is refused with the line where it broke instead
//! of being read to its end as one field.

/// Characters a spreadsheet takes as the start of a formula. A field that
/// starts with one is written with a leading apostrophe (and so is one
/// that starts with an apostrophe, so reading it back is exact).
const FORMULA_START: [char; 5] = ['=', '+', '-', '@', '\''];

/// One field, quoted when needed and defused against formula injection.
pub fn field(value: &str) -> String {
    let value = if value.starts_with(FORMULA_START) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', ';', '\t', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// One line of fields, ended by CRLF (what Excel writes).
pub fn line<S: AsRef<str>>(fields: impl IntoIterator<Item = S>) -> String {
    let mut out = fields
        .into_iter()
        .map(|f| field(f.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    out
}

/// What [`field`] did to a value, undone: the apostrophe in front of a
/// formula character goes.
pub fn unfield(value: &str) -> &str {
    match value.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_START) => rest,
        _ => value,
    }
}

/// A record of the file and the line it starts on (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub line: usize,
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// A quoted field opened on this line is never closed.
    UnclosedQuote { line: usize },
    /// Text after a closing quote, like `"a"b`.
    TextAfterQuote { line: usize },
}

/// The delimiter of a file: the one of `,` `;` tab `|` found most often in
/// its first line outside quotes (a comma when none is).
pub fn sniff_delimiter(text: &str) -> char {
    let mut counts = [0usize; 4];
    let candidates = [',', ';', '\t', '|'];
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => break,
            c if !quoted => {
                if let Some(i) = candidates.iter().position(|d| *d == c) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    let best = (0..4).max_by_key(|i| (counts[*i], 4 - i)).unwrap_or(0);
    if counts[best] == 0 {
        ','
    } else {
        candidates[best]
    }
}

/// Every record of `text`. Empty lines are skipped; line ends may be CRLF,
/// LF or CR.
pub fn parse(text: &str, delimiter: char) -> Result<Vec<Record>, ParseError> {
    let mut records = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut line = 1;
    let mut record_line = 1;
    // Whether the current field was quoted, is inside its quotes, and
    // whether the record has anything in it yet.
    let (mut quoted, mut in_quotes, mut started) = (false, false, false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                // Line ends inside a field are kept as written (CRLF too).
                c => {
                    if c == '\n' || (c == '\r' && chars.peek() != Some(&'\n')) {
                        line += 1;
                    }
                    field.push(c);
                }
            }
            continue;
        }
        match c {
            '"' if field.is_empty() && !quoted => {
                quoted = true;
                in_quotes = true;
                started = true;
            }
            '"' if quoted => return Err(ParseError::TextAfterQuote { line }),
            // A quote inside an unquoted field (12" screen) is kept, as
            // spreadsheets do.
            '"' => {
                field.push('"');
                started = true;
            }
            c if c == delimiter => {
                fields.push(std::mem::take(&mut field));
                quoted = false;
                started = true;
            }
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                if started || !field.is_empty() {
                    fields.push(std::mem::take(&mut field));
                    records.push(Record {
                        line: record_line,
                        fields: std::mem::take(&mut fields),
                    });
                }
                quoted = false;
                started = false;
                line += 1;
                record_line = line;
            }
            c if quoted => {
                // Spaces after a closing quote are forgiven, text is not.
                if !c.is_whitespace() {
                    return Err(ParseError::TextAfterQuote { line });
                }
            }
            c => {
                field.push(c);
                started = true;
            }
        }
    }
    if in_quotes {
        return Err(ParseError::UnclosedQuote { line: record_line });
    }
    if started || !field.is_empty() {
        fields.push(field);
        records.push(Record {
            line: record_line,
            fields,
        });
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_defused_and_read_back_exactly() {
        for value in [
            "plain",
            "a,b",
            "say \"hi\"",
            "two\r\nlines",
            "=SUM(A1)",
            "+86 138 0013 8000",
            "-5",
            "@home",
            "'quoted",
            "'=x",
            "华为技术有限公司",
            "",
        ] {
            let text = line([value, "next"]);
            let records = parse(&text, ',').unwrap();
            assert_eq!(records.len(), 1, "{value:?}");
            assert_eq!(unfield(&records[0].fields[0]), value);
            assert_eq!(records[0].fields[1], "next");
        }
        assert_eq!(field("=1+1"), "'=1+1");
    }

    #[test]
    fn lines_are_counted_and_broken_quotes_refused() {
        let text = "a,b\r\n\"x\ny\",2\n\n3,4";
        let records = parse(text, ',').unwrap();
        assert_eq!(records.len(), 3);
        assert_eq!(records[1].line, 2);
        assert_eq!(records[1].fields, ["x\ny", "2"]);
        assert_eq!(records[2].line, 5);
        assert_eq!(
            parse("a,b\n1,\"open\n2,3\n", ','),
            Err(ParseError::UnclosedQuote { line: 2 })
        );
        assert_eq!(
            parse("a\n\"x\"y\n", ','),
            Err(ParseError::TextAfterQuote { line: 2 })
        );
        assert_eq!(
            parse("a\n12\" screen\n", ',').unwrap()[1].fields,
            ["12\" screen"]
        );
    }

    #[test]
    fn the_delimiter_is_found_in_the_header() {
        assert_eq!(sniff_delimiter("名称;电话;邮箱\n1,2;3"), ';');
        assert_eq!(sniff_delimiter("name\tphone\n"), '\t');
        assert_eq!(sniff_delimiter("\"a,b\";c\n"), ';');
        assert_eq!(sniff_delimiter("name\n"), ',');
        assert_eq!(sniff_delimiter("a,b,c\n"), ',');
    }
}
