//! One canonical form for every detector: what a member sees should be what a detector reads.

use unicode_normalization::UnicodeNormalization;

/// Characters that render as nothing and only serve to split a word a filter would catch.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{180E}' | '\u{00AD}'
            | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}'
    )
}

/// Combining marks stacked on letters (`w̶x̶`, Zalgo text).
fn is_combining(c: char) -> bool {
    matches!(
        c,
        '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}'
    )
}

/// Cyrillic and Greek letters that look like Latin ones, folded to the Latin letter.
fn fold_lookalike(c: char) -> char {
    match c {
        'а' | 'α' => 'a',
        'в' | 'β' => 'b',
        'с' | 'ϲ' => 'c',
        'е' | 'ε' => 'e',
        'һ' => 'h',
        'і' | 'ι' => 'i',
        'ј' => 'j',
        'к' | 'κ' => 'k',
        'м' => 'm',
        'н' | 'η' => 'n',
        'о' | 'ο' | 'σ' => 'o',
        'р' | 'ρ' => 'p',
        'ѕ' => 's',
        'т' | 'τ' => 't',
        'и' | 'υ' => 'u',
        'ν' => 'v',
        'ш' | 'ω' => 'w',
        'х' | 'χ' => 'x',
        'у' | 'γ' => 'y',
        other => other,
    }
}

/// Separators that stand for a dot in a disguised address: `www点xx点com`, `kw。v2mcfsip。top`.
fn is_dot_word(c: char) -> bool {
    matches!(c, '点' | '點' | '。' | '．' | '｡' | '·' | '丶')
}

/// Normalises text for detection: Unicode NFKC (full-width → half-width, circled and
/// mathematical digits and letters → plain ones), invisible and combining characters removed,
/// look-alike letters folded, lower case, frequent traditional characters simplified, and a
/// dot-word between two letters or digits read as a dot.
pub fn normalize(text: &str) -> String {
    let mut plain: Vec<char> = Vec::with_capacity(text.len());
    let mut push = |c: char| {
        if is_invisible(c) || is_combining(c) {
            return;
        }
        if c.is_ascii() {
            plain.push(c.to_ascii_lowercase());
        } else if ('\u{3400}'..='\u{9FFF}').contains(&c) {
            // Han characters have no case and no look-alikes.
            plain.push(crate::traditional::simplify(c));
        } else if ('А'..='Я').contains(&c) {
            // Cyrillic capitals, common in spam, without the general case table.
            plain.push(fold_lookalike(char::from_u32(c as u32 + 32).unwrap_or(c)));
        } else {
            for lower in c.to_lowercase() {
                plain.push(crate::traditional::simplify(fold_lookalike(lower)));
            }
        }
    };
    // Most messages are NFKC already: the quick check saves the decomposition.
    if unicode_normalization::is_nfkc_quick(text.chars())
        == unicode_normalization::IsNormalized::Yes
    {
        text.chars().for_each(&mut push);
    } else {
        text.nfkc().for_each(&mut push);
    }
    let mut out = String::with_capacity(plain.len());
    for (index, c) in plain.iter().enumerate() {
        let between_ascii = index > 0
            && plain
                .get(index - 1)
                .is_some_and(char::is_ascii_alphanumeric)
            && plain
                .get(index + 1)
                .is_some_and(char::is_ascii_alphanumeric);
        if is_dot_word(*c) && between_ascii {
            out.push('.');
        } else {
            out.push(*c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn disguises_come_off() {
        let check =
            |input: &str, expected: &str| assert_eq!(normalize(input), expected, "{input:?}");
        check("加ＶＸ：ａｂｃ１２３", "加vx:abc123");
        check("１３８００１３８０００", "13800138000");
        check("w\u{200B}x\u{200D}: ab\u{FEFF}c", "wx: abc");
        check("w\u{0336}x\u{0336}", "wx");
        check("ⓌⓍ ①②③", "wx 123");
        check("𝐰𝐱 𝟏𝟐𝟑", "wx 123");
        check("wwѡ.ехаmрlе.com", "wwѡ.example.com");
        check("www点xx点com", "www.xx.com");
        check("kw。v2mcfsip。top", "kw.v2mcfsip.top");
        check("我有一点想你", "我有一点想你");
        check("Hello World", "hello world");
    }
}
