//! Labelled message files, as evaluation and training read them. One message per line, in one of
//! the forms public sets use: `text==1` / `text==0`, or `label<TAB>text` with labels `1`/`0` or
//! `spam`/`ham`. Empty lines are skipped; Windows line ends are accepted.

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("line {line}: {problem}")]
pub struct LabelError {
    pub line: usize,
    pub problem: String,
}

/// Parses a labelled file: (text, is_spam) in file order.
pub fn parse_labelled(content: &str) -> Result<Vec<(String, bool)>, LabelError> {
    let mut out = Vec::new();
    for (index, line) in content.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let parsed = parse_line(line).ok_or_else(|| LabelError {
            line: index + 1,
            problem: format!(
                "expected `text==1`, `text==0` or `label<TAB>text` (label 1/0/spam/ham), found `{}`",
                line.chars().take(60).collect::<String>()
            ),
        })?;
        out.push(parsed);
    }
    Ok(out)
}

/// A line's message and label. A label with no message (`==0`) is an empty message: public sets
/// hold such lines (the QQ-group set's fourth), and no detector flags one.
fn parse_line(line: &str) -> Option<(String, bool)> {
    if let Some((text, label)) = line.rsplit_once("==")
        && let Some(label) = label_of(label.trim())
    {
        return Some((text.to_owned(), label));
    }
    // `label<TAB>text`; some copies of the SMS set have spaces instead of the tab.
    let (label, text) = line.split_once(['\t', ' '])?;
    let label = label_of(label)?;
    Some((text.trim_start().to_owned(), label))
}

fn label_of(label: &str) -> Option<bool> {
    match label.to_ascii_lowercase().as_str() {
        "1" | "spam" => Some(true),
        "0" | "ham" => Some(false),
        _ => None,
    }
}

/// Unlabelled lines of a file (for `--spam FILE --ham FILE`): every non-empty line is a message.
pub fn plain_lines(content: &str, label: bool) -> Vec<(String, bool)> {
    content
        .lines()
        .map(|line| line.trim_end_matches('\r'))
        .filter(|line| !line.trim().is_empty())
        .map(|line| (line.to_owned(), label))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_published_form() {
        let content = "加群123==1\r\n聊天==0\r\n\nspam\tWIN cash\nham\tsee you\n1\tad\n0\tchat\nham  two spaces\na==b==0\n";
        let rows = parse_labelled(content).unwrap();
        assert_eq!(
            rows,
            vec![
                ("加群123".to_owned(), true),
                ("聊天".to_owned(), false),
                ("WIN cash".to_owned(), true),
                ("see you".to_owned(), false),
                ("ad".to_owned(), true),
                ("chat".to_owned(), false),
                ("two spaces".to_owned(), false),
                ("a==b".to_owned(), false),
            ]
        );
    }

    #[test]
    fn a_line_without_a_label_is_named() {
        let err = parse_labelled("ok==1\nno label here\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(parse_labelled("text==2").is_err());
        assert_eq!(parse_labelled("==0").unwrap(), vec![(String::new(), false)]);
    }
}
