//! One canonical form for every detector: what a member sees should be what a detector reads.

use unicode_normalization::UnicodeNormalization;

/// Characters that render as nothing and only serve to split a word a filter would catch.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{180E}' | '\u{00AD}'
            | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}'
            // Direction marks and isolates, emoji variation selectors, the blank braille cell.
            | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FE00}'..='\u{FE0F}'
            | '\u{2800}'
    )
}

/// Combining marks stacked on letters (`w̶x̶`, Zalgo text).
fn is_combining(c: char) -> bool {
    matches!(
        c,
        '\u{0300}'..='\u{036F}' | '\u{0483}'..='\u{0489}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}'
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
        'ν' | 'ᴠ' => 'v',
        'ш' | 'ω' | 'ԝ' | 'ᴡ' => 'w',
        'х' | 'χ' => 'x',
        'у' | 'γ' => 'y',
        other => other,
    }
}

/// Letters and digits in shapes NFKC leaves alone: negative circled digits (`❶`, `➊`), circled
/// sans-serif ones (`➀`), negative circled and squared capitals (`🅐`, `🅥`, `🅰`).
fn fold_enclosed(c: char) -> char {
    let code = c as u32;
    let digit = |offset: u32| char::from_digit(code - offset + 1, 10).unwrap_or(c);
    match code {
        0x2776..=0x277E => digit(0x2776),
        0x2780..=0x2788 => digit(0x2780),
        0x278A..=0x2792 => digit(0x278A),
        0x1F150..=0x1F169 => char::from_u32('a' as u32 + code - 0x1F150).unwrap_or(c),
        0x1F170..=0x1F189 => char::from_u32('a' as u32 + code - 0x1F170).unwrap_or(c),
        0x24FF => '0',
        _ => c,
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
            let enclosed = fold_enclosed(c);
            if enclosed != c {
                plain.push(enclosed);
                return;
            }
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
    spelt_dots(&mut plain);
    let mut out = String::with_capacity(plain.len());
    let mut index = 0;
    while index < plain.len() {
        if !plain[index].is_ascii_alphanumeric() {
            out.push(plain[index]);
            index += 1;
            continue;
        }
        // A run of letters and digits joined by dots or dot-words: `www点xx点com`.
        let start = index;
        let mut labels = 1;
        loop {
            while plain.get(index).is_some_and(char::is_ascii_alphanumeric) {
                index += 1;
            }
            let joined = plain
                .get(index)
                .is_some_and(|c| *c == '.' || is_dot_word(*c))
                && plain
                    .get(index + 1)
                    .is_some_and(char::is_ascii_alphanumeric);
            if !joined {
                break;
            }
            labels += 1;
            index += 1;
        }
        let www = plain[start..].starts_with(&['w', 'w', 'w']);
        // A dot-word makes an address only before an address's ending (`abc点com`, not
        // `打开bilibili点Live`, `Taylor·Swift·Live`), or in a run of numbers (an IP address).
        // Only a run with a dot-word needs the look (most are one word, or dotted plainly).
        let run = &plain[start..index];
        let addressed = labels > 1
            && run.iter().any(|c| is_dot_word(*c))
            && addressed(run, labels, www, plain.get(index));
        let mut label_start = start;
        for at in start..index {
            let c = plain[at];
            if c == '.' || is_dot_word(c) {
                let spelt = c == '．';
                let dot = c == '.'
                    || spelt
                    || (addressed && reads_as_dot(c, &plain[label_start..at], labels));
                out.push(if dot { '.' } else { c });
                label_start = at + 1;
            } else {
                out.push(c);
            }
        }
    }
    out
}

/// The endings of addresses written with dot-words, and of disguised links: those of real sites
/// and of cheap ones, not the English words that follow `点` ("tap") or `·` in chat (`app`,
/// `store`, `me`, `pro`, `live`, `shop`).
pub(crate) const ADDRESS_ENDINGS: &[&str] = &[
    "com", "cn", "net", "org", "cc", "co", "io", "top", "xyz", "vip", "icu", "cyou", "sbs", "buzz",
    "cfd", "wang", "xin", "ink", "ltd", "hk", "tw",
];

/// The text as written with only its dots and invisible characters undone: NFKC, lower case,
/// invisible and combining characters removed, every dot-word a dot; no look-alike folded.
/// A host found in it was disguised by its dots alone, not by borrowed letters.
pub(crate) fn with_plain_dots(text: &str) -> String {
    let mut plain: Vec<char> = text
        .nfkc()
        .filter(|c| !is_invisible(*c) && !is_combining(*c))
        .flat_map(char::to_lowercase)
        .collect();
    spelt_dots(&mut plain);
    plain
        .into_iter()
        .map(|c| if is_dot_word(c) { '.' } else { c })
        .collect()
}

/// A dot spelt in brackets between two letters or digits (`cheap(dot)shop`, `abc [dot] com`,
/// `xpj888(点)com`, `【点】`, `[.]`)
/// becomes one `．` (NFKC leaves none of its own), always read as a dot: it says so.
fn spelt_dots(plain: &mut Vec<char>) {
    const FORMS: &[&str] = &[
        "(dot)",
        "[dot]",
        "{dot}",
        "(点)",
        "[点]",
        "【点】",
        "(.)",
        "[.]",
        "{.}",
        "【.】",
    ];
    if !plain.iter().any(|c| matches!(c, '(' | '[' | '{' | '【')) {
        return;
    }
    let mut at = 1;
    while at < plain.len() {
        let before = usize::from(plain[at] == ' ');
        let form = at + before;
        let length = FORMS.iter().find_map(|f| {
            let n = f.chars().count();
            plain
                .get(form..form + n)
                .is_some_and(|w| w.iter().copied().eq(f.chars()))
                .then_some(n)
        });
        if let Some(length) = length {
            let after = form + length + usize::from(plain.get(form + length) == Some(&' '));
            if plain[at - 1].is_ascii_alphanumeric()
                && plain.get(after).is_some_and(char::is_ascii_alphanumeric)
            {
                plain.splice(at..after, ['．']);
            }
        }
        at += 1;
    }
}

/// Whether the dot-words of a `run` of `labels` make an address: an address's ending
/// (`abc点com`), or a cheap one after a label with a digit, before a path or in three parts or
/// more (`91av点live`, `t。me/+…`, `kw。v2mcfsip。shop`: not `打开bilibili点Live`); after `www`;
/// between numbers (an IP address). Not a region's or a level's name before Chinese
/// (`Steam点CN区`, `QQ点VIP中心`, `300点VIP经验`). `·` and `丶` stand between names
/// (`Taylor·Swift·Live`, `T1·Zeus·Top`): only `com`, `cn`, `net`, `org` make them dots.
fn addressed(run: &[char], labels: usize, www: bool, next: Option<&char>) -> bool {
    let is_dot = |c: &char| *c == '.' || is_dot_word(*c);
    let last = run.iter().rposition(is_dot).map_or(0, |at| at + 1);
    let ending = &run[last..];
    let is = |list: &[&str]| {
        list.iter()
            .any(|known| known.chars().eq(ending.iter().copied()))
    };
    if www || run.iter().all(|c| c.is_ascii_digit() || is_dot(c)) {
        return true;
    }
    if next.is_some_and(|c| "区服版会中经等专".contains(*c)) && is(&["cn", "hk", "tw", "vip"])
    {
        return false;
    }
    // Between names (`Faker·T1·Top`, `Ed·Sheeran·Co`), only the commonest endings.
    if run.iter().any(|c| matches!(c, '·' | '丶')) {
        return is(&["com", "cn", "net", "org"]);
    }
    if is(ADDRESS_ENDINGS) {
        return true;
    }
    let before_ending = &run[..last.saturating_sub(1)];
    let label_before = before_ending
        .iter()
        .rposition(is_dot)
        .map_or(before_ending, |at| &before_ending[at + 1..]);
    is(CHEAP_ENDINGS)
        && (label_before.iter().any(char::is_ascii_digit) || next == Some(&'/') || labels >= 3)
}

/// Endings of sites that are English words too (`live`, `shop`, `fun`, `me`, `tv`): an address
/// only with another sign of one ([`addressed`]).
pub(crate) const CHEAP_ENDINGS: &[&str] = &[
    "live", "shop", "fun", "club", "online", "site", "work", "pub", "win", "bid", "loan", "click",
    "me", "store", "app", "pro", "life", "link", "tech", "tv", "info", "biz",
];

/// Whether a dot-word after `label` in a run of `labels` that makes an address
/// ([`addressed`]) stands for a dot: `点` after a number of one or two digits is a time
/// (`今晚8点live`, `8点com`) unless the run has more parts.
fn reads_as_dot(c: char, label: &[char], labels: usize) -> bool {
    match c {
        '点' | '點' => labels > 2 || label.len() > 2 || !label.iter().all(char::is_ascii_digit),
        _ => true,
    }
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
        // A time, a nickname's decoration; the same signs in an address.
        check("今晚8点live，10点top up", "今晚8点live,10点top up");
        check("Ghost丶Live 带我上分", "ghost丶live 带我上分");
        check("www.abc.com 和 a丶b丶top", "www.abc.com 和 a丶b丶top");
        check("192点168点1点1", "192.168.1.1");
        check("Hello World", "hello world");
        check("w\u{2066}x\u{2069} v\u{FE0F}x 加ｑ\u{2800}1", "wx vx 加q1");
        check("1\u{FE0F}\u{20E3}3\u{FE0F}\u{20E3}8\u{FE0F}\u{20E3}", "138");
        check("w\u{0489}x\u{0489}", "wx");
        check("ᴠx ԝх 🅥🅧 🅰", "vx wx vx a");
        check("❶❸❽⓿ ➀➁ ➊➋", "1380 12 12");
        check("cheap(dot)shop and abc [dot] com", "cheap.shop and abc.com");
        check("www{dot}abc(dot)com", "www.abc.com");
        check("(dot) the i(dot)", "(dot) the i(dot)");
        // A dot-word before a word that ends no address is the word it is ("tap", a name).
        check("打开bilibili点Live看直播", "打开bilibili点live看直播");
        check("Taylor·Swift·Live", "taylor·swift·live");
        check(
            "T1·Zeus·Top 和 Ace丶Squad丶Top",
            "t1·zeus·top 和 ace丶squad丶top",
        );
        check("网址xpj888·com", "网址xpj888.com");
        check("用iPhone点App Store", "用iphone点app store");
        check("www点abc点live", "www.abc.live");
    }
}
