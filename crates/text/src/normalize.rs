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

/// Small capitals, as font generators write them to pass word filters (`ꜰʀᴇᴇ ᴍᴏɴᴇʏ`, and in
/// Russian `Пᴏддᴇᴧьнᴀя ʙᴀᴧюᴛᴀ`), and the Cherokee letters they mix in (`Ꮶуᴨюᴩы ᏢФ`): folded
/// as the letters they stand for are (`ᴏ` as `о` and `o`, `ᴨ` to `п`). `ʜ` is `н` among Cyrillic
/// letters and `h` elsewhere: [`normalize`] decides.
fn fold_small_capital(c: char) -> char {
    match c {
        'ᴀ' | 'Ꭺ' => 'a',
        'ʙ' | 'Ᏼ' => 'b',
        'ᴄ' | 'Ꮯ' => 'c',
        'ᴅ' | 'Ꭰ' => 'd',
        'ᴇ' | 'Ꭼ' => 'e',
        'ꜰ' => 'f',
        'ɢ' | 'Ꮐ' => 'g',
        'ɪ' => 'i',
        'ᴊ' | 'Ꭻ' => 'j',
        'ᴋ' | 'Ꮶ' => 'k',
        'ʟ' | 'Ꮮ' => 'l',
        'ᴍ' | 'ʍ' | 'Ꮇ' => 'm',
        'ɴ' => 'n',
        'ᴏ' | 'Ꮻ' => 'o',
        'ᴘ' | 'ᴩ' | 'Ꮲ' => 'p',
        'ʀ' => 'r',
        'ꜱ' | 'Ꮪ' => 's',
        'ᴛ' | 'Ꭲ' => 't',
        'ᴜ' | 'ᴎ' => 'u',
        'Ꮩ' => 'v',
        'ɯ' | 'Ꮃ' => 'w',
        'ʏ' => 'y',
        'ᴢ' | 'Ꮓ' => 'z',
        'ᴧ' => 'л',
        'ᴨ' => 'п',
        'ᴦ' => 'г',
        'ɜ' => 'з',
        'ᴙ' => 'я',
        'ɸ' => 'ф',
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

/// Characters NFKC leaves as they are whatever stands around them (no decomposition, not
/// combining): ASCII, Latin-1 letters, Cyrillic, Chinese characters, the usual quotes, dashes
/// and brackets, most emoji. The library's quick check looks each character up in two tables;
/// long posts spent a third of their normalising there.
fn stays_nfkc(c: char) -> bool {
    // The usual scripts first, as a message is read character by character.
    match c {
        '\0'..='\x7f' | '\u{4E00}'..='\u{9FFF}' | '\u{400}'..='\u{482}' | '\u{48A}'..='\u{4FF}' => {
            true
        }
        _ => matches!(c,
            '\u{C0}'..='\u{FF}' | '\u{AB}' | '\u{BB}'
                | '\u{2013}'..='\u{2014}' | '\u{2018}'..='\u{2019}' | '\u{201C}'..='\u{201D}'
                | '\u{3001}'..='\u{3002}' | '\u{300A}'..='\u{3011}'
                | '\u{1F300}'..='\u{1F64F}' | '\u{1F680}'..='\u{1F6FF}' | '\u{1F900}'..='\u{1F9FF}'
        ),
    }
}

/// Separators that stand for a dot in a disguised address: `www点xx点com`, `kw。v2mcfsip。top`.
fn is_dot_word(c: char) -> bool {
    matches!(c, '点' | '點' | '。' | '．' | '｡' | '·' | '丶')
}

/// Commas glued between two letters or digits, which stand for a dot when the run reads as an
/// address ([`comma_address`]: `www、xpj888、com`, `网址xpj888，com`).
fn is_comma(c: char) -> bool {
    matches!(c, ',' | '、')
}

/// The most joints a run joined by commas is read with.
const MOST_COMMA_PARTS: usize = 4;

/// Normalises text for detection: Unicode NFKC (full-width → half-width, circled and
/// mathematical digits and letters → plain ones), invisible and combining characters removed,
/// look-alike letters folded, lower case, frequent traditional characters simplified, and a
/// dot-word between two letters or digits read as a dot.
/// A name compared as people type it: Unicode NFKC (full-width letters and digits as ASCII)
/// and lower case, nothing more (no look-alike, traditional or spelt-dot folding): `ＶＩＰ` and
/// `vip` are one name, `VIP會員` and `vip会员` are two.
pub fn case_and_width_folded(text: &str) -> String {
    text.trim().nfkc().collect::<String>().to_lowercase()
}

pub fn normalize(text: &str) -> String {
    let mut plain: Vec<char> = Vec::with_capacity(text.len());
    // Whether the text has Cyrillic letters, asked only of a small capital `ʜ`.
    let mut cyrillic: Option<bool> = None;
    let mut push = |c: char| {
        // The frequent scripts first: none of them is invisible or combining.
        if c.is_ascii() {
            plain.push(c.to_ascii_lowercase());
        } else if ('\u{3400}'..='\u{9FFF}').contains(&c) {
            // Han characters have no case and no look-alikes.
            plain.push(crate::traditional::simplify(c));
        } else if ('А'..='Я').contains(&c) {
            // Cyrillic capitals, common in spam, without the general case table.
            plain.push(fold_lookalike(char::from_u32(c as u32 + 32).unwrap_or(c)));
        } else if ('а'..='џ').contains(&c) {
            // Small Cyrillic letters (Russian posts are long): lower case already.
            plain.push(fold_lookalike(c));
        } else if is_invisible(c) || is_combining(c) {
            // Dropped.
        } else {
            let enclosed = fold_enclosed(c);
            if enclosed != c {
                plain.push(enclosed);
                return;
            }
            if c == 'ʜ' {
                let cyrillic = *cyrillic.get_or_insert_with(|| {
                    text.chars().any(|c| ('\u{400}'..='\u{4FF}').contains(&c))
                });
                plain.push(if cyrillic { 'n' } else { 'h' });
                return;
            }
            // A Cherokee capital is folded before its case: its small letter is another.
            for lower in fold_small_capital(c).to_lowercase() {
                plain.push(crate::traditional::simplify(fold_lookalike(lower)));
            }
        }
    };
    // Most messages are NFKC already: the quick check saves the decomposition, and a message
    // in the characters most chat is written in needs no check at all.
    if text.chars().all(stays_nfkc)
        || unicode_normalization::is_nfkc_quick(text.chars())
            == unicode_normalization::IsNormalized::Yes
    {
        text.chars().for_each(&mut push);
    } else {
        text.nfkc().for_each(&mut push);
    }
    spelt_dots(&mut plain);
    zero_for_o(&mut plain);
    spaced_letters(&mut plain);
    let mut out = String::with_capacity(plain.len());
    let mut index = 0;
    while index < plain.len() {
        if !plain[index].is_ascii_alphanumeric() {
            out.push(plain[index]);
            index += 1;
            continue;
        }
        // A run of letters and digits joined by dots or dot-words: `www点xx点com`, or with
        // spaces around them (`xpj888 点 com`, `abc123 dot com`).
        let start = index;
        let mut joints: Vec<Joint> = Vec::new();
        loop {
            while plain.get(index).is_some_and(char::is_ascii_alphanumeric) {
                index += 1;
            }
            let Some(joint) = joint_at(&plain, index) else {
                break;
            };
            // A sentence after an address is no part of it (`xpj888 点 com. Bonus`).
            if joint.lopsided && !plain[start..].starts_with(&['w', 'w', 'w']) {
                break;
            }
            // No address has so many parts, and a list's commas read again from each comma
            // would cost the square of its length (`1,2,3,…`).
            if is_comma(joint.sign) && joints.len() >= MOST_COMMA_PARTS {
                break;
            }
            index = joint.to;
            joints.push(joint);
        }
        // A dot-word or a spaced joint makes an address only when the run reads as one
        // ([`addressed`]: `abc点com`, not `打开bilibili点Live`); most runs are one word, or
        // dotted plainly, and need no look. It makes dots of all the joints, or, when a run with
        // spaces is no address, of those before its first spaced joint on their own
        // (`xpj888点com . Bonus`).
        let needs_look = |joints: &[Joint]| joints.iter().any(|j| j.spaced || is_dot_word(j.sign));
        let mut read = 0;
        // A comma joins a run only when the run reads as an address with it; otherwise the run
        // ends at its first comma, and what follows is read as a run of its own
        // (`1,xpj888点com`, `abc点com,xyz点com`).
        if let Some(first) = joints.iter().position(|j| is_comma(j.sign)) {
            if addressed(&Run::new(&plain, start, index, &joints), &plain[index..]) {
                read = joints.len();
            } else {
                index = joints[first].from;
                joints.truncate(first);
            }
        }
        if read == 0 && needs_look(&joints) {
            if addressed(&Run::new(&plain, start, index, &joints), &plain[index..]) {
                read = joints.len();
            } else if let Some(first) = joints.iter().position(|j| j.spaced)
                && needs_look(&joints[..first])
                && addressed(
                    &Run::new(&plain, start, joints[first].from, &joints[..first]),
                    &plain[joints[first].from..],
                )
            {
                read = first;
            }
        }
        let mut at = start;
        let mut label_start = start;
        for (position, joint) in joints.iter().enumerate() {
            out.extend(&plain[at..joint.from]);
            let label = &plain[label_start..joint.from];
            let dot = (joint.sign == '.' && !joint.spaced)
                || joint.sign == '．'
                || (position < read && reads_as_dot(joint.sign, label, read + 1));
            if dot {
                out.push('.');
            } else {
                out.extend(&plain[joint.from..joint.to]);
            }
            at = joint.to;
            label_start = joint.to;
        }
        out.extend(&plain[at..index]);
    }
    out
}

/// What joins two labels of a run: a dot or a dot-word, alone (`abc.com`, `abc点com`) or with a
/// space or two around it (`abc . com`, `xpj888 点 com`, `kw。 v2`), or the word `dot` between
/// spaces (`abc123 dot com`, sign `d`), or a comma with no space ([`is_comma`]).
/// `plain[from..to]` is the joint, spaces included.
struct Joint {
    from: usize,
    to: usize,
    sign: char,
    spaced: bool,
    /// A full stop with a space on one side only: how a sentence ends (`in 2015. Life goes
    /// on`) or a name starts (`VS2022 .NET`, `vec3 .xyz`); an address only after `www`
    /// (`www. abc. com`, `www.abc .com`).
    lopsided: bool,
}

fn joint_at(plain: &[char], at: usize) -> Option<Joint> {
    // Most words end at a space or a sign that joins nothing.
    if !plain
        .get(at)
        .is_some_and(|c| *c == ' ' || *c == '.' || is_dot_word(*c) || is_comma(*c))
    {
        return None;
    }
    if is_comma(plain[at]) {
        return plain
            .get(at + 1)
            .is_some_and(char::is_ascii_alphanumeric)
            .then_some(Joint {
                from: at,
                to: at + 1,
                sign: plain[at],
                spaced: false,
                lopsided: false,
            });
    }
    let spaces = |from: usize| {
        plain[from.min(plain.len())..]
            .iter()
            .take(3)
            .take_while(|c| **c == ' ')
            .count()
    };
    let before = spaces(at);
    let sign_at = at + before;
    let (sign, length) = match plain.get(sign_at) {
        Some(c) if *c == '.' || is_dot_word(*c) => (*c, 1),
        _ if before > 0 && plain.get(sign_at..sign_at + 3).is_some_and(spelt_dot) => ('d', 3),
        _ => return None,
    };
    let after = spaces(sign_at + length);
    let to = sign_at + length + after;
    // Two spaces at most on a side: a longer gap is a sentence's or a list's.
    if before > 2 || after > 2 || (sign == 'd' && after == 0) {
        return None;
    }
    plain
        .get(to)
        .is_some_and(char::is_ascii_alphanumeric)
        .then_some(Joint {
            from: at,
            to,
            sign,
            spaced: before + after > 0 || sign == 'd',
            lopsided: sign == '.' && (before == 0) != (after == 0),
        })
}

/// The word `dot`, or `d0t` with a zero for the o.
fn spelt_dot(word: &[char]) -> bool {
    matches!(word, ['d', 'o' | '0', 't'])
}

/// A run's labels, and how they are joined.
struct Run<'a> {
    /// The text before the run.
    before: &'a [char],
    labels: Vec<&'a [char]>,
    joints: &'a [Joint],
    www: bool,
}

impl<'a> Run<'a> {
    fn new(plain: &'a [char], start: usize, end: usize, joints: &'a [Joint]) -> Run<'a> {
        let mut labels = Vec::with_capacity(joints.len() + 1);
        let mut from = start;
        for joint in joints {
            labels.push(&plain[from..joint.from]);
            from = joint.to;
        }
        labels.push(&plain[from..end]);
        Run {
            before: &plain[..start],
            www: labels[0] == ['w', 'w', 'w'],
            labels,
            joints,
        }
    }
}

