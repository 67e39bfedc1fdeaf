//! Contact details and links: how an ad tells members where to go. Runs on [`crate::normalize`]d
//! text. A bare number is not a contact detail (people share game ids and order numbers): a QQ
//! number or WeChat id counts only after a word that says so (`加q`, `qq:`, `群号`, `vx`, `v信`,
//! `威❤信`...). A Chinese mobile number counts on its own. An invite or referral code counts after
//! the word (`邀请码`, `推荐码`, `referral code`...) or as a Taobao token (`¥AbCd1234Ef¥`); a game's
//! gift code (`兑换码`, `礼包码`) does not.

use std::sync::OnceLock;

use regex::Regex;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContactKind {
    Link,
    Email,
    Phone,
    WeChat,
    Qq,
    InviteCode,
    Telegram,
}

impl ContactKind {
    /// How an operator (or the member) is told what was found: Chinese, English.
    pub fn describe(self) -> (&'static str, &'static str) {
        match self {
            ContactKind::Link => ("链接", "a link"),
            ContactKind::Email => ("邮箱", "an e-mail address"),
            ContactKind::Phone => ("手机号", "a phone number"),
            ContactKind::WeChat => ("微信号", "a WeChat id"),
            ContactKind::Qq => ("QQ 号", "a QQ number"),
            ContactKind::InviteCode => ("邀请码", "an invite code"),
            ContactKind::Telegram => ("Telegram 账号", "a Telegram account"),
        }
    }
}

/// One finding: what kind, and the text (normalised) that was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub kind: ContactKind,
    pub found: String,
    /// A link whose host is not written as it reads (`www点xx点com`, look-alike letters, an
    /// invisible character inside): known only from the text as written
    /// ([`find_written_contacts`]).
    pub disguised: bool,
}

struct Patterns {
    email: Regex,
    /// An address with its `@` spelt out (`abc(at)gmail.com`, `abc#qq.com`, `abc 艾特 163.com`;
    /// a spelt dot, `gmail(dot)com`, is a dot after normalising): the local part (1), the sign
    /// (2), the domain (3).
    spelt_email: Regex,
    link: Regex,
    domain: Regex,
    phone: Regex,
    wechat: Regex,
    qq: Regex,
    /// A number after a word that makes it a QQ or group number in ads: `群`/`裙` (a group),
    /// `联系...`, `找`, `dd`/`滴滴` (message me); not a count (`群 20000人`).
    numbered: Regex,
    /// An app's invite or referral code after the word, or a Taobao share token between
    /// currency signs: how referral spam is paid.
    invite: Regex,
    /// A Telegram `@name` after a word for Telegram (`telegram: @smm_panel`, `飞机 @abc_123`), or
    /// after words asking to be written to (`напиши мне - @name`, `Пишите: @name`): the name (1,
    /// 2 or 3).
    telegram: Regex,
    /// A telephone number with its country code (`+44 7911 123456`), judged by
    /// [`is_international`].
    international: Regex,
    /// A number in Chinese numerals after a word that makes it a contact (`扣扣号 三八二九四七五一零`,
    /// `群：柒捌玖陆伍肆叁贰壹`): the word (1), the numerals (2).
    numerals: Regex,
}

const TLDS: &str = "com|cn|net|org|top|xyz|cc|io|me|vip|club|site|shop|info|co|tk|ml|ga|cf|gq|link|app|live|life|pro|biz|ru|tv|icu|fun|online|store|tech|win|work|ltd|wang|xin|ink|pub|art|cloud|hk|tw|jp|us|uk|cyou|sbs|buzz|cfd|ly|gd|loan|bid|bet|casino";

/// Words for Telegram before an account's `@name`: its name, `tg`, Russian `телеграм`/`тг`, and
/// Chinese `电报` and `飞机` (its paper-plane logo). Normalised as messages are when the pattern
/// is built (Cyrillic letters fold to Latin look-alikes).
const TELEGRAM_WORDS: &[&str] = &[
    "telegram",
    "tg",
    "телеграмм",
    "телеграм",
    "телега",
    "тг",
    "电报",
    "纸飞机",
    "飞机",
];

/// Words that ask to be written to, before an `@name` with no word between: the first person
/// (`напиши мне ❤️ - @name`, `DM me: @name`) or an ad's contact line (`Для связи @name`, `по
/// всем вопросам @name`). Not `ask @name` or `спроси у @name`: members send one another to
/// whoever knows; nor a word that chat uses beside a mention (`Пропала связь 😢 @ivan`,
/// `скинул в лс @ivan`, `Контакты @alexey обновил`). Normalised as messages are when the
/// pattern is built.
const TELEGRAM_ASKING: &[&str] = &[
    "напишите мне",
    "напиши мне",
    "пишите мне",
    "пиши мне",
    "для связи",
    "по всем вопросам",
    "dm me",
    "pm me",
    "message me",
    "text me",
    "write me",
    "write to me",
    "contact me",
    "reach me",
    "inbox me",
    "hit me up",
];

/// Bare imperatives and a contact line's nouns, asking to be written to only as an ad does: with
/// a colon, a dash or an arrow before the `@name` (`Пишите: @name`, `Контакты: @name`).
/// `пишите @admin, если бот упал` sends members to someone else, `Напишите, @ivan, какая у вас
/// версия?` asks someone, and English `write: @dataclass` is code.
const TELEGRAM_IMPERATIVES: &[&str] = &[
    "напишите",
    "пишите",
    "писать",
    "обращайтесь",
    "обращаться",
    "контакты",
    "контакт",
    "contact",
];

/// What may stand between the asking words and the `@name`: spaces, signs and emoji, but not a
/// quote or a backtick (code: ``write `@property` setters``), nor what ends a sentence or
/// addresses someone (`text me! @alice you too`).
const ASKING_GAP: &str = r#"[^\p{L}\p{N}@'"`‘’“”,.!?，。、！？()（）\[\]]"#;

/// Telegram's own accounts, named in help rather than ads.
const TELEGRAM_OWN: &[&str] = &[
    "botfather",
    "telegram",
    "durov",
    "stickers",
    "spambot",
    "notoscam",
];

/// Words as a pattern's alternatives, normalised as messages are (Cyrillic letters fold to
/// their Latin look-alikes).
fn alternatives(words: &[&str]) -> String {
    words
        .iter()
        .map(|word| regex::escape(&crate::normalize(word)))
        .collect::<Vec<_>>()
        .join("|")
}

/// Digits written as Chinese numerals, everyday and financial (`一`, `壹`), in the order of their
/// values after the first two (`〇零` are 0).
const NUMERALS: &str = "〇零一二三四五六七八九壹贰叁肆伍陆柒捌玖";

/// One of [`NUMERALS`] (a message is read character by character: no search of the list).
fn is_numeral(c: char) -> bool {
    matches!(
        c,
        '〇' | '零'
            | '一'
            | '二'
            | '三'
            | '四'
            | '五'
            | '六'
            | '七'
            | '八'
            | '九'
            | '壹'
            | '贰'
            | '叁'
            | '肆'
            | '伍'
            | '陆'
            | '柒'
            | '捌'
            | '玖'
    )
}

/// The digits of a number written in Chinese numerals: `三八二九` → `3829`.
fn numeral_digits(numerals: &str) -> String {
    numerals
        .chars()
        .filter_map(|c| {
            let at = NUMERALS.chars().position(|n| n == c)?;
            let value = match at {
                0 | 1 => 0,
                2..=10 => at - 1,
                _ => at - 10,
            };
            char::from_digit(value as u32, 10)
        })
        .collect()
}

/// Chinese characters, as a regex class body.
const HAN: &str = r"\x{3400}-\x{9FFF}\x{F900}-\x{FAFF}\x{20000}-\x{3FFFF}";

/// Top-level domains in Chinese characters, for hosts written in them (not those that are
/// everyday words, such as 游戏 or 手机: `http://后面填什么.游戏里要填` is chat).
const HAN_TLDS: &str = "中国|公司|网络|网址|我爱你|中文网|集团|商城";

fn patterns() -> Option<&'static Patterns> {
    static PATTERNS: OnceLock<Option<Patterns>> = OnceLock::new();
    PATTERNS
        .get_or_init(|| {
            Some(Patterns {
                email: Regex::new(r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}").ok()?,
                spelt_email: Regex::new(
                    r"([a-z0-9][a-z0-9._%+-]{2,})\s*(\(at\)|\[at\]|\{at\}|<at>|\(a\)|\[a\]|艾特|#)\s*([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})(?-u:\b)",
                )
                .ok()?,
                // A link ends at the first Chinese character (ads glue their text to it), unless
                // the host itself is written in them: `http://广告.cn`, `www.中文.中国/x`.
                link: Regex::new(&format!(
                    r"(?:https?://|www\.)(?:(?:[a-z0-9-]+\.)*[{HAN}][{HAN}a-z0-9-]*(?:\.(?:[a-z0-9-]+|[{HAN}][{HAN}a-z0-9-]*))*\.(?:(?:{TLDS})(?-u:\b)|{HAN_TLDS})(?:[:/?#][^\s，。！？、,{HAN}]*)?|[^\s，。！？、,{HAN}]+)"
                ))
                .ok()?,
                // Also Discord's invites without a scheme (`discord.gg/abc`): `.gg` alone is no
                // ending here, as gamers' sites use it (`op.gg`, `u.gg`).
                domain: Regex::new(&format!(
                    r"(?-u:\b)[a-z0-9][a-z0-9-]{{0,62}}(?:\.[a-z0-9-]{{1,63}})*\.(?:{TLDS})(?-u:\b)(?:/[^\s，。]*)?|(?-u:\b)discord\.gg/[^\s，。]+"
                ))
                .ok()?,
                // One space or hyphen anywhere, or the 3-4-4 grouping with one or two dots,
                // dashes, stars or symbols between the groups (`138.0013.8000`,
                // `138🔥0013🔥8000`; not slashes or commas: `199/1999/2999` are prices): not four
                // digits in a row in an IP address or a version.
                phone: Regex::new(
                    r"(?:(?:^|[^0-9])(1[3-9][0-9](?:[ -]?[0-9]){8}|1[3-9][0-9](?:[ .\-—–_~*·]|\p{So}){1,2}[0-9]{4}(?:[ .\-—–_~*·]|\p{So}){1,2}[0-9]{4})|(?:手机号?|电话|联系方式|(?-u:\b)(?:tel|call))\s*(?:是|为)?\s*[:：]?\s*(1 [3-9](?: [0-9]){9}))(?:[^0-9]|$)",
                )
                .ok()?,
                // A country code and 9 to 14 more digits, in groups (`+44 7911 123456`,
                // `+1 (415) 555-0192`): how numbers for WhatsApp and Telegram are given.
                international: Regex::new(
                    r"(?:^|[^0-9a-z+])(\+[1-9](?:[ \-()]{0,2}[0-9]){9,14})(?:[^0-9]|$)",
                )
                .ok()?,
                // The word (1), `联系v` within it (2), a weak word within it (3: `v:`, `v❤️`),
                // what stands between the word and the id (4), the id (5).
                wechat: Regex::new(
                    r"(?:^|[^a-z0-9])(v\s*x|w\s*x|[vw][^\p{L}\p{N}\s]{1,2}x|[vw][^\p{L}\p{N}]{0,2}信|[微薇威徽][^\p{L}\p{N}]{0,2}[信芯讯]|[微薇威][^\p{L}\p{N}\s]{0,2}[:：]|wechat|wei\s*xin|[加➕]\s*(?:个|我)?\s*[vw]|[加➕]\s*[微薇威]|[vw]\s*号(?:\s*[是为])?|(?P<contact>联系\s*(?:我\s*)?[vw]\s)|(?P<weak>v\s*[:：]|v\p{So}{1,2}))(\s*(?:(?:号|id)\s*(?:是|为)?)?\s*[:：=]?\s*)([a-z][a-z0-9_-]{5,19}|[0-9]{6,12})",
                )
                .ok()?,
                qq: Regex::new(r"(?:^|[^a-z0-9])(?:qq|[加➕]\s*q|扣扣|[加➕]\s*扣|企鹅|🐧|q\s*号|群\s*号|q\s*群|(?P<weak>q\s*[:：]))\s*(?:号)?\s*(?:是|为)?\s*[:：=]?\s*(?P<number>[0-9](?:[ \-]?[0-9]){4,10})").ok()?,
                numbered: Regex::new(
                    r"(?:(?:[群裙羣]|君羊)(?:号|聊)?\s*[:：=]?\s*|联系[^0-9\s，。,.!?！？]{0,4}?[:：]?\s*|找\s*|(?:^|[^a-z0-9])dd\s*|滴滴\s*)([0-9](?: ?[0-9]){5,11})",
                )
                .ok()?,
                invite: Regex::new(
                    r"(?:(?:邀请|推荐|推广|注册|助力|邀约)(?:码|口令)|淘口令|(?:^|[^a-z])(?:invite|invitation|referral|ref)\s*code)\s*(?:是|为|is)?\s*[:：=]?\s*([a-z0-9]{4,16})|[¥€₴]\s?([a-z0-9]{8,14})\s?[¥€₴]",
                )
                .ok()?,
                telegram: Regex::new(&format!(
                    r"(?:^|[^a-z0-9])(?:{})\s*(?:号|账号|id)?\s*[:：]?\s*@([a-z][a-z0-9_]{{4,31}})|(?:^|[^\p{{L}}\p{{N}}])(?:{asking}){gap}{{0,8}}@([a-z][a-z0-9_]{{4,31}})|(?:^|[^\p{{L}}\p{{N}}])(?:{imperatives})\s*[:：\-–—>→➡👉⬇]{gap}{{0,7}}@([a-z][a-z0-9_]{{4,31}})",
                    alternatives(TELEGRAM_WORDS),
                    asking = alternatives(TELEGRAM_ASKING),
                    imperatives = alternatives(TELEGRAM_IMPERATIVES),
                    gap = ASKING_GAP,
                ))
                .ok()?,
                numerals: Regex::new(&format!(
                    r"(qq|[加➕]\s*q|扣扣|企鹅|🐧|q\s*号|[群裙]\s*号?|q\s*群|联系方式|联系|电话|手机号?|微信号?|v信|vx|wx)\s*(?:号)?\s*(?:是|为)?\s*[:：=]?\s*([{NUMERALS}]{{5,12}})"
                ))
                .ok()?,
            })
        })
        .as_ref()
}

