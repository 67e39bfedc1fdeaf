//! A message longer than a platform takes, in parts: Telegram counts 4,096 UTF-16 units, QQ
//! refuses or holds back long group messages. The parts go in order; each adapter's carrier
//! sends them and never sends one twice.

use steward_domain::{Action, MessageId, OutSegment, UserId};

/// The parts of a message as messages of their own: only the first replies to the message
/// the whole one answers.
pub(crate) fn sends(
    parts: Vec<Vec<OutSegment>>,
    reply_to: &Option<MessageId>,
) -> impl Iterator<Item = Action> + '_ {
    parts
        .into_iter()
        .enumerate()
        .map(move |(index, segments)| Action::Send {
            segments,
            reply_to: if index == 0 { reply_to.clone() } else { None },
        })
}

/// Segments in parts of at most `limit` units each, as the platform counts them: `units` of a
/// character, `mention` of a mention as members read it. A text too long for the part it is in
/// is cut at its last line end that fits (or, with none, at the last character that fits); a
/// mention is never cut (one longer than a whole part goes alone, for the platform to refuse).
pub(crate) fn in_parts(
    segments: &[OutSegment],
    limit: usize,
    units: fn(char) -> usize,
    mention: &dyn Fn(&UserId) -> usize,
) -> Vec<Vec<OutSegment>> {
    let mut parts: Vec<Vec<OutSegment>> = Vec::new();
    let mut part: Vec<OutSegment> = Vec::new();
    let mut used = 0;
    for segment in segments {
        let length = match segment {
            OutSegment::Text { text } => text.chars().map(units).sum(),
            OutSegment::Mention { user } => mention(user),
        };
        if used + length <= limit {
            used += length;
            part.push(segment.clone());
            continue;
        }
        let OutSegment::Text { text } = segment else {
            // A mention starts the next part.
            parts.extend((!part.is_empty()).then(|| std::mem::take(&mut part)));
            part.push(segment.clone());
            used = length;
            continue;
        };
        let mut rest = text.as_str();
        while !rest.is_empty() {
            // The longest head of `rest` that fits what is left of the part.
            let (mut fits, mut head) = (0, 0);
            for (at, c) in rest.char_indices() {
                if used + head + units(c) > limit {
                    break;
                }
                head += units(c);
                fits = at + c.len_utf8();
            }
            if fits == rest.len() {
                used += head;
                part.push(OutSegment::Text {
                    text: rest.to_owned(),
                });
                break;
            }
            // Cut after the last line end that fits; a part already holding text gives a text
            // without one to the next part whole rather than cut it mid-line (a part of
            // mentions alone would be a bare ping: the text is cut to follow them).
            let holds_text = part.iter().any(
                |segment| matches!(segment, OutSegment::Text { text } if !text.trim().is_empty()),
            );
            let cut = match rest[..fits].rfind('\n') {
                // A line end after the mentions alone would leave them a part of their own.
                Some(line_end) if holds_text || !rest[..line_end].trim().is_empty() => line_end + 1,
                Some(_) => fits,
                None if holds_text || (used > 0 && fits == 0) => 0,
                None => fits.max(rest.chars().next().map_or(0, char::len_utf8)),
            };
            if cut > 0 {
                part.push(OutSegment::Text {
                    text: rest[..cut].to_owned(),
                });
            }
            rest = &rest[cut..];
            parts.extend((!part.is_empty()).then(|| std::mem::take(&mut part)));
            used = 0;
        }
    }
    parts.extend((!part.is_empty()).then_some(part));
    // A part of line ends alone (cut between a full part and the next) says nothing, and
    // platforms refuse an empty message.
    parts.retain(|part| {
        part.iter().any(|segment| match segment {
            OutSegment::Text { text } => !text.trim().is_empty(),
            OutSegment::Mention { .. } => true,
        })
    });
    // A message with nothing to say still goes as one, for the platform to refuse: dropped, it
    // would be recorded as sent.
    if parts.is_empty() {
        parts.push(segments.to_vec());
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text of each part, as a member reads it.
    fn parts_of(segments: &[OutSegment], limit: usize) -> Vec<String> {
        in_parts(segments, limit, char::len_utf16, &|user| {
            format!("<{user}>").len()
        })
        .iter()
        .map(|part| {
            part.iter()
                .map(|segment| match segment {
                    OutSegment::Text { text } => text.clone(),
                    OutSegment::Mention { user } => format!("<{user}>"),
                })
                .collect()
        })
        .collect()
    }

    #[test]
    fn a_long_message_goes_in_parts_cut_at_line_ends() {
        let text = |text: &str| OutSegment::Text {
            text: text.to_owned(),
        };
        // Short: one part, as it was.
        assert_eq!(parts_of(&[text("你好")], 10), vec!["你好"]);
        // Lines: cut after the last line end that fits.
        let lines = "第一行\n第二行\n第三行\n";
        assert_eq!(
            parts_of(&[text(lines)], 9),
            vec!["第一行\n第二行\n", "第三行\n"]
        );
        // No line end: cut at the limit; nothing lost, nothing repeated.
        let long = "广".repeat(25);
        let parts = parts_of(&[text(&long)], 10);
        assert_eq!(
            parts.iter().map(|p| p.chars().count()).collect::<Vec<_>>(),
            [10, 10, 5]
        );
        assert_eq!(parts.concat(), long);
        // Emoji count two UTF-16 units, as Telegram counts; one character where a character
        // is the unit.
        let emoji = "😀".repeat(7);
        let parts = parts_of(&[text(&emoji)], 10);
        assert_eq!(
            parts.iter().map(|p| p.chars().count()).collect::<Vec<_>>(),
            [5, 2]
        );
        assert_eq!(in_parts(&[text(&emoji)], 10, |_| 1, &|_| 1).len(), 1);
        // A mention is never cut, and a text without a line end after it moves whole.
        let parts = parts_of(
            &[
                OutSegment::Mention { user: "5".into() },
                text(" 欢迎"),
                text("请先阅读群规全文"),
            ],
            10,
        );
        assert_eq!(parts, vec!["<5> 欢迎", "请先阅读群规全文"]);
        // A mention alone is no part: the text after it is cut to follow it.
        let parts = parts_of(
            &[
                OutSegment::Mention { user: "5".into() },
                text("请先阅读群规全文再发言"),
            ],
            10,
        );
        assert_eq!(parts, vec!["<5>请先阅读群规全", "文再发言"]);
        // Nor two mentions with a space between them (a welcome for two newcomers).
        let parts = parts_of(
            &[
                OutSegment::Mention { user: "5".into() },
                text(" "),
                OutSegment::Mention { user: "6".into() },
                text("请先阅读群规全文再发言"),
            ],
            10,
        );
        assert_eq!(parts, vec!["<5> <6>请先阅", "读群规全文再发言"]);
        // Nor when a line end follows them at once (a welcome's usual form).
        let parts = parts_of(
            &[
                OutSegment::Mention { user: "5".into() },
                text(" "),
                OutSegment::Mention { user: "6".into() },
                text("\n请先阅读群规全文再发言"),
            ],
            10,
        );
        assert_eq!(parts, vec!["<5> <6>\n请先", "阅读群规全文再发言"]);
        // Nothing to say: one part still, for the platform to refuse.
        assert_eq!(parts_of(&[text("  \n")], 10), vec!["  \n"]);
        assert_eq!(in_parts(&[], 10, |_| 1, &|_| 1), vec![Vec::new()]);
        // Never a part of line ends alone.
        let parts = parts_of(
            &[text(&format!("{}\n\n{}", "A".repeat(9), "B".repeat(15)))],
            10,
        );
        assert!(
            parts.iter().all(|part| !part.trim().is_empty()),
            "{parts:?}"
        );
        assert_eq!(
            parts.concat().replace('\n', ""),
            format!("{}{}", "A".repeat(9), "B".repeat(15))
        );
        let parts = parts_of(&[text(&"A".repeat(10)), text("\n")], 10);
        assert_eq!(parts, vec!["A".repeat(10)]);
    }
}