/// Letters spaced one by one to pass a filter (`w w w . x p j 8 8 8 . c o m`): seven or more
/// single letters, digits and dots, each after one space, with two letters or digits on each side
/// of a dot, lose their spaces when they begin with `www` and end in an address's ending, or end
/// in an ending only addresses have and hold a digit. Words are never one letter long so often,
/// and shouting (`H U G E . W I N`, `G O O D . N E T`) has no digit.
fn spaced_letters(plain: &mut Vec<char>) {
    let single = |c: char| c.is_ascii_alphanumeric() || c == '.' || is_dot_word(c);
    // Most messages have no dot between spaces, and need no closer look.
    let dotted = |w: &[char]| w[0] == ' ' && w[2] == ' ' && (w[1] == '.' || is_dot_word(w[1]));
    if !plain.windows(3).any(dotted) {
        return;
    }
    let mut out = Vec::with_capacity(plain.len());
    let mut at = 0;
    while at < plain.len() {
        let starts = single(plain[at])
            && (at == 0 || !plain[at - 1].is_ascii_alphanumeric())
            && plain.get(at + 1) == Some(&' ');
        if !starts {
            out.push(plain[at]);
            at += 1;
            continue;
        }
        // Tokens at at, at + 2, at + 4... while each is one character followed by a space.
        let mut end = at + 1;
        while plain.get(end) == Some(&' ')
            && plain.get(end + 1).is_some_and(|c| single(*c))
            && plain
                .get(end + 2)
                .is_none_or(|c| *c == ' ' || !c.is_ascii_alphanumeric())
        {
            end += 2;
        }
        let tokens: Vec<char> = plain[at..end].iter().step_by(2).copied().collect();
        let pieces: Vec<&[char]> = tokens.split(|c| *c == '.' || is_dot_word(*c)).collect();
        let is = |piece: Option<&&[char]>, list: &[&str]| {
            piece.is_some_and(|p| list.iter().any(|e| e.chars().eq(p.iter().copied())))
        };
        let address = (is(pieces.first(), &["www"]) && is(pieces.last(), ADDRESS_ENDINGS))
            || (is(pieces.last(), ONLY_ADDRESSES) && tokens.iter().any(char::is_ascii_digit));
        if tokens.len() >= 7 && pieces.iter().all(|p| p.len() >= 2) && address {
            out.extend(&tokens);
        } else {
            out.extend(&plain[at..end]);
        }
        at = end;
    }
    *plain = out;
}