/// Every contact detail and link in normalised text, in the order found, without repeats.
/// [`find_contacts`] of a message as written, each link marked [`Contact::disguised`] when its
/// host is not in the text as written (after NFKC and lower case, which any keyboard can
/// produce): an ad spells out a dot, or borrows Cyrillic letters, to pass link filters. So do
/// members sharing a big site's link where a platform blocks links (`pan点baidu点com/s/…`):
/// those sites ([`KNOWN_SITES`]) are no disguise, nor is what only looks like an address in
/// chat — a sentence's full stop between two words (`换了iPhone。App Store`), `点` as "tap"
/// or "points" (`打开Steam点Store`, `满1000点cn区`), a product's name (`iPhone·15·Pro`): a
/// disguised host ends in an ending addresses have, not a word
/// ([`crate::normalize::ADDRESS_ENDINGS`]).
pub fn find_written_contacts(text: &str, normalized: &str) -> Vec<Contact> {
    use unicode_normalization::UnicodeNormalization;
    let mut contacts = find_contacts(normalized);
    if !contacts.iter().any(|c| c.kind == ContactKind::Link) {
        return contacts;
    }
    // The one-dot leader and the small full stop are dots after NFKC: kept apart, as they are
    // typed only to hide one (`xpj888․com`).
    let written: String = text
        .chars()
        .map(|c| {
            if matches!(c, '\u{2024}' | '\u{FE52}') {
                '点'
            } else {
                c
            }
        })
        .collect::<String>()
        .nfkc()
        .flat_map(char::to_lowercase)
        .collect();
    let stops = written.replace(['。', '｡'], ".");
    let mut plain_dots: Option<String> = None;
    for contact in &mut contacts {
        if contact.kind != ContactKind::Link {
            continue;
        }
        let host = crate::chain::host_of(&contact.found);
        // A host in another script is written so (`пример.рф` reads partly folded): only an
        // address that reads as plain ASCII, the form a reader is meant to type, is disguised.
        if host.is_empty() || !host.is_ascii() || written.contains(&host) {
            continue;
        }
        let ending = host.rsplit('.').next().unwrap_or_default();
        let first = host.split('.').next().unwrap_or_default();
        let two_parts = host.matches('.').count() == 1 && !contact.found.contains("www.");
        // A sentence's `。` before a word that is a region's or a company's ending (`iPhone。CN版`,
        // `Mac。Co`); before `com` or `net` it is no prose (`xpj8888。com`).
        let sentence = two_parts
            && stops.contains(&host)
            && matches!(ending, "cn" | "hk" | "tw" | "co" | "io");
        // Points in a region (`满1000点cn区`), not a casino's number (`3522点com`).
        let points = two_parts
            && first.bytes().all(|b| b.is_ascii_digit())
            && matches!(ending, "cn" | "hk" | "tw");
        // Only dots spelt out (or a preview stopped by an invisible character): a big
        // site's link shared where links are blocked. Borrowed letters are never innocent.
        let plain_dots = plain_dots.get_or_insert_with(|| crate::normalize::with_plain_dots(text));
        let known = plain_dots.contains(&host)
            && KNOWN_SITES.iter().any(|site| {
                host == *site
                    || host
                        .strip_suffix(site)
                        .is_some_and(|prefix| prefix.ends_with('.'))
            });
        let address_ending = crate::normalize::ADDRESS_ENDINGS.contains(&ending)
            || crate::normalize::CHEAP_ENDINGS.contains(&ending);
        contact.disguised = !sentence && !points && !known && address_ending;
    }
    contacts
}