/// The endings of addresses written with dot-words, and of disguised links: those of real sites
/// and of cheap ones, not the English words that follow `点` ("tap") or `·` in chat (`app`,
/// `store`, `me`, `pro`, `live`, `shop`).
pub(crate) const ADDRESS_ENDINGS: &[&str] = &[
    "com", "cn", "net", "org", "cc", "co", "io", "top", "xyz", "vip", "icu", "cyou", "sbs", "buzz",
    "cfd", "wang", "xin", "ink", "ltd", "hk", "tw",
];

/// The text as written with only its dots and invisible characters undone: NFKC, lower case,
/// invisible and combining characters removed, every dot-word a dot, the spaces around a dot
/// between letters and those between spaced letters gone; no look-alike folded.
/// A host found in it was disguised by its dots alone, not by borrowed letters.
pub(crate) fn with_plain_dots(text: &str) -> String {
    let mut plain: Vec<char> = text
        .nfkc()
        .filter(|c| !is_invisible(*c) && !is_combining(*c))
        .flat_map(char::to_lowercase)
        .collect();
    spelt_dots(&mut plain);
    spaced_letters(&mut plain);
    let mut out = String::with_capacity(plain.len());
    let mut index = 0;
    while index < plain.len() {
        let c = plain[index];
        index += 1;
        if c.is_ascii_alphanumeric()
            && let Some(joint) = joint_at(&plain, index)
        {
            out.push(c);
            out.push('.');
            index = joint.to;
        } else {
            out.push(if is_dot_word(c) { '.' } else { c });
        }
    }
    out
}

/// `com` spelt with a zero after a dot-word or a spelt dot (`xpj888点c0m`, `xpj888 d0t c0m`), or
/// after a plain dot and a name of letters and a number of two digits or more (`xpj888.c0m`):
/// the zero is an o. Code has `c0m` for a centre of mass (`body.c0m`, `body2.c0m`, `p1.c0m`); a
/// word goes on after it (`.c0mpany`), and a `c0m` after no name is none (`.c0m.c0m`).
fn zero_for_o(plain: &mut [char]) {
    // Most messages have no zero between a c and an m.
    if !plain.windows(3).any(|w| w == ['c', '0', 'm']) {
        return;
    }
    for at in 1..plain.len().saturating_sub(2) {
        if plain[at..at + 3] == ['c', '0', 'm']
            && plain.get(at + 3).is_none_or(|c| !c.is_ascii_alphanumeric())
            && dot_before(&plain[..at])
        {
            plain[at + 1] = 'o';
        }
    }
}

/// Whether `before` ends in a dot-word or a spelt `dot` (up to two spaces on each side) after a
/// letter or a digit, or in a plain dot after a name of letters and a number.
fn dot_before(before: &[char]) -> bool {
    let trim =
        |text: &[char]| text.len() - text.iter().rev().take(2).take_while(|c| **c == ' ').count();
    let before = &before[..trim(before)];
    let n = before.len();
    let rest = match before.last() {
        Some('.') => {
            let name: Vec<char> = before[..n - 1]
                .iter()
                .rev()
                .take_while(|c| c.is_ascii_alphanumeric())
                .copied()
                .collect();
            // Sites number their names (`xpj888`, `bet365`); code its bodies (`body2`, `p1`).
            let digits = name
                .split(|c| !c.is_ascii_digit())
                .map(<[char]>::len)
                .max()
                .unwrap_or(0);
            return digits >= 2 && name.iter().any(char::is_ascii_lowercase);
        }
        Some(c) if is_dot_word(*c) => &before[..n - 1],
        _ if n > 3 && before[n - 4] == ' ' && spelt_dot(&before[n - 3..]) => &before[..n - 3],
        _ => return false,
    };
    rest[..trim(rest)]
        .last()
        .is_some_and(char::is_ascii_alphanumeric)
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
        "( dot )",
        "[ dot ]",
        "{ dot }",
    ];
    if !plain.iter().any(|c| matches!(c, '(' | '[' | '{' | '【')) {
        return;
    }
    let mut at = 1;
    while at < plain.len() {
        let before = usize::from(plain[at] == ' ');
        let form = at + before;
        // Every form opens with a bracket after a letter or a digit.
        if !plain[at - 1].is_ascii_alphanumeric()
            || !plain
                .get(form)
                .is_some_and(|c| matches!(c, '(' | '[' | '{' | '【'))
        {
            at += 1;
            continue;
        }
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

/// Whether the dot-words of a `run` make an address: an address's ending (`abc点com`), or a
/// cheap one after a label with a digit, before a path or in three parts or more (`91av点live`,
/// `t。me/+…`, `kw。v2mcfsip。shop`: not `打开bilibili点Live`); after `www`; between numbers (an
/// IP address). Not a region's or a level's name before Chinese (`Steam点CN区`, `QQ点VIP中心`,
/// `300点VIP经验`). `·` and `丶` stand between names (`Taylor·Swift·Live`, `T1·Zeus·Top`): only
/// `com`, `cn`, `net`, `org` make them dots. Spaces around a joint ([`spaced_address`]) ask more.
fn addressed(run: &Run<'_>, after: &[char]) -> bool {
    let next = after.first();
    let ending = run.labels[run.labels.len() - 1];
    let is = |list: &[&str]| {
        list.iter()
            .any(|known| known.chars().eq(ending.iter().copied()))
    };
    if run.joints.iter().any(|j| is_comma(j.sign)) {
        return comma_address(run, &is, after);
    }
    let numbers = run
        .labels
        .iter()
        .all(|label| label.iter().all(char::is_ascii_digit));
    if run.joints.iter().any(|j| j.spaced) {
        return !numbers && spaced_address(run, after);
    }
    if run.www || numbers {
        return true;
    }
    if next.is_some_and(|c| REGION_SIGNS.contains(*c)) && is(&["cn", "hk", "tw", "vip"]) {
        return false;
    }
    // Between names (`Faker·T1·Top`, `Ed·Sheeran·Co`), only the commonest endings.
    if run.joints.iter().any(|j| matches!(j.sign, '·' | '丶')) {
        return is(&["com", "cn", "net", "org"]);
    }
    let label_before = run.labels[run.labels.len() - 2];
    // A number before `点` names a point (`第35点xyz坐标`) or counts them where they are given,
    // spent or named (`签到送100点vip`, `积分满1000点app里`, `300点vip积分`); a casino's name
    // is a number too (`8888点vip`, `3522点com`). After two digits only `com` (`36点net
    // worth`, `30点cc装`; `28点com`).
    if run.labels.len() == 2
        && matches!(run.joints[0].sign, '点' | '點')
        && label_before.iter().all(char::is_ascii_digit)
    {
        let ordinal = run.before.last() == Some(&'第');
        let given = run
            .before
            .last()
            .is_some_and(|c| "送充满领得扣兑加赚".contains(*c));
        let rest: String = after.iter().take(2).collect();
        let named = ["积分", "会员", "经验", "币", "券"]
            .iter()
            .any(|word| rest.starts_with(word));
        if ordinal || given || named || (label_before.len() <= 2 && !is(&["com"])) {
            return false;
        }
    }
    // A sentence's full stop between two words (`David。Wang`, `CN。TOP`): an address before an
    // ending no word has, after a label with a digit (`xpj888。top`) or before a path.
    if run.labels.len() == 2
        && run.joints.iter().all(|j| matches!(j.sign, '。' | '｡'))
        && !is(ONLY_ADDRESSES)
        && !label_before.iter().any(char::is_ascii_digit)
        && next != Some(&'/')
    {
        return false;
    }
    if is(ADDRESS_ENDINGS) {
        return true;
    }
    is(CHEAP_ENDINGS)
        && (label_before.iter().any(char::is_ascii_digit)
            || next == Some(&'/')
            || run.labels.len() >= 3)
}

/// Whether a run with spaces around a joint is an address written apart (`xpj888 点 com`,
/// `www . abc . com`, `t . me/…`, `kw。 v2mcfsip。 top`): chat puts spaces around words, so
/// more than an ending is asked. After `www`, any ending. Otherwise (a plain dot spaced on one
/// side only, `in 2015. Life`, `VS2022 .NET`, ends the run before it comes here) nothing plainly
/// dotted comes before (`spam.vip . com` is not under `vip.com`), no port or region follows (`USB
/// 点 COM 口`, `Steam 点 CN区`) and no name sign joins it (`·`, `丶`). Then before `com`, `org`, `xyz`, `icu`, `cyou`: a label with letters and digits
/// (`bet365`) or five digits or more (not a year, points or a time), a path with a digit
/// (`tinyurl . com/yc8abc`), or a word and `点` (`bocai 点 com`; not `the dot com`); before `net`, which
/// is also Microsoft's `.NET` (`VB 。NET`), a label with letters and digits or a path, not
/// after `。`; before `top`, `vip`, `cc`, `cn`, `live`, `shop`, `club`: three parts, the one
/// before the ending with letters and digits (`kw。 v2mcfsip。 top`); Telegram's `t . me/…` and
/// `t . me / …`.
/// So `Level 100. Top`, `300 点 VIP 经验`, `用 PS5 点 Store`, `iPhone15 。 Pro`, `T1 。 Zeus 。
/// Top`, `the dot com bubble`, `我 2020 点 com`, `1. 2. 3.` stay as they are.
fn spaced_address(run: &Run<'_>, after: &[char]) -> bool {
    let next = after.first();
    let ending: String = run.labels[run.labels.len() - 1].iter().collect();
    let ending = ending.as_str();
    if run.www {
        return ADDRESS_ENDINGS.contains(&ending) || CHEAP_ENDINGS.contains(&ending);
    }
    let following = after.iter().find(|c| **c != ' ');
    if run.joints.iter().any(|j| j.sign == '.' && !j.spaced)
        || following.is_some_and(|c| REGION_SIGNS.contains(*c) || matches!(c, '口' | '端'))
        || run.joints.iter().any(|j| matches!(j.sign, '·' | '丶'))
    {
        return false;
    }
    let label_before = run.labels[run.labels.len() - 2];
    let letters = label_before.iter().any(char::is_ascii_alphabetic);
    let digits = label_before.iter().filter(|c| c.is_ascii_digit()).count();
    let numbered = (letters && digits > 0) || digits >= 5;
    // A link's path: `tinyurl . com/yc8abc` (not `on . com/net`).
    let path = next == Some(&'/') && {
        let segment: Vec<&char> = after
            .iter()
            .skip(1)
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        segment.len() >= 4 && segment.iter().any(|c| c.is_ascii_digit())
    };
    let spelt = run.joints.iter().any(|j| matches!(j.sign, '点' | '點'));
    let stop = run.joints.iter().any(|j| matches!(j.sign, '。' | '｡'));
    match ending {
        "com" | "org" | "xyz" | "icu" | "cyou" => numbered || path || (spelt && letters),
        "net" => (numbered || path) && !stop,
        "top" | "vip" | "cc" | "cn" | "live" | "shop" | "club" => {
            run.labels.len() >= 3 && letters && digits > 0
        }
        "me" => label_before == ['t'] && following == Some(&'/'),
        _ => false,
    }
}

/// Whether a run joined by commas as well is an address. A comma is the commonest sign in
/// Chinese, between any two words (`住院部B2，ICU在三楼`, `win10，com组件`, `vec3，xyz分量`,
/// `emacs29,org-mode`), so more is asked than of a dot-word: `www`, a name and an ending
/// (`www、xpj888、com`; not `www、com、cn分别是什么`), or a word that announces an address right
/// before the run and an ending no word has (`网址xpj888，com`, `官网：amjs，com`; not `登录
/// web、app`, `网站 asp，net`). Never before a port or a region
/// (`rtx4090，com口`). Numbers (`1,000,000`), lists (`a,b,com`) and code (`f(x1,com)`) are none.
fn comma_address(run: &Run<'_>, is: &dyn Fn(&[&str]) -> bool, after: &[char]) -> bool {
    const ANNOUNCED: &[&str] = &[
        "网址", "网站", "官网", "域名", "地址", "网页", "链接", "登录", "登陆", "访问",
    ];
    let ending = is(ADDRESS_ENDINGS) || is(CHEAP_ENDINGS);
    let following = after.iter().find(|c| **c != ' ');
    if !ending || following.is_some_and(|c| REGION_SIGNS.contains(*c) || matches!(c, '口' | '端'))
    {
        return false;
    }
    let names = &run.labels[..run.labels.len() - 1];
    let named = |label: &&[char]| {
        !ADDRESS_ENDINGS
            .iter()
            .any(|e| e.chars().eq(label.iter().copied()))
    };
    if run.www {
        return names.len() >= 2 && names[1..].iter().all(named);
    }
    // Room for the word, its signs and a long arrow (`网址：>>>>>>`).
    let before: String = run.before[run.before.len().saturating_sub(16)..]
        .iter()
        .collect();
    // The word's own signs (`网址：`, `网址是`).
    const OWN_SIGNS: [char; 6] = [' ', ':', '：', '是', '为', '='];
    let own = before.trim_end_matches(OWN_SIGNS);
    // An arrow or a bracket pointing at the address (`网址→amjs888，com`, `网址【amjs888，com】`).
    // Web pages' parts are listed so too (`网页(header,top)`, `登录[guest,vip]`, `链接[docs,top]`):
    // only names with a digit, as gambling sites' have.
    let before = own
        .trim_end_matches([
            '→', '⇒', '➡', '➜', '▶', '►', '👉', '>', '-', '【', '〖', '[', '(', '「', '『', '《',
            '<',
        ])
        .trim_end_matches(OWN_SIGNS);
    let pointed = before.len() != own.len();
    // Lists of devices and languages follow these words too (`登录 web、app 都可以`, `登陆
    // pc,tv`, `网站 asp，net 开发`): only endings no such word has.
    ANNOUNCED.iter().any(|word| before.ends_with(word))
        && is(&["com", "xyz", "icu", "cyou", "top", "vip"])
        && names.iter().all(|label| named(label) && label.len() >= 3)
        && (!pointed
            || names
                .iter()
                .any(|label| label.iter().any(char::is_ascii_digit)))
}

/// What follows a region's or a level's name, not an address (`Steam点CN区`, `QQ点VIP中心`,
/// `300点VIP经验`).
const REGION_SIGNS: &str = "区服版会中经等专";

/// Endings that only addresses have: no sentence starts with them, no word is spelt so.
/// (`sbs`, `cfd` are cheap sites' too, and a broadcaster's and a simulation's names.)
const ONLY_ADDRESSES: &[&str] = &["com", "net", "org", "xyz", "icu", "cyou"];

/// Endings of sites that are English words too (`live`, `shop`, `fun`, `me`, `tv`): an address
/// only with another sign of one ([`addressed`]).
pub(crate) const CHEAP_ENDINGS: &[&str] = &[
    "live", "shop", "fun", "club", "online", "site", "work", "pub", "win", "bid", "loan", "click",
    "me", "store", "app", "pro", "life", "link", "tech", "tv", "info", "biz",
];

/// Whether a dot-word after `label` in a run of `labels` that makes an address
/// ([`addressed`]) stands for a dot: `点` after an hour of the day (`今晚8点live`, `8点com`,
/// `24点top`) is a time unless the run has more parts; after a number no clock shows it is a
/// dot (`28点com`, a casino's name).
fn reads_as_dot(c: char, label: &[char], labels: usize) -> bool {
    let hour = label.len() <= 2
        && label.iter().all(char::is_ascii_digit)
        && label
            .iter()
            .collect::<String>()
            .parse::<u8>()
            .is_ok_and(|h| h <= 24);
    match c {
        '点' | '點' => labels > 2 || !hour,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn characters_let_past_the_quick_check_are_ones_it_would_pass() {
        use unicode_normalization::char::canonical_combining_class;
        use unicode_normalization::{IsNormalized, is_nfkc_quick};
        let mut checked = 0;
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            if super::stays_nfkc(c) {
                assert_eq!(
                    is_nfkc_quick(std::iter::once(c)),
                    IsNormalized::Yes,
                    "{c:?}"
                );
                assert_eq!(canonical_combining_class(c), 0, "{c:?}");
                checked += 1;
            }
        }
        assert!(checked > 20_000, "{checked}");
        // And a message in them normalises as before.
        assert_eq!(
            normalize("Привет «мир» — 你好 😀"),
            "пpubet «mup» — 你好 😀"
        );
        assert_eq!(normalize("Ｐривет，世界"), "ppubet,世界");
    }

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
        check("24点com 是什么时候", "24点com 是什么时候");
        check("28点com 澳门首家", "28.com 澳门首家");
        check(
            "签到送100点vip，充值送300点live",
            "签到送100点vip,充值送300点live",
        );
        check(
            "第35点xyz坐标偏了, 第128点xyz",
            "第35点xyz坐标偏了, 第128点xyz",
        );
        check(
            "积分满1000点app里, 300点vip积分",
            "积分满1000点app里, 300点vip积分",
        );
        check(
            "8888点vip 注册送88, 5555点icu",
            "8888.vip 注册送88, 5555.icu",
        );
        check(
            "这把36点net worth领先, 30点cc装",
            "这把36点net worth领先, 30点cc装",
        );
        check("Ghost丶Live 带我上分", "ghost丶live 带我上分");
        check("www.abc.com 和 a丶b丶top", "www.abc.com 和 a丶b丶top");
        check("192点168点1点1", "192.168.1.1");
        check("Hello World", "hello world");
        check("w\u{2066}x\u{2069} v\u{FE0F}x 加ｑ\u{2800}1", "wx vx 加q1");
        check("1\u{FE0F}\u{20E3}3\u{FE0F}\u{20E3}8\u{FE0F}\u{20E3}", "138");
        check("w\u{0489}x\u{0489}", "wx");
        check("ᴠx ԝх 🅥🅧 🅰", "vx wx vx a");
        check(
            "ꜰʀᴇᴇ ᴍᴏɴᴇʏ, ᴄʜᴇᴄᴋ ᴍʏ ᴘʀᴏꜰɪʟᴇ",
            "free money, check my profile",
        );
        // Small capitals and Cherokee letters in Russian read as the Cyrillic letters would.
        assert_eq!(
            normalize("Пᴏддᴇᴧьнᴀя ʙᴀᴧюᴛᴀ, Ꮶуᴨюᴩы ᏢФ, ʜᴀᴄᴛᴏящих, бᴏᴧьɯᴇ инɸᴏᴩʍᴀции, ɜᴀᴦᴩуɜᴋᴀ"),
            normalize("Поддельная валюта, Купюры РФ, настоящих, больше информации, загрузка")
        );
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
        // A sentence's full stop between two words; an address's after a number or before a
        // path.
        check("David。Wang 和 CN。TOP", "david。wang 和 cn。top");
        check(
            "xpj888。top 和 t。me/abc 和 abc。com",
            "xpj888.top 和 t.me/abc 和 abc.com",
        );
        // Commas glued between names: after `www`, or after a word that announces an address.
        check("网址xpj888，com", "网址xpj888.com");
        check("进 www、xpj888、com 领取", "进 www.xpj888.com 领取");
        check("www，abc，top", "www.abc.top");
        check("官网：amjs，com 注册送", "官网:amjs.com 注册送");
        check("访问 xpj888,vip", "访问 xpj888.vip");
        check(
            "网址→amjs888，com 和 网址【amjs888，com】 和 网址👉amjs888,com 和 网址>>>>>>>>>amjs888,com",
            "网址→amjs888.com 和 网址【amjs888.com】 和 网址👉amjs888.com 和 网址>>>>>>>>>amjs888.com",
        );
        check("住院部B2，ICU在三楼", "住院部b2,icu在三楼");
        // An address before a comma that is no dot keeps its own.
        check(
            "xpj888点com,bonus 和 www点abc点com、送88 和 1,xpj888点com,abc点com",
            "xpj888.com,bonus 和 www.abc.com、送88 和 1,xpj888.com,abc.com",
        );
        for prose in [
            "1,000,000",
            "a,b,com",
            "f(a,b)",
            "python3, net, java",
            "bet365, com",
            "v2,top",
            "腾讯、阿里、com",
            "win10,net",
            "www, abc, com",
            "澳门 35222,com",
            "住院部b2,icu在三楼",
            "我用的是win10,com组件注册失败了",
            "顶点vec3,xyz分量",
            "i use emacs29,org-mode",
            "主板接口有hdmi2、com口",
            "www、com、cn分别代表什么意思",
            "f(x1,com)",
            "www,com",
            "网址是rtx4090,com口",
            "地址填a,b,com",
            "登录 web、app 都可以",
            "登陆 pc,tv 都能看",
            "网站 asp,net 开发",
            "网址 a,com",
            "网页(header,top)要固定",
            "登录[guest,vip]权限不一样",
            "网页→layout,top:0",
        ] {
            check(prose, prose);
        }
    }

    #[test]
    fn addresses_written_apart_close_up() {
        let check =
            |input: &str, expected: &str| assert_eq!(normalize(input), expected, "{input:?}");
        check("加 xpj888 点 com 领彩金", "加 xpj888.com 领彩金");
        check("t . me/joinchat123", "t.me/joinchat123");
        check("t . me / joinchat123", "t.me / joinchat123");
        check("www . abc . com", "www.abc.com");
        check("www.abc .com", "www.abc.com");
        check("abc123 dot com", "abc123.com");
        check("kw。 v2mcfsip。 top", "kw.v2mcfsip.top");
        check("kw 。v2mcfsip 。top", "kw.v2mcfsip.top");
        check("网址 bocai 点 com", "网址 bocai.com");
        check("www. abc. com", "www.abc.com");
        check("tinyurl . com/yc8abc", "tinyurl.com/yc8abc");
        check("cheapmeds [ dot ] com", "cheapmeds.com");
        // A zero for the o of `dot` and `com`.
        check("xpj888 d0t com", "xpj888.com");
        check(
            "xpj888.c0m 和 xpj888点c0m 和 xpj888 d0t c0m",
            "xpj888.com 和 xpj888.com 和 xpj888.com",
        );
        for prose in [
            "c0m 和 a.c0mpany 和 .c0m 和 id0t com 和 a d0tcom",
            "return self.c0m",
            "x = body.c0m;",
            "a.c0m.y 出现 nan 了",
            "你输成 baidu.c0m 了",
            "x = body2.c0m;",
            "p1.c0m - p2.c0m 的距离",
            ".c0m.c0m 是什么",
        ] {
            check(prose, prose);
        }
        // An address, then a sentence: the sentence is no part of it.
        check(
            "visit xpj888点com. bonus every day",
            "visit xpj888.com. bonus every day",
        );
        check("www点abc点com . join now", "www.abc.com . join now");
        check(
            "澳门葡京 3522点com 。 welcome",
            "澳门葡京 3522.com 。 welcome",
        );
        check("加 xpj888 点 com. bonus", "加 xpj888.com. bonus");
        check("bet365 . com", "bet365.com");
        check("w w w . x p j 8 8 8 . c o m", "www.xpj888.com");
        check("x p j 8 8 8 点 c o m", "xpj888.com");
        // Prose: words around a spaced dot, a time, a list, a region, names, one-letter words.
        check("the dot com bubble", "the dot com bubble");
        check("Good. Net result", "good. net result");
        check("I said hi . com", "i said hi . com");
        check("今晚 8 点 top up", "今晚 8 点 top up");
        check("1. 2. 3. 4", "1. 2. 3. 4");
        check("Steam 点 CN区", "steam 点 cn区");
        check("T1 · Zeus · Top", "t1 · zeus · top");
        check("a b c d e f g h", "a b c d e f g h");
        check("I . O . U", "i . o . u");
        check("选 A . B . C 都行", "选 a . b . c 都行");
        check("abc   .   com", "abc   .   com");
        // What a probe of chat found read as addresses by a first version of these rules.
        for prose in [
            "graduated in 2015. life has been busy",
            "see you at 8pm. me and tom will be there",
            "just bought a ps5. fun console",
            "mom is in the hospital. icu since last night",
            "good job. top work everyone",
            "eat. sleep. work.",
            "back in 1999 dot com stocks were crazy",
            "h u g e . w i n",
            "b e s t . s h o p",
            "between you . me/him",
            "300 点 vip 经验",
            "用 ps5 点 store 买游戏",
            "给 tom99 点 top",
            "买了 rtx4090。 top 级显卡",
            "iphone15 。 pro 到手了",
            "element . style . top",
            "spam .top 注册",
            "it is on . com/net",
            "装了 vs2022 .net 6 sdk 还是报错",
            "vec3 .xyz 取前三个分量",
            "后端用 java 。 net 也行, 我学的是 vb 。net",
            "这部剧 kbs。 sbs 都播过",
            "arduino 里先点 tools 点 com 端口",
            "找 usb 点 com 口",
            "上单 t1 。 zeus 。 top",
            "比分 2 . 1 . win 了",
            "g o o d . n e t",
            "h a h a . c o m",
            "w w w . 6 6 6",
            "我 2020 点 com 泡沫没赶上",
            "python . java . net 都会一点",
            "进群 spam.vip . com 领取",
            "i use asp .net core",
        ] {
            check(prose, prose);
        }
    }

    #[test]
    fn a_long_list_costs_no_more_than_other_text() {
        // Read again from each comma, a list's runs cost the square of its length (seconds).
        for text in [
            "1,".repeat(30_000),
            "ab、".repeat(20_000),
            "a1,".repeat(20_000),
        ] {
            let started = std::time::Instant::now();
            let _ = normalize(&text);
            assert!(started.elapsed() < std::time::Duration::from_secs(1));
        }
        assert_eq!(normalize("www、a、b、c、com"), "www.a.b.c.com");
    }
}