pub fn find_contacts(normalized: &str) -> Vec<Contact> {
    // Every pattern needs an ASCII letter or digit (numbers, ids, domains), or a number in
    // Chinese numerals: most chat in Chinese has neither, and skips the searches.
    // Five numerals in a row at least (`一` alone is everywhere in Chinese); all of them are
    // written in three bytes from 0xE3 on, which Latin and Cyrillic text never has.
    let numerals = normalized.bytes().any(|b| b >= 0xE3)
        && normalized
            .chars()
            .scan(0, |run, c| {
                *run = if is_numeral(c) { *run + 1 } else { 0 };
                Some(*run)
            })
            .any(|run| run >= 5);
    let ascii = normalized.bytes().any(|b| b.is_ascii_alphanumeric());
    if !numerals && !ascii {
        return Vec::new();
    }
    let Some(patterns) = patterns() else {
        return Vec::new();
    };
    let mut found: Vec<Contact> = Vec::new();
    let mut push = |kind: ContactKind, text: &str| {
        let text = text.trim_end_matches(['.', ',', ')', '!', '?']).to_owned();
        // A number found twice (a mobile number after `联系`) is reported once.
        if !found.iter().any(|contact| {
            contact.found == text
                && (contact.kind == kind
                    || (contact.kind, kind) == (ContactKind::Phone, ContactKind::Qq))
        }) {
            found.push(Contact {
                kind,
                found: text,
                disguised: false,
            });
        }
    };
    // A pattern scans the whole message even where it cannot match: each is searched only
    // where the signs it needs are in the message, and all but the numerals' need ASCII.
    let search = |pattern: &'static Regex, possible: bool| {
        (ascii && possible)
            .then(|| pattern.captures_iter(normalized))
            .into_iter()
            .flatten()
    };
    // The same for a pattern whose match alone is wanted (no groups: a lighter search).
    let find = |pattern: &'static Regex, possible: bool| {
        (ascii && possible)
            .then(|| pattern.find_iter(normalized))
            .into_iter()
            .flatten()
    };
    // Not an image at a scale (`icon@2x.png`), nor git's login (`git@github.com`): their domain
    // is read as a link like any other (`git@spam.top`). Nor is what stands inside a link (a
    // mailing list's archive path, `https://example.com@spam.top/`'s login): the link is
    // judged as one.
    let link_paths: Vec<std::ops::Range<usize>> = find(&patterns.link, true)
        .map(|link| {
            let text = link.as_str();
            let host_from = text.find("://").map_or(0, |at| at + 3);
            let path = text[host_from..]
                .find(['/', '?', '#'])
                .map_or(text.len(), |at| host_from + at);
            link.start() + path..link.end()
        })
        .collect();
    let emails: Vec<&str> = find(&patterns.email, normalized.contains('@'))
        .filter(|email| {
            let in_path = link_paths.iter().any(|path| path.contains(&email.start()));
            let provider = email
                .as_str()
                .rsplit('@')
                .next()
                .is_some_and(|domain| MAIL_PROVIDERS.contains(&domain));
            !in_path || provider
        })
        .map(|m| m.as_str())
        .filter(|email| {
            let file = email
                .rsplit('.')
                .next()
                .is_some_and(|ending| FILE_ENDINGS.contains(&ending));
            !file && !email.starts_with("git@")
        })
        .collect();
    for email in &emails {
        push(ContactKind::Email, email);
    }
    // Spelt out: any domain after `(at)` and its kin; after `#`, `(a)` or `[a]` only a mail
    // provider's, as they have other work (`C#.net`, `issue#12.io`, a list's `(a)`).
    let mut emails = emails;
    let spelt_at = normalized.contains(['(', '[', '{', '<', '艾', '#']);
    for spelt in search(&patterns.spelt_email, spelt_at) {
        let (Some(whole), Some(local), Some(sign), Some(domain)) =
            (spelt.get(0), spelt.get(1), spelt.get(2), spelt.get(3))
        else {
            continue;
        };
        let domain = domain.as_str();
        let provider = MAIL_PROVIDERS.contains(&domain);
        let spaced = whole.as_str().contains(char::is_whitespace);
        // `#`, `(a)`, `[a]` only at a provider, and glued unless the name is a QQ number
        // (`384729156 # qq.com`: not `C # qq.com`); `(at)` between words (`see you (at)
        // home.com`) only with a provider's domain or a digit in the name, as addresses have.
        let short_sign = matches!(sign.as_str(), "#" | "(a)" | "[a]");
        let number =
            local.as_str().len() >= 5 && local.as_str().bytes().all(|b| b.is_ascii_digit());
        if (short_sign && (!provider || (spaced && !number)))
            || (spaced && !provider && !local.as_str().bytes().any(|b| b.is_ascii_digit()))
        {
            continue;
        }
        push(ContactKind::Email, &format!("{}@{domain}", local.as_str()));
        emails.push(whole.as_str());
    }
    let mut links = Vec::new();
    for link in find(&patterns.link, true) {
        push(ContactKind::Link, link.as_str());
        for inner in embedded_links(link.as_str()) {
            push(ContactKind::Link, &inner);
        }
        // Where its path starts: what follows is the path's (or a carried link's, above).
        let after_scheme = match link.as_str().find("://") {
            Some(at)
                if link.as_str()[..at]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric()) =>
            {
                at + 3
            }
            _ => 0,
        };
        let path = link.as_str()[after_scheme..]
            .find(['/', '?', '#'])
            .map_or(link.end(), |at| link.start() + after_scheme + at);
        links.push((
            link.start()..path,
            link.range(),
            crate::chain::host_of(link.as_str()),
        ));
    }
    let mut spans: Vec<std::ops::Range<usize>> =
        links.iter().map(|(_, whole, _)| whole.clone()).collect();
    // A domain ends in a dot and a letter (`.com`); a sentence's full stop has a space after.
    let dotted = normalized
        .as_bytes()
        .windows(2)
        .any(|pair| pair[0] == b'.' && pair[1].is_ascii_lowercase());
    for domain in find(&patterns.domain, dotted) {
        let text = domain.as_str();
        // A file's name in a path (`/etc/postfix/main.cf`), or the front of a longer host
        // whose ending is not one of ours (`mms-odc.online.no`): no link to judge.
        let mut before = normalized[..domain.start()].chars().rev();
        let in_path = matches!(before.next(), Some('/' | '\\'))
            && before
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '~'));
        if in_path
            || longer_host(&normalized[domain.end()..])
            || is_code(&normalized[..domain.start()], &normalized[domain.end()..])
            || assigned(
                &normalized[..domain.start()],
                text,
                &normalized[domain.end()..],
            )
        {
            continue;
        }
        let inside_email = emails.iter().any(|email| email.contains(text));
        // A title before a name is no host (`Mr.Wang`, `Dr.Xin`).
        let title = text
            .split_once('.')
            .is_some_and(|(first, rest)| TITLES.contains(&first) && !rest.contains(['.', '/']));
        // The link's own host (or a part of it), or something in its path, is not a second
        // link; another host before its path is (`https://example.com'.evil.top`: a client
        // opens `evil.top`).
        let host = crate::chain::host_of(text);
        let inside_link = links.iter().any(|(authority, whole, link_host)| {
            whole.contains(&domain.start())
                && (!authority.contains(&domain.start()) || link_host.ends_with(&host))
        });
        if !inside_email && !inside_link && !title {
            push(ContactKind::Link, text);
            for inner in embedded_links(text) {
                push(ContactKind::Link, &inner);
            }
            // Its path as far as a link's would go (`baidu.com/加微信:abc12345` is two things).
            let end = text
                .find(|c: char| !c.is_ascii())
                .map_or(domain.end(), |at| domain.start() + at);
            spans.push(domain.start()..end);
        }
    }
    // Words and numbers inside a link are its path (`https://blog.example.com/vxfbfpzm`), not
    // an id: the link is judged as a link.
    let in_link = |at: usize| spans.iter().any(|span| span.contains(&at));
    // A long post in words has too few digits for a number (a mobile number has 11, a QQ
    // number 5 or more), and most have no `v`, `w` or 微 for a WeChat id's word.
    let digits = normalized.bytes().filter(u8::is_ascii_digit).count();
    // Each search goes on from the end of the number, not of the match: the sign the match
    // took after a number can stand before the next one (`13800138000 13900139000`).
    let mut from = (ascii && digits >= 11).then_some(0);
    while let Some(at) = from
        && let Some(phone) = patterns.phone.captures_at(normalized, at)
    {
        let Some(number) = phone.get(1).or_else(|| phone.get(2)) else {
            break;
        };
        from = Some(number.end());
        // Spaced digit by digit, only after a word that says so (`手机号 1 5 8 ...`; an answer
        // key is eleven digits too), and only if it stops there (not a longer list).
        let after = &normalized[number.end()..];
        if phone.get(2).is_some()
            && after.starts_with(' ')
            && after[1..].starts_with(|c: char| c.is_ascii_digit())
        {
            continue;
        }
        push(ContactKind::Phone, &dialled(number.as_str()));
    }
    for phone in search(
        &patterns.international,
        digits >= 10 && normalized.contains('+'),
    ) {
        if let Some(number) = phone.get(1)
            && !in_link(number.start())
            && is_international(number.as_str())
        {
            push(ContactKind::Phone, &dialled(number.as_str()));
        }
    }
    let wechat_word = normalized.contains(['v', 'w', '微', '薇', '威', '徽']);
    for wechat in search(&patterns.wechat, wechat_word) {
        if let (Some(word), Some(between), Some(id)) = (wechat.get(1), wechat.get(4), wechat.get(5))
            && !in_link(word.start())
        {
            // After a Latin word (`wx`, `加v`, `wechat`), letters alone need a sign or `号`/`id`
            // between: glued or spaced, they are an English word (`wxpython`, `加 whitelist`,
            // `wechat support`); an id with a digit is one either way (`vxabc123`).
            let latin = word.as_str().ends_with(|c: char| c.is_ascii_alphabetic());
            let marked = between.as_str().contains([':', '：', '=', '号'])
                || between.as_str().contains("id");
            // A mini-program's template attribute (`wx:for-item="item"`) is code.
            let attribute = word.as_str() == "wx"
                && (normalized[id.end()..].starts_with("=\"")
                    || normalized[id.end()..].starts_with("='"));
            if attribute {
                continue;
            }
            let (id_start, id_end) = (id.start(), id.end());
            let (between, id) = (between.as_str(), id.as_str());
            // WeChat's own form of an id (`wxid_abc123`) is one id, not `id_abc123` after `wx`
            // nor `xid_abc123` after `加 w`.
            let wxid = [2, 1]
                .into_iter()
                .filter_map(|back| id_start.checked_sub(back))
                .find(|at| {
                    *at >= word.start()
                        && normalized
                            .get(*at..)
                            .is_some_and(|rest| rest.starts_with("wxid_"))
                });
            let id = match wxid {
                Some(at) if between.is_empty() => &normalized[at..id_end],
                _ => id,
            };
            // `是`/`为` only after the word's `号` or `id` (`微信号是38472910`, the pattern's
            // part): after the word alone it says what the app is or does (`微信是 android14
            // 的 bug`, `微信为 v2_api 开了灰度`). And then an id with a digit or `_`: a word
            // is what the id is like (`微信id是 unionid 还是 openid`, `微信号是 private 的`).
            let digit = id.bytes().any(|b| b.is_ascii_digit());
            let said = between.contains(['是', '为']) || word.as_str().ends_with(['是', '为']);
            if said && !digit && !id.contains('_') {
                continue;
            }
            // Glued to a lone `v`/`w`, a word that starts so and a short number after it are no
            // id (`跑步➕ vlog123`, `加vip888`); with more the whole is the id (`加vip888888`,
            // `加work12345 兼职`), not `ip888888` after a `v`.
            let lone = word.as_str().ends_with(['v', 'w']);
            let mut id = id;
            if lone && between.is_empty() {
                let glued = &normalized[word.end() - 1..id_end];
                if let Some(english) = V_WORDS.iter().find(|w| glued.starts_with(*w)) {
                    let rest = &glued[english.len()..];
                    if rest.len() <= 4 && rest.bytes().all(|b| b.is_ascii_digit()) {
                        continue;
                    }
                    id = glued;
                }
            }
            // An underscore marks an id too when it stands apart from a word that can only be
            // WeChat's (`vx steam_dg`): not after a lone `v`/`w` (`加 w sample_weight`), nor
            // glued (`加vip_user`).
            let underscored = !lone && !between.is_empty() && id.contains('_');
            // A bare `v:` or `v❤️` is a WeChat word in ads, and a version, a speed, a product or
            // a mood in chat (`v:20240601`, `v: beta123`, `v：rtx4090`, `v: rc_2024`,
            // `v😂 666666`): after it, only letters joined by `_` or `-` to a number of three
            // digits or more that is no year (`mianmo_001`).
            let weak = wechat.name("weak").is_some();
            let lettered_number = id.bytes().any(|b| b.is_ascii_alphabetic())
                && id.contains(['_', '-'])
                && id
                    .split(|c: char| !c.is_ascii_digit())
                    .any(|run| run.len() >= 3 && !is_year(run));
            // `联系v` stands apart from its id (`联系v homework_help`; `联系vivoX100的售后` is a
            // phone's maker, and `联系vxabc123` is read after its `vx`).
            let contact = wechat.name("contact").is_some();
            // After a lone `v`/`w` with nothing between, a round number or one followed by steps
            // or a count is one (`加 w 100000 步`; `加v 385702938 日结300` is an id).
            let count = lone
                && !marked
                && id.bytes().all(|b| b.is_ascii_digit())
                && (id.ends_with("000")
                    || normalized[id_end..]
                        .trim_start()
                        .starts_with(['步', '个', '人', '次']));
            let found = if count {
                false
            } else if weak {
                lettered_number
            } else if contact {
                digit || id.contains('_')
            } else {
                !latin || marked || digit || underscored
            };
            if found {
                push(ContactKind::WeChat, id);
            }
        }
    }
    for telegram in search(&patterns.telegram, normalized.contains('@')) {
        // An e-mail's domain is no name (`support.tg@example.com`), nor is Telegram's own
        // account that a help says to write to (`telegram @botfather 可以建机器人`).
        if let Some(name) = (1..=3).find_map(|group| telegram.get(group))
            && !in_link(name.start())
            && !normalized[name.end()..].starts_with('.')
            && !TELEGRAM_OWN.contains(&name.as_str())
        {
            push(ContactKind::Telegram, name.as_str());
        }
    }
    for qq in search(&patterns.qq, digits >= 5) {
        if let Some(found) = qq.name("number")
            && !in_link(found.start())
        {
            let weak = qq.name("weak").is_some();
            let grouped = (!weak)
                .then(|| grouped_number(found, &normalized[found.end()..]))
                .flatten();
            let Some((number, end)) = grouped.or_else(|| spread_number(found, 5)) else {
                continue;
            };
            // A bare `Q:` is also a question (`Q: 100000 并发怎么扛`, `Q: 85731 是哪里的邮编`):
            // after it, a number of 6 digits or more, written whole, that could be no count (not
            // round, not a run, a date or one digit over and over). A spread number is held to
            // the same (`qq群 1 2 3 4 5 6`), and so is one in groups (`qq 2847 561 930`).
            let spread = number.len() < end - found.start();
            let count_like = number.ends_with("000") || !is_contact_number("", &number, "");
            let doubtful = (weak && (spread || number.len() < 6 || count_like))
                || (spread && (count_like || counted_spread(&normalized[end..])));
            if !counted(&normalized[end..]) && !doubtful {
                push(ContactKind::Qq, &number);
            }
        }
    }
    for found in search(&patterns.numbered, digits >= 6) {
        if let (Some(whole), Some(found)) = (found.get(0), found.get(1))
            && !in_link(found.start())
        {
            let Some((number, end)) = spread_number(found, 6) else {
                continue;
            };
            // Spread, only a group's number (`进群 3 8 4 7 2 9 1 0 5`): after `找` or `联系` a
            // spread row of digits is a puzzle or a list (`找 3 1 4 1 5 9 2 6 的规律`).
            let spread = number.len() < end - found.start();
            let group =
                whole.as_str().contains(['群', '裙', '羣']) || whole.as_str().contains("君羊");
            if is_contact_number(whole.as_str(), &number, &normalized[end..])
                && !(spread && (!group || counted_spread(&normalized[end..])))
            {
                push(ContactKind::Qq, &number);
            }
        }
    }
    for found in numerals
        .then(|| patterns.numerals.captures_iter(normalized))
        .into_iter()
        .flatten()
    {
        if let (Some(word), Some(spelt)) = (found.get(1), found.get(2)) {
            let number = numeral_digits(spelt.as_str());
            let mobile = number.len() == 11
                && number.starts_with('1')
                && matches!(number.as_bytes()[1], b'3'..=b'9');
            let starts = |words: &[&str]| words.iter().any(|w| word.as_str().starts_with(w));
            // After a telephone's word, a mobile number only (`电话一零零八六`, 110, 119 are
            // service numbers); elsewhere not a count (`一二三四五`), a date, one digit over and
            // over, and a QQ number of 7 digits or more (`群五六七八九零`).
            let phone_word = starts(&["联系", "电话", "手机"]);
            let wechat = starts(&["微", "v信", "vx", "wx"]);
            let plausible = is_contact_number("", &number, "");
            let other = !phone_word && plausible;
            if mobile {
                push(ContactKind::Phone, &number);
            } else if other && wechat && number.len() >= 6 {
                push(ContactKind::WeChat, &number);
            } else if other && number.len() >= 7 && !counted(&normalized[spelt.end()..]) {
                push(ContactKind::Qq, &number);
            }
        }
    }
    // Most messages hold none of the words or signs an invite code needs: one scan skips it.
    let invite_possible = ["码", "口令", "code", "¥", "€", "₴"]
        .iter()
        .any(|needle| normalized.contains(needle));
    for invite in search(&patterns.invite, invite_possible) {
        // A code has a digit (`邀请码 hello` is a word), and a letter too unless it is long:
        // `推荐码2023年就过期了`, `邀请码 1000 个` are a year and a count.
        if let Some(code) = invite.get(1).or_else(|| invite.get(2))
            && code.as_str().bytes().any(|b| b.is_ascii_digit())
            && (code.as_str().bytes().any(|b| b.is_ascii_lowercase()) || code.len() >= 6)
        {
            push(ContactKind::InviteCode, code.as_str());
        }
    }
    found
}

/// The links inside a link, as a redirector carries them (`https://www.google.com/url?q=
/// https://spam.top/x`, `...?u=https%3A%2F%2Fspam.top`): an ad behind an ordinary site's
/// redirect is judged by where it goes.
fn embedded_links(link: &str) -> Vec<String> {
    /// A link carries a few; a message of thousands would cost memory, not catch more.
    const MOST: usize = 4;
    const LONGEST: usize = 2048;
    let rest = link.find("://").map_or(link, |at| &link[at + 3..]);
    // Decoded twice (`%253a` is `%3a` once decoded), lower case after (`%48ttps`), without
    // control characters (they would reach the reason operators read).
    let mut decoded = rest.to_owned();
    for _ in 0..2 {
        if decoded.contains('%') {
            decoded = percent_decoded(&decoded);
        }
    }
    let decoded: String = decoded
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .to_lowercase()
        .replace('\\', "/");
    let mut found: Vec<String> = Vec::new();
    let mut from = 0;
    while found.len() < MOST
        && let Some(at) = decoded[from..].find("http").map(|at| from + at)
    {
        let tail = &decoded[at..];
        // `https://`, and the forms browsers forgive: `https:/`, `https:\`.
        let scheme = ["https:", "http:"]
            .into_iter()
            .find(|scheme| tail.starts_with(scheme));
        if let Some(scheme) = scheme {
            let address = tail[scheme.len()..].trim_start_matches('/');
            let end = address.find(['&', '#', ' ']).unwrap_or(address.len());
            let target = clipped(&address[..end], LONGEST);
            if !target.is_empty() {
                found.push(format!("{scheme}//{target}"));
            }
        }
        from = at + 4;
    }
    // A target without a scheme (`?url=spam.top/x`), under the names redirects give it: under
    // any name, a value with a dot is too often something else (`?lang=zh.cn`, `?file=a.io`).
    if let Some((_, query)) = decoded.split_once('?')
        && let Some(patterns) = patterns()
    {
        for (name, value) in query
            .split(['&', '#', ' '])
            .filter_map(|pair| pair.split_once('='))
        {
            if found.len() >= MOST {
                break;
            }
            let name = name.trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
            if REDIRECT_PARAMETERS.contains(&name)
                && !value.starts_with("http")
                && let Some(target) = patterns.domain.find(value).filter(|m| m.start() == 0)
            {
                found.push(format!("http://{}", clipped(target.as_str(), LONGEST)));
            }
        }
    }
    found
}

/// At most `most` bytes of `text`, cut at a character's edge.
fn clipped(text: &str, most: usize) -> &str {
    let end = (0..=most.min(text.len()))
        .rev()
        .find(|at| text.is_char_boundary(*at))
        .unwrap_or(0);
    &text[..end]
}

/// The query parameters that name where a redirect goes.
const REDIRECT_PARAMETERS: &[&str] = &[
    "u",
    "q",
    "url",
    "uri",
    "link",
    "href",
    "target",
    "to",
    "dest",
    "destination",
    "goto",
    "go",
    "jump",
    "next",
    "continue",
    "return",
    "returnurl",
    "return_url",
    "redirect",
    "redirect_uri",
    "redirect_url",
    "redirecturl",
    "out",
    "site",
];

/// `%xx` escapes decoded (what is not valid UTF-8 afterwards is replaced).
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[at],
            bytes.get(at + 1).copied().and_then(hex),
            bytes.get(at + 2).copied().and_then(hex),
        ) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                at += 3;
            }
            (byte, ..) => {
                out.push(byte);
                at += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What a list of numbers counts besides [`counted`]'s units: hours, ages, classes, groups
/// (`联系时间 1 3 5 7 9 点`, `群 1 2 3 班`).
fn counted_spread(after: &str) -> bool {
    let unit = after.trim_start().chars().next();
    unit.is_some_and(|c| "点岁班群届级期楼".contains(c))
}

/// Whether a number is followed by what it counts (`200000 人`, `50000 分`); not by the pay
/// an ad offers after its number (`Q:2234509876 日结百元`: paid daily).
fn counted(after: &str) -> bool {
    let after = after.trim_start();
    let pay = ["日结", "月结", "天结", "周结"]
        .iter()
        .any(|word| after.starts_with(word));
    let unit = after.chars().next();
    !pay && unit.is_some_and(|c| "人个名位元块万w+多余k金币分年月日号条次天步只倍".contains(c))
}

/// A telephone number as it is dialled: its digits, and the `+` of a country code.
fn dialled(written: &str) -> String {
    written
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect()
}

/// A year of this century or the last (`2024`, `1998`).
fn is_year(digits: &str) -> bool {
    digits.len() == 4 && (digits.starts_with("19") || digits.starts_with("20"))
}

/// Whether `+…` reads as a telephone number: glued whole (`+8613800138000`), or a country code
/// of 1–3 digits, then 2–4 groups of which the first has 3 digits or more, 9 digits or more in
/// all after the code (`+44 7911 123456`, `+1 (415) 555-0192`, `+7 999 123-45-67`). Not a rating
/// and its range (`+25 (1200-1225)`), a list (`+10 20 30 40`) or hours (`+3 10-12 14-18`).
fn is_international(number: &str) -> bool {
    let mut groups = number
        .trim_start_matches('+')
        .split([' ', '-', '(', ')'])
        .filter(|group| !group.is_empty());
    let Some(code) = groups.next() else {
        return false;
    };
    let rest: Vec<&str> = groups.collect();
    if rest.is_empty() {
        return (11..=15).contains(&code.len());
    }
    let digits: usize = rest.iter().map(|group| group.len()).sum();
    // North America's `+1` and Russia's `+7` stand alone, with ten digits after them (so
    // `+100 200 300 400` and `+1 234 567 890 руб` are no numbers).
    let fixed = match code.as_bytes()[0] {
        b'1' | b'7' => code.len() == 1 && digits == 10,
        _ => digits >= 9,
    };
    (1..=3).contains(&code.len()) && (2..=4).contains(&rest.len()) && rest[0].len() >= 3 && fixed
}

/// The number a pattern found after its word, and where it ends: its first run of digits when
/// that is long enough to be one (`738291045`, as ever), or digits spaced one by one
/// (`3 9 2 8 4 7 5 6 1 0`) as far as they go. Nothing for numbers in groups of two or more
/// (`14 15 16 点`, `12 24 36 48`, `2023 2024`): hours, sums and years are written so.
fn spread_number(found: regex::Match, shortest: usize) -> Option<(String, usize)> {
    let text = found.as_str();
    let first = text.bytes().take_while(u8::is_ascii_digit).count();
    if first >= shortest {
        return Some((text[..first].to_owned(), found.start() + first));
    }
    // One digit, then each further one after a single space.
    let bytes = text.as_bytes();
    let mut digits = String::new();
    let mut at = 0;
    while at < bytes.len() && bytes[at].is_ascii_digit() {
        digits.push(char::from(bytes[at]));
        match (bytes.get(at + 1), bytes.get(at + 2)) {
            (Some(b' '), Some(next)) if next.is_ascii_digit() => at += 2,
            (None | Some(b' '), _) => break,
            _ => return None,
        }
    }
    // Spread numbers are today's QQ numbers, of 8 digits or more: shorter ones are lists
    // (`找 9 8 7 5 3 1 的中位数`).
    (digits.len() >= 8).then(|| (digits, found.start() + at + 1))
}

/// A number in groups after a QQ word, as ads split one to pass filters (`qq 2847 561 930`,
/// `扣扣 28475-61930`, `QQ 18 3 9 2 7 4 5 6`): its digits and where it ends. Eight to eleven
/// digits in three groups or more (nine or more in two), joined by single spaces or dashes, with
/// no more digits after and nothing counted (`QQ 12345678 2 个人在线` is a number and a count);
/// not a sequence, even or doubling (`🐧 2 4 6 8 10 12`, `qq 8 16 32 64 128`), years (`qq 2023
/// 2024 都用过`), `520 1314`, nor times and scores, short groups between dashes (`qq 10-12
/// 14-18`).
fn grouped_number(found: regex::Match, after: &str) -> Option<(String, usize)> {
    let text = found.as_str();
    let groups: Vec<&str> = text.split([' ', '-']).collect();
    let digits: String = groups.concat();
    let years = groups
        .iter()
        .filter(|group| group.len() == 4 && matches!(group.parse::<u16>(), Ok(1950..=2099)))
        .count();
    let short_dashed = text.contains('-') && groups.iter().all(|group| group.len() <= 2);
    // A sequence steps evenly (`🐧 2 4 6 8 10 12 小企鹅排排队`).
    let values: Vec<i64> = groups
        .iter()
        .filter_map(|group| group.parse().ok())
        .collect();
    let sequence = values.len() >= 3
        && (values
            .windows(2)
            .all(|w| w[1] - w[0] == values[1] - values[0])
            || values.windows(2).all(|w| w[0] > 0 && w[1] == w[0] * 2));
    // Four numbers or more, each larger than the last, are a list (`qq 1 12 123 1234`, `qq 1 2 3 5
    // 8 13 21`).
    let rising = values.len() >= 4 && values.windows(2).all(|w| w[1] > w[0]);
    // `520 1314`: "I love you for a lifetime", as numbers say it.
    let love = groups.contains(&"520") && groups.contains(&"1314");
    let more = after
        .trim_start_matches([' ', '-'])
        .starts_with(|c: char| c.is_ascii_digit());
    // Two groups are a pair as often as a number split in two (`qq 1920 1080 截图`, `qq 8000
    // 8001 端口`, `qq 1024 2048`): split in two, only a number of nine digits or more.
    let shortest = if groups.len() == 2 { 9 } else { 8 };
    let wanted = groups.len() >= 2
        && groups.iter().any(|group| group.len() >= 2)
        && (shortest..=11).contains(&digits.len())
        && !love
        && !rising
        && years < 2
        && !short_dashed
        && !sequence
        && !more
        && !counted(after)
        && !counted_spread(after);
    wanted.then(|| (digits, found.end()))
}

/// Whether a number after `群`, `联系`, `找`... is one to reach somebody by: a QQ or group number
/// is 6 to 11 digits, not a count or an amount (`群 200000 人`, `找 1000000金`), not a date
/// (`群20240601公告`), and not an order or serial number (`联系订单号123456789`).
fn is_contact_number(whole: &str, number: &str, after: &str) -> bool {
    let counted = counted(after);
    let date = number.len() == 8
        && number.starts_with("20")
        && matches!(number[4..6].parse::<u8>(), Ok(1..=12))
        && matches!(number[6..8].parse::<u8>(), Ok(1..=31));
    let serial = ["单号", "订单", "编号", "单"]
        .iter()
        .any(|word| whole.contains(word));
    // A month (`找 202406 那期`), one digit over and over (`全群666666`), or a run (`123456`):
    // what chat says, not a number anyone is given.
    let month = number.len() == 6
        && (number.starts_with("19") || number.starts_with("20"))
        && matches!(number[4..6].parse::<u8>(), Ok(1..=12));
    let bytes = number.as_bytes();
    let repeated = bytes.iter().all(|b| *b == bytes[0]);
    // The keyboard's row counts as a run (`1234567890`).
    let run = bytes
        .windows(2)
        .all(|w| w[1] == w[0] + 1 || (w[0] == b'9' && w[1] == b'0'))
        || bytes.windows(2).all(|w| w[0] == w[1] + 1);
    number.len() <= 11 && !counted && !date && !serial && !month && !repeated && !run
}

/// English words that start with the `v` or `w` of `加v`/`➕w` and go on as an id would
/// (`vlog123`, `vip888`, `win10`): glued to it with four digits or fewer, the word is what is
/// written.
const V_WORDS: &[&str] = &[
    "vlog", "video", "vip", "view", "visa", "voice", "vote", "vue", "vpn", "vps", "version", "web",
    "wifi", "wiki", "win", "work", "world", "www", "wow",
];

/// Endings of file names that the e-mail pattern would read as a domain (`icon@2x.png`).
const FILE_ENDINGS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "svg", "bmp", "ico", "mp3", "mp4", "pdf", "zip", "txt",
    "json", "js", "ts", "css", "html", "md", "rs", "py",
];

/// Whether a dotted name is the value a program's statement gives a variable (`let v =
/// heap.top;`, `const x = queue.top + 1`, `if (y >= stack.top) 就出栈`): a field of a name in
/// letters, after an operator with a variable before it, on an ASCII line that starts as code
/// does (a declaration, `if`, `while`, `return`) and closes as code closes it. An ad's `site =
/// lucky.top, 100% bonus`, `link = spam.top; deposit now`, `官网=spam.top` or `Website =
/// spam.top` is none.
fn assigned(before: &str, domain: &str, after: &str) -> bool {
    const STARTS: &[&str] = &[
        "let ", "const ", "var ", "val ", "auto ", "int ", "long ", "float ", "double ", "if ",
        "if(", "while ", "while(", "elif ", "return ",
    ];
    let Some((name, field)) = domain.split_once('.') else {
        return false;
    };
    let plain =
        |word: &str| !word.is_empty() && word.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_');
    let line = before
        .rsplit('\n')
        .next()
        .unwrap_or_default()
        .trim_end_matches(' ');
    let Some(target) = line.strip_suffix('=') else {
        return false;
    };
    let statement = line
        .rsplit([';', '{', '}'])
        .next()
        .unwrap_or_default()
        .trim_start();
    let target = target
        .trim_end_matches(['=', '!', '<', '>', '+', '-', '*', '/', '|', '&'])
        .trim_end_matches(' ');
    let variable = target.rsplit([' ', '(']).next().is_some_and(|word| {
        word.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && word
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
    });
    let rest = after.split('\n').next().unwrap_or_default().trim_start();
    // The statement ends with the line, or more code follows (`heap.top; v.x = 1`); a bracket
    // closes a condition (`if (y >= stack.top)`).
    let closed = rest.strip_prefix(';').is_some_and(|next| {
        let next = next.trim();
        next.is_empty() || (next.is_ascii() && next.contains(['=', '(']))
    }) || rest.starts_with([')', ']']);
    // An operation on a number or a variable that ends the statement (`+ 1;`).
    let operated = rest
        .strip_prefix(['+', '-', '*', '/', '%'])
        .is_some_and(|operand| {
            let operand = operand.trim_start();
            let word = operand.split([' ', ';', ')']).next().unwrap_or_default();
            let value = word.bytes().all(|b| b.is_ascii_digit())
                || (word.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                    && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
            let then = operand[word.len()..].trim_start();
            !word.is_empty() && value && (then.is_empty() || then.starts_with([';', ')']))
        });
    plain(name)
        && plain(field)
        && line.is_ascii()
        && STARTS.iter().any(|start| statement.starts_with(start))
        && variable
        && (closed || operated)
}

/// Whether a dotted name between `before` and `after` is a program's (`rect.top = 0;`,
/// `window.top()`, `import pyspark.ml`), as programmers' groups write them: a member's
/// field or module, not a site. A link is not followed by an assignment, a call or an index
/// whose next sign is code's: full-width brackets read as ASCII ones, and an ad's
/// `spam.top（复制到浏览器打开）` or `spam.top=领取` goes on in Chinese.
fn is_code(before: &str, after: &str) -> bool {
    // Code is read a line at a time: a long message's many names each look at what follows
    // them, not at the rest of the message.
    let after = clipped(after, 200);
    // Quoted as code (`` `rect.top` ``), an argument of a call (`console.log(rect.top)`), a
    // template's variable (`this.$refs.top`).
    if (before.ends_with('`') && after.starts_with('`'))
        || before.ends_with('$')
        || (after.starts_with(')')
            && before
                .strip_suffix('(')
                .and_then(|call| call.chars().next_back())
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_'))
    {
        return true;
    }
    let before = before.trim_end_matches(' ');
    if before.ends_with("import")
        || (before.ends_with("from") && after.trim_start_matches(' ').starts_with("import"))
    {
        return true;
    }
    // A call or an index: its arguments glued, ASCII, without a space (`top(5)`, `top[0]`;
    // not `spam.top（复制到浏览器打开）`, `vulkan.top(bonus 100%)`).
    if let Some(rest) = after.strip_prefix(['(', '[']) {
        let close = if after.starts_with('(') { ')' } else { ']' };
        return rest
            .split_once(close)
            .is_some_and(|(inside, _)| inside.is_ascii() && !inside.contains(char::is_whitespace));
    }
    // More code after `;` (`rect.top; el.x = 1`), not the end of an ad (`bet888.top;`).
    if let Some(rest) = after.strip_prefix(';') {
        let statement = rest.split(';').next().unwrap_or_default();
        return statement.trim().is_ascii()
            && statement.contains(['=', '('])
            && !statement.trim().is_empty();
    }
    // A comparison (`window.top !== window.self`).
    let spaced = after.trim_start_matches(' ');
    if ["===", "!==", "==", "!="]
        .iter()
        .any(|op| spaced.starts_with(op))
    {
        return true;
    }
    // A member's member (`window.top.location`, `a.top.x = 1`, `a.top.f()`), not a file or
    // a sentence after an address (`spam.top.html`, `spam.top.Thanks`).
    if let Some(rest) = after.strip_prefix('.') {
        let name = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(rest, |end| &rest[..end]);
        let next = rest[name.len()..].trim_start_matches(' ');
        return name.starts_with(|c: char| c.is_ascii_alphabetic())
            && next.starts_with(['.', '(', '[', '=']);
    }
    // An assignment (`rect.top = 0`, `div.style.top += 10`) with a value code has; a
    // comparison or a product whose operand closes as code does (`if (rect.top < 0)`,
    // `x.top % 2 == 0`, `pos.xyz * 2.0;`). Ads put signs between their parts and lists of
    // mirrors (`spam.top >>> 注册`, `pump8.top > 1000x`, `bet1.top / bet2.top`, `spam.top -
    // 24h`, `bet.top ? 100 : 0`): `+`, `-`, `?`, `&&`, `||` are no operators here.
    for op in [
        "+=", "-=", "*=", "/=", "|=", "&=", "<=", ">=", "=", "<", ">", "*", "/", "%",
    ] {
        if let Some(rest) = spaced.strip_prefix(op) {
            let glued_product = matches!(op, "*" | "/") && !after.starts_with(' ');
            let assignment = op.ends_with('=') && !matches!(op, "<=" | ">=");
            return !glued_product
                && !rest.starts_with(['<', '>', '='])
                && code_value(rest, !assignment);
        }
    }
    false
}

/// Whether what follows an operator is a value code has: a number, a string, a name with a dot
/// or a call, a name after a space; not words (`win888.vip = 100 USDT bonus`, `spam.top=领取`,
/// `spam.top=free`). Past `=`, what follows in Chinese is the member's own words (`x.top = url
/// 不对吗`); past a comparison or a product (`strict`), the operand must close as code does
/// (`if (rect.top < 0) 就返回`, `x.top % 2 == 0`): an ad's number goes on in words
/// (`spam.top / 24小时在线`, `pump8.top >= 100x`, `spin.top < 1min withdraw`).
fn code_value(rest: &str, strict: bool) -> bool {
    // One statement, no longer than a line of code: a long message's many operators each read
    // a line, not the rest of the message.
    let statement = clipped(rest, 120)
        .split([';', '\n'])
        .next()
        .unwrap_or_default();
    let value = statement
        .split(crate::chain::is_han)
        .next()
        .unwrap_or_default()
        .trim();
    let words: Vec<&str> = value.split_whitespace().collect();
    let prose = words.windows(2).any(|pair| {
        pair.iter()
            .all(|w| w.chars().all(|c| c.is_ascii_alphabetic()))
    });
    let first = words.first().copied().unwrap_or_default();
    let name = rest.starts_with(' ')
        && words.len() == 1
        && first.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let code_value = first.starts_with(|c: char| c.is_ascii_digit() || "'\"`-[{(!".contains(c))
        || first.contains(['.', '(', '$'])
        || name;
    if first.is_empty() || !value.is_ascii() || prose || !code_value {
        return false;
    }
    if !strict {
        return true;
    }
    let operand = clipped(rest, 120).trim_start();
    let end = operand
        .find(|c: char| !(c.is_ascii_alphanumeric() || "_.$'\"`".contains(c)))
        .unwrap_or(operand.len());
    let closing = operand[end..].trim_start();
    end > 0
        && (closing.starts_with([')', ']', ';', '{'])
            || ["==", "!=", "&&", "||"]
                .iter()
                .any(|op| closing.starts_with(op)))
}

/// Whether what follows a found domain carries its host on (`mms-odc.online.no/…`): the front
/// of a host whose ending, a country's, is not one we list. Not a sentence's next word after a
/// full stop (`spam.top。24小时`, `spam.top.Thanks`), which no country ends.
fn longer_host(after: &str) -> bool {
    let Some(rest) = after.strip_prefix('.') else {
        return false;
    };
    let host: &str = rest
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
        .next()
        .unwrap_or_default();
    let ending = host
        .trim_end_matches('.')
        .rsplit('.')
        .next()
        .unwrap_or_default();
    COUNTRY_ENDINGS.contains(&ending)
}

/// Countries' endings not in [`TLDS`], for [`longer_host`].
const COUNTRY_ENDINGS: &[&str] = &[
    "no", "fi", "au", "br", "mx", "tr", "dk", "ca", "de", "fr", "it", "es", "nl", "se", "pl", "ch",
    "at", "be", "kr", "in", "id", "my", "sg", "th", "vn", "ph", "nz", "za", "ar", "cl", "pt", "gr",
    "cz", "hu", "ro", "ua", "il", "ir", "pk", "ie", "ve", "pe", "by", "kz", "lt", "lv", "ee", "sk",
    "si", "hr", "rs", "bg", "is", "lu", "eg", "ma", "ng", "ke", "sa", "ae", "qa", "bd", "lk", "np",
    "mo",
];

/// Big sites members write with a spelt-out dot to share a link where a platform blocks links
/// (a netdisk share, documentation): no disguise of an ad. An operator adds others as allowed
/// domains.
const KNOWN_SITES: &[&str] = &[
    "baidu.com",
    "qq.com",
    "weixin.qq.com",
    "bilibili.com",
    "zhihu.com",
    "weibo.com",
    "douyin.com",
    "xiaohongshu.com",
    "csdn.net",
    "gitee.com",
    "github.com",
    "aliyundrive.com",
    "alipan.com",
    "quark.cn",
    "python.org",
    "microsoft.com",
    "apple.com",
    "google.com",
    "youtube.com",
    "wikipedia.org",
    "taobao.com",
    "tmall.com",
    "jd.com",
    "pinduoduo.com",
    "yangkeduo.com",
    "vip.com",
    "mi.com",
    "xiaomi.com",
    "huawei.com",
    "meituan.com",
    "dianping.com",
    "ctrip.com",
    "12306.cn",
    "163.com",
    "douban.com",
    "cnki.net",
    "icourse163.org",
    "leetcode.cn",
    "leetcode.com",
    "steampowered.com",
    "epicgames.com",
    "npmjs.com",
    "stackoverflow.com",
    "gov.cn",
    "edu.cn",
];

/// Mail providers whose addresses ads spell with `#` for `@` (`abc#qq.com`).
const MAIL_PROVIDERS: &[&str] = &[
    "qq.com",
    "foxmail.com",
    "163.com",
    "126.com",
    "yeah.net",
    "sina.com",
    "sina.cn",
    "sohu.com",
    "139.com",
    "189.cn",
    "aliyun.com",
    "tom.com",
    "gmail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "yahoo.com",
    "icloud.com",
    "proton.me",
    "protonmail.com",
];

/// Titles written before a name with a dot (`Mr.Wang`): no host.
const TITLES: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "co", "vs", "mt",
];

#[cfg(test)]
mod numeral_tests {
    use super::{NUMERALS, is_numeral, numeral_digits};

    #[test]
    fn the_numerals_are_one_list() {
        assert!(NUMERALS.chars().all(is_numeral));
        let matched = ('\u{3000}'..='\u{9FFF}').filter(|c| is_numeral(*c)).count();
        assert_eq!(matched, NUMERALS.chars().count());
        assert_eq!(numeral_digits("〇零一九壹玖"), "001919");
    }
}

#[cfg(test)]
mod tests {
    use super::ContactKind::{Email, InviteCode, Link, Phone, Qq, Telegram, WeChat};
    use super::*;
    use crate::normalize;

    fn check(text: &str, expected: &[(ContactKind, &str)]) {
        let found: Vec<(ContactKind, String)> = find_contacts(&normalize(text))
            .into_iter()
            .map(|contact| (contact.kind, contact.found))
            .collect();
        let expected: Vec<(ContactKind, String)> = expected
            .iter()
            .map(|(kind, text)| (*kind, (*text).to_owned()))
            .collect();
        assert_eq!(found, expected, "{text:?}");
    }

    /// Asserts that `text` holds a contact of `kind` whose text passes `found`.
    fn finds(text: &str, kind: ContactKind, found: impl Fn(&str) -> bool) {
        let all = find_contacts(&normalize(text));
        assert!(
            all.iter().any(|c| c.kind == kind && found(&c.found)),
            "{text}: {all:?}"
        );
    }

    #[test]
    fn every_pattern_compiles() {
        // A pattern that fails to compile would silently find nothing.
        assert!(patterns().is_some());
    }

    #[test]
    fn ads_in_their_disguises_are_found() {
        check("加ＶＸ：ａｂｃ１２３４ 免费领取", &[(WeChat, "abc1234")]);
        // Said with `是`/`为` after `号` or `id`: an id with a digit or `_` (not after the word
        // alone, below).
        check("微信号是38472910", &[(WeChat, "38472910")]);
        check("vx号是 abc12345", &[(WeChat, "abc12345")]);
        check("微信号为 mm_8866", &[(WeChat, "mm_8866")]);
        check("我微信号是wxid_abc123", &[(WeChat, "wxid_abc123")]);
        check("wxid_k3j4h5g6 拉你进群", &[(WeChat, "wxid_k3j4h5g6")]);
        check("加 wxid_q9w8e7r6t5", &[(WeChat, "wxid_q9w8e7r6t5")]);
        // The id after a bare `微信是` is read from its own word (`wx`, `vx`, `wxid_`).
        check("我微信是 wxid_abc123", &[(WeChat, "wxid_abc123")]);
        check("我的微信是：wx123456789", &[(WeChat, "123456789")]);
        check("vx为wx2847561930", &[(WeChat, "2847561930")]);
        check(
            "v号是38472910, w号是 abc12345",
            &[(WeChat, "38472910"), (WeChat, "abc12345")],
        );
        check("加vabc12345", &[(WeChat, "abc12345")]);
        check("加vip888888 日结", &[(WeChat, "vip888888")]);
        check(
            "加work12345 兼职, 加web3_8888 空投",
            &[(WeChat, "work12345"), (WeChat, "web3_8888")],
        );
        // Numbers spread with spaces after their word, or in Chinese numerals.
        check("扣扣 3 9 2 8 4 7 5 6 1 0", &[(Qq, "3928475610")]);
        // Split into groups after a QQ word, by spaces or dashes.
        check("加q 2847 5619 30 免费领", &[(Qq, "2847561930")]);
        check("QQ 183 927 456", &[(Qq, "183927456")]);
        check("QQ 18 3 9 2 7 4 5 6", &[(Qq, "183927456")]);
        check("扣扣 28475-61930", &[(Qq, "2847561930")]);
        check("qq：2847-561-930 私聊", &[(Qq, "2847561930")]);
        check("群号 738 291 045", &[(Qq, "738291045")]);
        check("qq 2019 3847 56", &[(Qq, "2019384756")]);
        check("群号 9 2 8 3 7 4 6 5 1", &[(Qq, "928374651")]);
        check("进群 3 8 4 7 2 9 1 0 5", &[(Qq, "384729105")]);
        check("扣扣号 三八二九四七五一零", &[(Qq, "382947510")]);
        check("群：柒捌玖陆伍肆叁贰壹", &[(Qq, "789654321")]);
        check(
            "联系方式：一三八二九三八四七五六",
            &[(Phone, "13829384756")],
        );
        check("微信 三八二九四七五一零", &[(WeChat, "382947510")]);
        check("手机号 1 5 8 2 9 3 8 4 7 5 6", &[(Phone, "15829384756")]);
        check("tel 1 5 8 2 9 3 8 4 7 5 6", &[(Phone, "15829384756")]);
        check(
            "13800138000 13900139000",
            &[(Phone, "13800138000"), (Phone, "13900139000")],
        );
        check(
            "手机 1 3 8 0 0 1 3 8 0 0 0 13900139000",
            &[(Phone, "13900139000")],
        );
        check("whatsapp +44 7911 123456", &[(Phone, "+447911123456")]);
        check("call +1 (415) 555-0192 now", &[(Phone, "+14155550192")]);
        // The words around the number or id, as ads write them.
        check("Q:2847561930", &[(Qq, "2847561930")]);
        check("Q:2847561930 在家日赚500，心动了吗", &[(Qq, "2847561930")]);
        // A question cannot be told from an ad's call (`Q: 2718281828 这个数你背过吗` is read).
        check("Q: 2847561930 心动了吗", &[(Qq, "2847561930")]);
        check("兼职打字 Q:2234509876 日结百元", &[(Qq, "2234509876")]);
        check("QQ是 2847561930", &[(Qq, "2847561930")]);
        check("群号是 738291045", &[(Qq, "738291045")]);
        check("🐧 2847561930", &[(Qq, "2847561930")]);
        check("➕q 2 9 3 8 4 7 5 6 1 0", &[(Qq, "2938475610")]);
        check("➕V：am_xpj", &[(WeChat, "am_xpj")]);
        check("v：mianmo_001", &[(WeChat, "mianmo_001")]);
        check("v❤️ xinyu_666", &[(WeChat, "xinyu_666")]);
        check("联系v homework_help", &[(WeChat, "homework_help")]);
        check("加vx steam_dg", &[(WeChat, "steam_dg")]);
        check("QQ 12345678 2 个人在线", &[(Qq, "12345678")]);
        // What the forms above must leave as it was (a review of their first version).
        check("联系vxabc123", &[(WeChat, "abc123")]);
        check("联系我vxshop888", &[(WeChat, "shop888")]);
        check("裙596370929 点击进入", &[(Qq, "596370929")]);
        check("群596370929 期待你的加入", &[(Qq, "596370929")]);
        check("找 385702938 楼主", &[(Qq, "385702938")]);
        check("加群 738291045 级别高", &[(Qq, "738291045")]);
        check("加v 385702938 日结300", &[(WeChat, "385702938")]);
        check("微信：385702938 月入过万", &[(WeChat, "385702938")]);
        check("vx：385702938 +好友", &[(WeChat, "385702938")]);
        check("telegram @anna_trades", &[(Telegram, "anna_trades")]);
        check("Telegram: @smm_panel_pro", &[(Telegram, "smm_panel_pro")]);
        check(
            "пишите в телеграм @vpn_deshevo",
            &[(Telegram, "vpn_deshevo")],
        );
        check("飞机 @abc_123 私聊", &[(Telegram, "abc_123")]);
        // Asked to write: the first person, or an ad's contact line.
        check(
            "Если есть желание😏 встретиться, напиши мне❤️ - @Elisss_Kisss 💋",
            &[(Telegram, "elisss_kisss")],
        );
        check("✉️Пишите: @evgenia_osip", &[(Telegram, "evgenia_osip")]);
        check("Пишите ➡️ @evgenia_osip", &[(Telegram, "evgenia_osip")]);
        check(
            "For orders, contact: @shop_bot_24",
            &[(Telegram, "shop_bot_24")],
        );
        check(
            "Суммы от 50к рублей. Для связи: @carder_squad",
            &[(Telegram, "carder_squad")],
        );
        check("Контакты: @alexey_sales", &[(Telegram, "alexey_sales")]);
        check("Писать: @anna_work_24", &[(Telegram, "anna_work_24")]);
        check("Hit me up @anna_crypto", &[(Telegram, "anna_crypto")]);
        check(
            "По всем вопросам: @Veronica_hr",
            &[(Telegram, "veronica_hr")],
        );
        check(
            "DM me 👉 @crypto_anna for signals",
            &[(Telegram, "crypto_anna")],
        );
        check("有需要的加v信 shop_8888", &[(WeChat, "shop_8888")]);
        check("威❤信：haohuo666", &[(WeChat, "haohuo666")]);
        check("薇信 lucky2026 咨询", &[(WeChat, "lucky2026")]);
        check("资料找我，薇♥：grln3601", &[(WeChat, "grln3601")]);
        check("微：abc12345", &[(WeChat, "abc12345")]);
        check("加群kw.v2mcfsip.top", &[(Link, "kw.v2mcfsip.top")]);
        check("www.eqcdab.com,速度加", &[(Link, "www.eqcdab.com")]);
        check(
            "点这里https://a.example.cn/x看看",
            &[(Link, "https://a.example.cn/x")],
        );
        check("加q 123456789 拿货", &[(Qq, "123456789")]);
        // A surname after the number is no count (`张` counts sheets too).
        check("加q 123456789 张经理", &[(Qq, "123456789")]);
        check("QQ：2233445566", &[(Qq, "2233445566")]);
        // The shortest QQ numbers have five digits; the fewest a message can hold and be read.
        check("企鹅 10001 找我", &[(Qq, "10001")]);
        check("有事找 385702", &[(Qq, "385702")]);
        check("群号 98765432 进群领福利", &[(Qq, "98765432")]);
        check("外部群1157665339 免费配置", &[(Qq, "1157665339")]);
        check("可商裙596370929", &[(Qq, "596370929")]);
        check("需要联系夏栖2260771613", &[(Qq, "2260771613")]);
        check("购买联系：2858819642", &[(Qq, "2858819642")]);
        check("另出账号 找994741010", &[(Qq, "994741010")]);
        check("要的dd 384729156", &[(Qq, "384729156")]);
        // Signs between the parts of a word or a number.
        for text in [
            "电话：138.0013.8000 兼职日结",
            "138🔥0013🔥8000 找我",
            "联系电话 138—0013—8000",
        ] {
            check(text, &[(Phone, "13800138000")]);
        }
        for text in [
            "v.x: abc12345 看片",
            "V❤X：abc12345 私聊",
            "徽信：abc12345",
            "威芯 abc12345",
            "wei xin: abc12345",
            "加个v：abc12345",
            "加我v: abc12345 日结",
            "加微 abc12345 领福利",
            "vxabc12345",
            "wx lovely520",
            "wechat id lovely",
        ] {
            finds(text, WeChat, |found| {
                found.starts_with("abc12345") || found.starts_with("lovely")
            });
        }
        check("加扣 384729156", &[(Qq, "384729156")]);
        check("君羊384729156", &[(Qq, "384729156")]);
        check("新站 ks88.cyou", &[(Link, "ks88.cyou")]);
        // After a link's path ends, or behind what only looks like an address.
        check(
            "百度 baidu.com/加微信:abc12345",
            &[(Link, "baidu.com/加微信:abc12345"), (WeChat, "abc12345")],
        );
        check("git@spam.top 联系", &[(Link, "spam.top")]);
        // An address with its `@` (and dots) spelt out.
        check("简历发 hr2026(at)gmail.com", &[(Email, "hr2026@gmail.com")]);
        check(
            "联系 abc123 [at] example(dot)com 领",
            &[(Email, "abc123@example.com")],
        );
        check("投稿 384729156#qq.com", &[(Email, "384729156@qq.com")]);
        check("投稿 384729156 # qq.com", &[(Email, "384729156@qq.com")]);
        check("简历 hr2026(a)163.com", &[(Email, "hr2026@163.com")]);
        check("简历 hr2026[a]gmail.com", &[(Email, "hr2026@gmail.com")]);
        check("邮箱 lucky艾特163.com", &[(Email, "lucky@163.com")]);
        check("联系13912345678", &[(Phone, "13912345678")]);
        check("电话 １３８-００１３-８０００", &[(Phone, "13800138000")]);
        check("联系13912345678立减", &[(Phone, "13912345678")]);
        check("看这里 www点haohuo点com", &[(Link, "www.haohuo.com")]);
        check("kw。v2mcfsip。top 外挂", &[(Link, "kw.v2mcfsip.top")]);
        check(
            "https://t.example/join?x=1 快来",
            &[(Link, "https://t.example/join?x=1")],
        );
        check(
            "w\u{200B}w\u{200B}w.cheap.shop",
            &[(Link, "www.cheap.shop")],
        );
        check("加我 http://广告.cn 领钱", &[(Link, "http://广告.cn")]);
        check(
            "看https://中文域名.com/a1?x=2马上",
            &[(Link, "https://中文域名.com/a1?x=2")],
        );
        check("www.好货.中国进来看", &[(Link, "www.好货.中国")]);
        check("http://shop.好货.com", &[(Link, "http://shop.好货.com")]);
        check(
            "https://a-b.广告-x.cn:8080/x 看",
            &[(Link, "https://a-b.广告-x.cn:8080/x")],
        );
        check(
            "http://广告.com或google.com都行",
            &[(Link, "http://广告.com"), (Link, "google.com")],
        );
        check(
            "https://a.example.cn/x看看",
            &[(Link, "https://a.example.cn/x")],
        );
        check("mail me: Sale@Example.com", &[(Email, "sale@example.com")]);
        // Behind a redirect, plain or percent-encoded.
        check(
            "https://www.google.com/url?q=https://spam.top/x&sa=D",
            &[
                (Link, "https://www.google.com/url?q=https://spam.top/x&sa=d"),
                (Link, "https://spam.top/x"),
            ],
        );
        check(
            "看 https://ok.example/r?u=https%3A%2F%2Fspam.top%2Fx",
            &[
                (Link, "https://ok.example/r?u=https%3a%2f%2fspam.top%2fx"),
                (Link, "https://spam.top/x"),
            ],
        );
        // A target without a scheme, under a redirect's name for it; not other dotted values.
        check(
            "https://ok.example/r?lang=zh.cn&url=spam.top/x&file=a.io",
            &[
                (
                    Link,
                    "https://ok.example/r?lang=zh.cn&url=spam.top/x&file=a.io",
                ),
                (Link, "http://spam.top/x"),
            ],
        );
        check(
            "google.com/url?q=spam%252etop",
            &[
                (Link, "google.com/url?q=spam%252etop"),
                (Link, "http://spam.top"),
            ],
        );
        // Encoded twice, upper case behind an escape, a slash short.
        for (text, inner) in [
            (
                "https://ok.example/r?u=https%253a%252f%252fspam.top",
                "https://spam.top",
            ),
            (
                "https://ok.example/r?u=%48ttps%3a%2f%2fspam.top",
                "https://spam.top",
            ),
            (
                "https://ok.example/r?u=https:/spam.top&x=1",
                "https://spam.top",
            ),
        ] {
            finds(text, Link, |found| found == inner);
        }
        check(
            "google.com/url?q=https%3A%2F%2Fspam.top",
            &[
                (Link, "google.com/url?q=https%3a%2f%2fspam.top"),
                (Link, "https://spam.top"),
            ],
        );
        // A message of thousands of links in one is a handful, not thousands.
        let many = format!("https://a.com/{}", "http://x".repeat(8000));
        assert!(find_contacts(&many).len() <= 5);
        check("注册填邀请码 8A8B8C 领红包", &[(InviteCode, "8a8b8c")]);
        check("推荐码：ＸＫ２９ＦＡ 首单立减", &[(InviteCode, "xk29fa")]);
        check("复制￥Ab3dE5fG9h￥打开淘宝", &[(InviteCode, "ab3de5fg9h")]);
        check(
            "use my referral code JOIN2026 for $5",
            &[(InviteCode, "join2026")],
        );
    }

    #[test]
    fn ordinary_chat_is_left_alone() {
        // What the spread and spelt numbers and the bare `v:`/`Q:` must not read.
        check("Q: 2024 年的计划呢", &[]);
        check("Q: 3000000 条数据怎么导", &[]);
        check("v: 2.0.1 发布了", &[]);
        check("v😂 hahaha", &[]);
        check("加vip_user 字段就行", &[]);
        check("1 3 5 7 9 2 4 6 8 0 1 3 这几个数", &[]);
        check("一二三四五，上山打老虎", &[]);
        check("联系 一二三四五", &[]);
        check("比分 +1 我觉得", &[]);
        // Lists, hours, sums and ratings near the same words (a helper's probe, 146 lines
        // flagged by a first version of these rules).
        check("Q: 2 3 5 7 11 13 后面一个质数是多少", &[]);
        check("Q: 85731 是哪里的邮编", &[]);
        check("微信为 ipad_pro 适配横屏了", &[]);
        check("微信是 test_01 那个账号，密码在群公告", &[]);
        check("微信id是 unionid 还是 openid？我的微信号是 private 的", &[]);
        check("微信为 arm64_v8a 出了独立包", &[]);
        check("今天跑步➕ vlog123", &[]);
        check("加vip888 有什么用", &[]);
        check("联系时间 14 15 16 点均可", &[]);
        check("找 12 24 36 48 的规律", &[]);
        check("群 12 13 14 都满了，去 15 群", &[]);
        check("群 2023 2024 两年的照片", &[]);
        check("qq群 2 4 6 8 10 都进不去了", &[]);
        check("q群 1 2 3 4 5 6 都是老群", &[]);
        check("联系时间 1 3 5 7 9 点", &[]);
        check("电话一零零八六打了半天才接通", &[]);
        check("报警电话一一零一一九一二零都要记住", &[]);
        check("群五六七八九零", &[]);
        check("选择题答案 1 3 2 4 4 1 2 3 1 2 3", &[]);
        check("hotel 1 3 2 4 4 1 2 3 1 2 3 房", &[]);
        check("MMR +25 (1200-1225)", &[]);
        check("+10 20 30 40 50 damage per rank", &[]);
        check("МСК +3 10-12 14-18 20-22 свободен", &[]);
        check("nightly v:20240601", &[]);
        check("release v: stable_2024 已合并", &[]);
        check("version v: py_3_12", &[]);
        check("v✌️ py3_11 能跑", &[]);
        check("➕ w 100000 步", &[]);
        check("扣扣一二三四五六七八九零", &[]);
        check("找 9 8 7 5 3 1 的中位数", &[]);
        check("光速 v: 299792458 m/s", &[]);
        check("v: hotfix_3 已部署", &[]);
        check("v😂 666666", &[]);
        check("微信为iphone15做了适配", &[]);
        check("微信是 android14 的 bug", &[]);
        check("我联系vivoX100的售后了", &[]);
        check("加 v user_name 字段就行", &[]);
        check("加 w sample_weight 试试", &[]);
        check("+100 200 300 400 урона", &[]);
        check("счёт +1 234 567 890 руб", &[]);
        check("找 3 1 4 1 5 9 2 6 的规律", &[]);
        // Groups that are years, times, counts, or a bare `Q:`'s, are no QQ number.
        check("qq 2023 2024 都用过", &[]);
        check("qq 10-12 14-18 在线", &[]);
        check("qq 2024-06-01 注册的", &[]);
        check("qq 100 200 300 人", &[]);
        check("qq群 1234 5678 班", &[]);
        check("qq 3 4 个号", &[]);
        check("🐧 2 4 6 8 10 12 小企鹅排排队", &[]);
        check("qq 5 10 15 20 25 30 35", &[]);
        // A review's: screens, ports, powers of two, counted animals, a love code.
        for chat in [
            "qq 1920 1080 截图发群里糊了",
            "qq 2560 1440 截图有点糊",
            "qq 8000 8001 端口被占了",
            "qq 3306 6379 端口都开了",
            "qq 1024 2048 的图片压缩了",
            "qq 8 16 32 64 128 倍",
            "企鹅 12 35 47 88 只",
            "qq 520 1314 520 表白",
            "qq 1 12 123 1234 这几个号",
            "qq 1 2 3 5 8 13 21 斐波那契",
        ] {
            check(chat, &[]);
        }
        check("Q: 2847 561 930 是什么", &[]);
        check("版本 v: beta123", &[]);
        check("v：rtx4090 到了", &[]);
        check("微信 三八二九四", &[]);
        // `.gg` is gamers' sites' (`op.gg`); only Discord's invites are read without a scheme.
        check("op.gg 查战绩 u.gg build", &[]);
        // A mention is no contact; nor a handle after other words (`@admin`, `坐飞机 @张三`).
        check("@anna_trades 你说得对", &[]);
        check("坐飞机 @张三 到了吗", &[]);
        check("ask @admin_bot about telegram", &[]);
        check("go ask @dsnoor, he knows", &[]);
        check("спроси у @umputun, он чинил", &[]);
        check("напиши ему, @vasya_petrov в курсе", &[]);
        check("пишите в issues, @maintainer посмотрит", &[]);
        check("text me when @alice_w arrives", &[]);
        check("пишите @umputun, если бот упал", &[]);
        // A review's ordinary lines: code, a mention beside a word chat uses, someone addressed.
        for chat in [
            "how do I write `@property` setters in python?",
            "write '@Override' above the method and it compiles",
            "you need to write: @dataclass before the class",
            "пишите `@SpringBootApplication` над главным классом",
            "Пропала связь 😢 @ivan_petrov у тебя тоже?",
            "Плохая связь. @ivan_petrov, ты меня слышишь?",
            "Я скинул в лс @ivan_petrov, проверь",
            "в личку @admin_vasya напиши, он добавит",
            "Контакты @alexey_dev обновил в README",
            "Напишите, @ivan_ivanov, какая у вас версия?",
            "Please write, @john_smith, which version you use",
            "Отправил в личные сообщения @olga_smirnova, жду ответа",
            "text me! @alice_w you too",
        ] {
            check(chat, &[]);
        }
        check("contact @support_team or open an issue", &[]);
        check("telegram @BotFather 可以建机器人", &[]);
        check(
            "写信给 support.tg@example.com",
            &[(Email, "support.tg@example.com")],
        );
        check(
            "https://t.me/tg@channel_x",
            &[(Link, "https://t.me/tg@channel_x")],
        );
        check("discord.gg/abc123 来玩", &[(Link, "discord.gg/abc123")]);
        // `#` has other work than standing for `@`; a mini-program's attributes are code.
        check("学 C# qq.com 上有教程", &[(Link, "qq.com")]);
        check("answer(a)example.com 还是 (b)", &[(Link, "example.com")]);
        check(
            "step2 (a) qq.com 和 abc # 163.com",
            &[(Link, "qq.com"), (Link, "163.com")],
        );
        check("见 issue#12.io 的讨论", &[(Link, "12.io")]);
        check(
            r#"<view wx:for="{{list}}" wx:for-item="row" wx:for-index="i">"#,
            &[],
        );
        // Fields and modules in code are no links, whatever their ending.
        check("const y = rect.top; el.style.top = '10px'", &[]);
        check("为什么 window.top() 报错, rect.top; el.x = 1", &[]);
        check("console.log(rect.top) 打出来是负数", &[]);
        check(
            "用 `rect.top` 算位置, this.$refs.top.scrollIntoView() 无效",
            &[],
        );
        check("print(df.top(5)) 和 a.top[0]", &[]);
        check("if (window.top !== window.self) 说明被嵌在 iframe 里", &[]);
        check("el.style.top = `${y}px` 不对吗, x.top = url", &[]);
        check("see you (at) home.com", &[(Link, "home.com")]);
        check("from pyspark.ml import Pipeline", &[]);
        check("import user.vip", &[]);
        check("if (rect.top < 0) 就滚回去, div.style.top += 10", &[]);
        check("window.top.location.href 和 a.top.x = 1", &[]);
        check("let v = pos.xyz * 2.0; if (x.top % 2 == 0) {}", &[]);
        check("window.top.location.href 跳转", &[]);
        check("let v = heap.top;", &[]);
        check("const x = queue.top + 1", &[]);
        check("let v = heap.top; v.x = 1", &[]);
        check("if (y >= stack.top) 就出栈", &[]);
        check("网址 spam.top 速来", &[(Link, "spam.top")]);
        // What only looks like code, a path or a longer host around an ad's link is none.
        for text in [
            "网址 spam.top（复制到浏览器打开）",
            "看看 spam.top(新)",
            "网址：spam.top；加群领取",
            "网址 spam.top=领取",
            "网址 spam.top [官方]",
            "网址 spam.top。24小时在线",
            "网址 spam.top。ok",
            "visit spam.top.Thanks",
            "网址 /spam.top",
            "网址 //spam.top",
            "网址 \\spam.top",
            "网址/spam.top/领取",
            "Join now spam.top(limited spots)",
            "Casino: spam.top(bonus 100%)",
            "Register: spam.top = 100 USDT bonus",
            "FREE NETFLIX accounts -> spam.top=free",
            "官网 spam.top;",
            "a spam.top; b.top;",
            "网址 spam.top >>> 注册",
            "网址 spam.top > 100 USDT bonus",
            "网址 spam.top <注册送88>",
            "visit spam.top.html",
            "网址 spam.top*2倍返利",
            "官网=spam.top 注册送88",
            "Register = spam.top",
            "url = spam.top 注册送88",
            "Website = spam.top - 24h",
            "site = spam.top + 88",
            "let site = spam.top; deposit now",
            "Bonus 200% (site = spam.top)",
            "if you want = spam.top, 100% bonus",
            "网址 spam.top - 24h",
            "网址 spam.top / 24小时在线",
            "网址 spam.top >= 18 岁可玩",
            "spam.top < 0.5% 手续费",
            "Click here > spam.top",
            "Website = spam.top",
            "官网: spam.top, 24h",
            "Website: spam.top, 24h",
            "Join (spam.top)",
            "Sign up & earn: spam.top",
            "Bonus 100% ? spam.top",
            // What a probe of these rules wrote as ads (the helper's, mirrors and decorations).
            "BTC.USDT > spam.top",
            "x.com > spam.top",
            "Win.Big = spam.top",
            "spam.top || lucky2.top",
            "Mirrors: spam.top / bet2.top / bet3.top",
            "注册送88(spam.top, 24小时在线)",
            "Casino(bonus, spam.top)",
            "官网 {url: spam.top} 秒到账",
            "return spam.top",
            "spam.top ? 100 : 0",
            "spam.top % 100",
            "spam.top && 100x",
            "spam.top > 1000x",
            "spam.top < 1min withdraw",
            "spam.top * 0.5%",
            "--> spam.top <--",
            "spam.top->claim",
            "网址 spam.top * 2 倍返利",
        ] {
            finds(text, Link, |found| found.starts_with("spam.top"));
        }
        // Dot-words before a cheap ending that is a word too, with a sign of an address; a dot
        // spelt in brackets; a shortener without its scheme.
        for (text, link) in [
            ("兼职刷单日结 详情看 abc123点shop", "abc123.shop"),
            ("看片神器 91av点live 免费", "91av.live"),
            ("看球直播 zb88点tv 免费无广告", "zb88.tv"),
            ("电报福利群 t。me/+Xy12AbCdEf", "t.me/+xy12abcdef"),
            ("福利网站 kw。v2mcfsip。shop", "kw.v2mcfsip.shop"),
            ("网址 xpj888(点)com", "xpj888.com"),
            ("网址：xpj888【点】com", "xpj888.com"),
            ("网址 xpj888[.]com", "xpj888.com"),
            ("领红包 bit.ly/3xYzAb", "bit.ly/3xyzab"),
        ] {
            finds(text, Link, |found| found == link);
        }
        // An address is an address inside a link's login, or at a mail provider anywhere.
        for text in [
            "联系邮箱 http://kefu888@qq.com",
            "联系 https://a.cn/x|kefu888@qq.com",
        ] {
            finds(text, Email, |found| found == "kefu888@qq.com");
        }
        // Only a template's attribute (`wx:for-item="row"`) is code.
        for text in ["wx:kefu888\"", "wx:kefu888=领取", "加wx:kefu888'"] {
            finds(text, WeChat, |found| found == "kefu888");
        }
        check("我的游戏 id 是 123456789，来组队", &[]);
        check("订单号 20260501123456 已发货", &[]);
        check("今天跑了 10.5 公里，配速 5.30", &[]);
        check("版本 1.2.3 修好了", &[]);
        check("我有一点想你", &[]);
        check("good morning everyone", &[]);
        check("房间号 8848", &[]);
        check("我们群 200000人了", &[]);
        check("群里有123456个人", &[]);
        check("联系一下，订单 20260501123", &[]);
        check("找到了 384729156 这个号", &[]);
        check("add 123456789", &[]);
        check("我们群 200000 人", &[]);
        check("群 100000+", &[]);
        check("找 1000000金", &[]);
        check("找20240501的记录", &[]);
        check("群20240601公告", &[]);
        check("联系订单号384729156", &[]);
        check("联系一下单号 384729156", &[]);
        check("群号码是 1234567890123 吗", &[]);
        // English words after the Latin words for WeChat; dates, repeats and runs after `群`
        // and `找`; file names and git's login, which read as e-mail; a title before a name.
        check("帮我加 whitelist 一下", &[]);
        check("给机器人加 webhook 就行", &[]);
        check("wxPython 安装报错怎么办", &[]);
        check("wechat support is down", &[]);
        check("全群666666", &[]);
        check("我在找 202406 那期的视频", &[]);
        check("找 123456 这个帖子", &[]);
        check("切图记得导出 icon@2x.png 和 icon@3x.png", &[]);
        check(
            "先 ssh -T git@github.com 测试下 key",
            &[(Link, "github.com")],
        );
        check("Mr.Wang 今天请假了", &[]);
        check("服务器在 192.168.100.10 上", &[]);
        check("C++ vector3d 怎么写", &[]);
        check("c++ win10sdk 装不上", &[]);
        check("价格 199/1999/2999 三档", &[]);
        check("分别是 150, 2000, 3000", &[]);
        check("Q: 100000 并发怎么扛", &[]);
        check("加扣 50000 分", &[]);
        check("微博：今天的热搜", &[]);
        check("兑换码 ABCD1234 已发到邮箱", &[]);
        check("礼包码：VIP2026", &[]);
        check("邀请码是什么意思", &[]);
        check("邀请码 hello", &[]);
        check("价格 ¥1200 到 ¥1500", &[]);
        check("推荐码2023年就过期了", &[]);
        check("邀请码 1000 个都送完了", &[]);
        check("这个软件的注册码 2024 版本已经失效", &[]);
        check("$10000000 $5000000", &[]);
        check("echo $path123456 $home", &[]);
        check("xref code abc123", &[]);
        check("http://是什么意思", &[]);
        check("谁知道http://后面填什么.游戏里要填", &[]);
        // An ordinary link with Chinese glued to it ends there.
        check(
            "https://baidu.com或google.com都行",
            &[(Link, "https://baidu.com"), (Link, "google.com")],
        );
        check("https://a.com看看.中国", &[(Link, "https://a.com")]);
        check(
            "https://example.com'.evil.top/",
            &[
                (Link, "https://example.com'.evil.top/"),
                (Link, "evil.top/"),
            ],
        );
        check("http://广告.cnn", &[]);
        check("网址是 http://我也不知道", &[]);
        check(
            "https://mp.example.com/s/vqJwxS7xj8NA",
            &[(Link, "https://mp.example.com/s/vqjwxs7xj8na")],
        );
    }
}
