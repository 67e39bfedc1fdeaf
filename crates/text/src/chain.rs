//! The text detectors in the order moderation runs them, behind one call: contact details,
//! links, the operators' word lists, the ad classifier. Each verdict names its detector and says
//! why, in Chinese and English. Time-based detectors (flood, repeats across groups, new members)
//! live with moderation, which keeps the history they need.

use std::sync::Arc;

use crate::{Classifier, Contact, ContactKind, KeywordList, find_contacts, find_written_contacts};

/// Which detector decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Detector {
    Contact,
    Link,
    Keyword,
    Classifier,
    Flood,
    Repeat,
    NewMember,
    Blacklist,
}

impl Detector {
    pub fn name(self) -> &'static str {
        match self {
            Detector::Contact => "contact",
            Detector::Link => "link",
            Detector::Keyword => "keyword",
            Detector::Classifier => "classifier",
            Detector::Flood => "flood",
            Detector::Repeat => "repeat",
            Detector::NewMember => "new_member",
            Detector::Blacklist => "blacklist",
        }
    }

    pub fn from_name(name: &str) -> Option<Detector> {
        Detector::ALL.into_iter().find(|d| d.name() == name)
    }

    /// The detector as an operator reads it.
    pub fn label(self, en: bool) -> &'static str {
        match (self, en) {
            (Detector::Contact, false) => "联系方式",
            (Detector::Contact, true) => "contact details",
            (Detector::Link, false) => "链接",
            (Detector::Link, true) => "link",
            (Detector::Keyword, false) => "违禁词",
            (Detector::Keyword, true) => "keyword",
            (Detector::Classifier, false) => "广告分类器",
            (Detector::Classifier, true) => "ad classifier",
            (Detector::Flood, false) => "刷屏",
            (Detector::Flood, true) => "flood",
            (Detector::Repeat, false) => "跨群重复",
            (Detector::Repeat, true) => "repeated across groups",
            (Detector::NewMember, false) => "新成员限制",
            (Detector::NewMember, true) => "new member",
            (Detector::Blacklist, false) => "黑名单",
            (Detector::Blacklist, true) => "blacklist",
        }
    }

    /// A stored detector's name as an operator reads it; a name this version does not know,
    /// as stored.
    pub fn label_of(name: &str, en: bool) -> String {
        Detector::from_name(name).map_or_else(|| name.to_owned(), |d| d.label(en).to_owned())
    }

    pub const ALL: [Detector; 8] = [
        Detector::Contact,
        Detector::Link,
        Detector::Keyword,
        Detector::Classifier,
        Detector::Flood,
        Detector::Repeat,
        Detector::NewMember,
        Detector::Blacklist,
    ];
}

/// A detector's finding: what, and why in both languages — in full for operators (with what was
/// found), and as the group may be told (the kind of finding only: repeating a spammer's WeChat id
/// or link in the bot's warning would publish it again).
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub detector: Detector,
    pub zh: String,
    pub en: String,
    pub public_zh: String,
    pub public_en: String,
}

impl Verdict {
    /// A verdict whose reason holds nothing the member wrote: the group may read it as it is.
    pub fn new(detector: Detector, zh: impl Into<String>, en: impl Into<String>) -> Verdict {
        let (zh, en) = (zh.into(), en.into());
        Verdict {
            detector,
            public_zh: zh.clone(),
            public_en: en.clone(),
            zh,
            en,
        }
    }

    /// The reason as the group is told it.
    pub fn told(mut self, zh: impl Into<String>, en: impl Into<String>) -> Verdict {
        self.public_zh = zh.into();
        self.public_en = en.into();
        self
    }
}

/// Which links are flagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LinkPolicy {
    Off,
    /// Group invites, link shorteners, bare IP addresses, hosts in Chinese characters or
    /// punycode, the cheap top-level domains ads use.
    /// Ordinary links members share (a video, a document, a repository) pass: in many
    /// communities they are the chat. A link in a message that reads as an ad is still caught,
    /// by the classifier.
    #[default]
    Suspicious,
    /// Every link not to an allowed domain.
    All,
}

impl LinkPolicy {
    pub fn name(self) -> &'static str {
        match self {
            LinkPolicy::Off => "off",
            LinkPolicy::Suspicious => "suspicious",
            LinkPolicy::All => "all",
        }
    }

    pub fn from_name(name: &str) -> Option<LinkPolicy> {
        [LinkPolicy::Off, LinkPolicy::Suspicious, LinkPolicy::All]
            .into_iter()
            .find(|policy| policy.name() == name)
    }
}

/// Top-level domains that cost next to nothing and carry most link spam. Not Freenom's (.tk .ml
/// .ga .cf .gq): closed to new names since 2023, and in chat they are files and modules.
const CHEAP_TLDS: &[&str] = &[
    "top", "xyz", "icu", "vip", "club", "site", "shop", "online", "fun", "live", "work", "ltd",
    "wang", "xin", "ink", "pub", "win", "bid", "loan", "click", "cyou", "sbs", "buzz", "cfd",
    "bet", "casino",
];

/// Hosts whose links are group invites or hide where they go.
const INVITE_AND_SHORT_HOSTS: &[&str] = &[
    "qm.qq.com",
    "jq.qq.com",
    "chat.whatsapp.com",
    "discord.gg",
    "u.wechat.com",
    "bit.ly",
    "t.cn",
    "url.cn",
    "dwz.cn",
    "tinyurl.com",
    "is.gd",
    "cutt.ly",
    "s.id",
    "rebrand.ly",
    "suo.im",
    "u.nu",
    "rb.gy",
    "t.ly",
    "ow.ly",
    "v.gd",
    "tiny.cc",
    "shorturl.at",
];

/// How much lower the classifier's bar is for a member in their first hour (the classifier's
/// score is a log-odds: 0.5 is odds 1.6 times lower). Ads come from new accounts more than from
/// anyone, but so do self-introductions. Measured with the shipped model on the README's sets,
/// with a new member's classifier and link rules (no contact details): a bar 1.0 lower flagged 3.2% of a Telegram group's chat against 1.8% with no
/// lower bar (mostly links, which new members may not post), and 2 of a demo's 14
/// template introductions (`[Kunming] [10am-7pm] [Consulting/consultant] [travel, guitar]`);
/// 0.5 lower flags 2.3% and none of them. On the QQ-group set's held-out folds the lower bar
/// catches more of the ads a newcomer might post: recall 0.779 with none, 0.797 at 0.5, 0.821 at
/// 1.0, with 0.99%, 1.21% and 1.46% of its chat flagged.
pub const NEW_MEMBER_SHIFT: f32 = 0.5;

/// The work on a message that no rule changes: its normalised text, the contact details and
/// links in it, and the classifier's score. Done once per message, before the rules are known.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub normalized: String,
    pub contacts: Vec<Contact>,
    /// The model that scored it (a chain with another model scores again).
    pub model: Option<Arc<Classifier>>,
    pub score: Option<f32>,
}

impl Analysis {
    pub fn new(text: &str, model: Option<Arc<Classifier>>) -> Analysis {
        let normalized = crate::normalize(text);
        let contacts = find_written_contacts(text, &normalized);
        let score = model.as_ref().and_then(|model| model.verdict(&normalized));
        Analysis {
            normalized,
            contacts,
            model,
            score,
        }
    }
}

/// The text detectors of one rule set, compiled.
#[derive(Debug, Clone)]
pub struct TextChain {
    /// Phone numbers, e-mail, WeChat ids, QQ numbers, Telegram accounts (after a context word).
    pub contacts: bool,
    pub links: LinkPolicy,
    /// Domains members may link to (and their subdomains): `example.com`.
    pub allowed_domains: Vec<String>,
    pub keywords: KeywordList,
    /// The ad classifier and its sensitivity shift (positive: flags less).
    pub classifier: Option<(Arc<Classifier>, f32)>,
}

impl TextChain {
    /// What a group seen for the first time gets: contact details, links and the ad classifier.
    pub fn out_of_the_box(classifier: Arc<Classifier>) -> TextChain {
        TextChain {
            contacts: true,
            links: LinkPolicy::Suspicious,
            allowed_domains: Vec::new(),
            keywords: KeywordList::new(Vec::<String>::new()),
            classifier: Some((classifier, 0.0)),
        }
    }

    /// The simple baseline evaluations compare with: the starter word list alone.
    pub fn keyword_baseline() -> TextChain {
        TextChain {
            contacts: false,
            links: LinkPolicy::Off,
            allowed_domains: Vec::new(),
            keywords: KeywordList::new(crate::STARTER_KEYWORDS),
            classifier: None,
        }
    }

    /// The first detector that objects to `normalized` text, if any. `strict` (a member who has
    /// just joined) flags every link, even to allowed domains, and lowers the classifier's bar.
    pub fn check(&self, normalized: &str, strict: bool) -> Option<Verdict> {
        self.decide(normalized, None, None, strict)
    }

    /// [`TextChain::check`] on a message as written: a disguised link (`www点xx点com`) is known
    /// as one, which the normalised text alone cannot tell.
    pub fn check_text(&self, text: &str, strict: bool) -> Option<Verdict> {
        let normalized = crate::normalize(text);
        let contacts = find_written_contacts(text, &normalized);
        self.decide(&normalized, Some(&contacts), None, strict)
    }

    /// [`TextChain::check`] on a message analysed beforehand (off the pipeline's writer thread).
    /// The classifier's score is reused when the analysis used this chain's model.
    pub fn check_analysed(&self, analysis: &Analysis, strict: bool) -> Option<Verdict> {
        let score = match (&self.classifier, &analysis.model) {
            (Some((mine, _)), Some(theirs)) if Arc::ptr_eq(mine, theirs) => Some(analysis.score),
            _ => None,
        };
        self.decide(
            &analysis.normalized,
            Some(&analysis.contacts),
            score,
            strict,
        )
    }

    /// The decision; `contacts` and `known_score` are computed here when not given.
    fn decide(
        &self,
        normalized: &str,
        contacts: Option<&[Contact]>,
        known_score: Option<Option<f32>>,
        strict: bool,
    ) -> Option<Verdict> {
        if normalized.is_empty() {
            return None;
        }
        let score = |this: &TextChain| {
            this.classifier.as_ref().and_then(|(model, shift)| {
                let score = match known_score {
                    Some(score) => score?,
                    None => model.verdict(normalized)?,
                };
                Some((score, *shift))
            })
        };
        // Found here when not given, and only when asked for: once, for both the contact
        // detectors and the keywords' link paths.
        let found_here;
        let contacts = match contacts {
            Some(contacts) => Some(contacts),
            None if self.contacts || self.links != LinkPolicy::Off || strict => {
                found_here = find_contacts(normalized);
                Some(found_here.as_slice())
            }
            None => None,
        };
        if let Some(contacts) =
            contacts.filter(|_| self.contacts || self.links != LinkPolicy::Off || strict)
        {
            for contact in contacts {
                let (zh, en) = contact.kind.describe();
                let found = contact.found.chars().take(60).collect::<String>();
                if contact.kind == ContactKind::Link {
                    let allowed = self.domain_allowed(&contact.found);
                    let flagged = !allowed
                        && match self.links {
                            LinkPolicy::Off => false,
                            LinkPolicy::All => true,
                            LinkPolicy::Suspicious => {
                                contact.disguised || suspicious_link(&contact.found)
                            }
                        };
                    if strict && !flagged {
                        return Some(
                            Verdict::new(
                                Detector::NewMember,
                                format!("新成员发{zh}：{found}"),
                                format!("a new member posted {en}: {found}"),
                            )
                            .told(
                                format!("新成员暂不能发{zh}"),
                                format!("new members may not post {en} yet"),
                            ),
                        );
                    }
                    if flagged {
                        let (zh, en) = if contact.disguised {
                            ("伪装的链接", "a disguised link")
                        } else {
                            (zh, en)
                        };
                        return Some(
                            Verdict::new(
                                Detector::Link,
                                format!("{zh}：{found}"),
                                format!("{en}: {found}"),
                            )
                            .told(format!("不允许的{zh}"), format!("{en} that is not allowed")),
                        );
                    }
                } else if contact.kind == ContactKind::Email
                    && !strict
                    && self.domain_allowed(&contact.found)
                {
                    // An address at an allowed domain (`support@` the community's own site).
                    continue;
                } else if self.contacts || strict {
                    let detector = if self.contacts {
                        Detector::Contact
                    } else {
                        Detector::NewMember
                    };
                    return Some(
                        Verdict::new(
                            detector,
                            format!("联系方式（{zh}）：{found}"),
                            format!("contact details ({en}): {found}"),
                        )
                        .told(
                            format!("联系方式（{zh}）"),
                            format!("contact details ({en})"),
                        ),
                    );
                }
            }
        }
        // A word inside a link's path counts only apart from letters and digits on one side at
        // least (`…/free-vpn-list`, `t.me/BeFree_Viva`): a path's random id holds any short
        // word glued into it (`ＶＰＮ` in `…/pGZTSWN5VPN2`).
        let mut paths: Option<Vec<std::ops::Range<usize>>> = None;
        let word = self.keywords.hits(normalized).find(|(_, at)| {
            let paths = paths.get_or_insert_with(|| match contacts {
                Some(contacts) => link_paths(normalized, contacts),
                None => link_paths(normalized, &find_contacts(normalized)),
            });
            !paths
                .iter()
                .any(|path| path.start <= at.start && at.end <= path.end)
                || stands_apart(normalized, at.clone())
        });
        if let Some((word, _)) = word {
            return Some(
                Verdict::new(
                    Detector::Keyword,
                    format!("违禁词：{word}"),
                    format!("a forbidden word: {word}"),
                )
                .told("违禁词", "a forbidden word"),
            );
        }
        // An operator's mark on this very text decides for the classifier, whatever the group's
        // margin: marked as an ad, it is one; marked as none, the classifier lets it pass.
        match self
            .classifier
            .as_ref()
            .and_then(|(model, _)| model.mark_of(normalized))
        {
            Some(true) => {
                return Some(
                    Verdict::new(
                        Detector::Classifier,
                        "运营者已将此消息标记为广告",
                        "an operator marked this message as an ad",
                    )
                    .told("疑似广告", "it reads as an ad"),
                );
            }
            Some(false) => return None,
            None => {}
        }
        if let Some((score, shift)) = score(self) {
            let bar = if strict {
                shift - NEW_MEMBER_SHIFT
            } else {
                shift
            };
            if score >= bar {
                // How far over the bar that flagged it (the group's, or a new member's lower
                // one, said so): "-0.4 over the threshold" reads as a mistake.
                let (zh, en) = if score < shift {
                    let over = score - bar;
                    (
                        format!("疑似广告（新成员阈值更低，超出 {over:.1}）"),
                        format!("reads as an ad ({over:.1} over a new member's lower threshold)"),
                    )
                } else {
                    let over = score - shift;
                    (
                        format!("疑似广告（超出阈值 {over:.1}）"),
                        format!("reads as an ad ({over:.1} over the threshold)"),
                    )
                };
                return Some(
                    Verdict::new(Detector::Classifier, zh, en)
                        .told("疑似广告", "it reads as an ad"),
                );
            }
        }
        None
    }

    fn domain_allowed(&self, link: &str) -> bool {
        let host = host_of(link);
        self.allowed_domains.iter().any(|allowed| {
            let allowed = allowed.trim().trim_start_matches("www.").to_lowercase();
            !allowed.is_empty()
                && (host == allowed
                    || host
                        .strip_suffix(allowed.as_str())
                        .is_some_and(|prefix| prefix.ends_with('.')))
        })
    }
}

/// Where the paths of the message's links are (after the host: `/`, `?` or `#` on), for links
/// written as found (not those read through a disguise).
fn link_paths(normalized: &str, contacts: &[Contact]) -> Vec<std::ops::Range<usize>> {
    contacts
        .iter()
        .filter(|contact| contact.kind == ContactKind::Link && !contact.disguised)
        .filter_map(|contact| {
            let after_scheme = contact.found.find("://").map_or(0, |at| at + 3);
            let path = contact.found[after_scheme..].find(['/', '?', '#'])? + after_scheme;
            Some((contact.found.as_str(), path))
        })
        // Wherever the link stands: a link posted twice is found once.
        .flat_map(|(found, path)| {
            normalized
                .match_indices(found)
                .map(move |(start, _)| start + path..start + found.len())
        })
        .collect()
}

/// Whether a word found at `at` stands apart from the letters and digits around it on one side
/// at least (a word starting or ending in a Chinese character does).
fn stands_apart(text: &str, at: std::ops::Range<usize>) -> bool {
    let word = &text[at.clone()];
    let glued = |c: Option<char>, edge: Option<char>| {
        c.is_some_and(|c| c.is_ascii_alphanumeric())
            && edge.is_some_and(|e| e.is_ascii_alphanumeric())
    };
    !glued(text[..at.start].chars().next_back(), word.chars().next())
        || !glued(text[at.end..].chars().next(), word.chars().next_back())
}

/// Whether a link is of the kinds ads use: an invite, a shortener, an IP address, a host in
/// Chinese characters or punycode, a cheap TLD.
fn suspicious_link(link: &str) -> bool {
    let host = host_of(link);
    let after_scheme = link.split_once("://").map_or(link, |(_, rest)| rest);
    let path = after_scheme.split_once('/').map_or("", |(_, path)| path);
    // A Telegram invite: `t.me/+...`, `t.me/joinchat/...` (and the same on its other hosts).
    if matches!(host.as_str(), "t.me" | "telegram.me" | "telegram.dog")
        && (path.starts_with('+') || path.starts_with("joinchat"))
    {
        return true;
    }
    // A Discord server's invite on the main site (`discord.com/invite/...`, as `discord.gg`).
    if matches!(host.as_str(), "discord.com" | "discordapp.com") && path.starts_with("invite/") {
        return true;
    }
    // A shortener or an invite host leads somewhere only with a path or a query
    // (`jq.qq.com?k=abc`; `t.ly 是什么` names it).
    if INVITE_AND_SHORT_HOSTS.contains(&host.as_str()) {
        return after_scheme
            .split_once(['/', '?', '#'])
            .is_some_and(|(_, rest)| !rest.is_empty());
    }
    // This machine or the member's own network (`http://localhost:3000`, a router's page):
    // nowhere an ad can send anybody.
    if is_local(&host) {
        return false;
    }
    // An IP address in brackets (IPv6) leaves no host here; nothing at all (`http://...` in
    // an example) is no address.
    if host.is_empty() {
        return after_scheme.starts_with('[');
    }
    // An IP address written plainly or as one number (`0x7f000001`, `2130706433`), which a
    // browser opens; a dotless word is a name on the member's own network
    // (`http://yourproxy:8080` in a config example).
    let hex = host
        .strip_prefix("0x")
        .is_some_and(|hex| !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()));
    if hex || host.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return true;
    }
    // A host in Chinese characters, one spelt in punycode (`xn--`), or with a character no
    // host has (`spam%2etop`, which a browser opens as `spam.top`), is rare in chat and a way
    // to a look-alike of a known site.
    if host.contains(|c: char| is_han(c) || !is_host_char(c))
        || host.split('.').any(|label| label.starts_with("xn--"))
    {
        return true;
    }
    if !host.contains('.') {
        return false;
    }
    host.rsplit('.')
        .next()
        .is_some_and(|tld| CHEAP_TLDS.contains(&tld))
}

/// The host of a link as found in normalised text: `https://www.a.com/x` → `a.com`. The part
/// before an `@` is not the host (`https://example.com@spam.top/` goes to `spam.top`), nor is
/// what is glued after it (`“https://a.com”`, `https://a.com😂`); a character no host has,
/// inside it, stays (`example.com_.spam.top`: no allowed domain's, and suspicious).
pub fn host_of(link: &str) -> String {
    // A scheme is letters before `://` (a `://` in a schemeless link's query is no scheme).
    let rest = match link.split_once("://") {
        Some((scheme, rest))
            if !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            rest
        }
        _ => link,
    };
    // Quotes and brackets end it too: chat clients end the link there (`github.com's`).
    let authority = rest
        .split(['/', '?', '#', '\\', '\'', '"', '(', ')', '<', '>'])
        .next()
        .unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    let host = host.split(':').next().unwrap_or_default();
    // A trailing dot names the same host (`spam.top.`).
    host.trim_start_matches("www.")
        .trim_end_matches(|c: char| !is_host_char(c) || c == '.')
        .to_lowercase()
}

/// `localhost` and the loopback and private IPv4 ranges (127/8, 10/8, 172.16/12, 192.168/16).
fn is_local(host: &str) -> bool {
    if host == "localhost" {
        return true;
    }
    // Parts with a leading zero are octal to a browser (`010.8.8.8` is 8.8.8.8): not local.
    let octets: Vec<u8> = host
        .split('.')
        .filter(|part| part.len() == 1 || !part.starts_with('0'))
        .filter_map(|part| part.parse().ok())
        .collect();
    match octets[..] {
        [a, b, _, _] if host.split('.').count() == 4 => {
            a == 127 || a == 10 || (a == 172 && (16..=31).contains(&b)) || (a == 192 && b == 168)
        }
        _ => false,
    }
}

/// Letters and digits of any script (international hosts), dots and hyphens.
fn is_host_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '-')
}

pub(crate) fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize;

    fn chain() -> TextChain {
        TextChain {
            contacts: true,
            links: LinkPolicy::All,
            allowed_domains: vec!["example.com".to_owned()],
            keywords: KeywordList::new(["刷单"]),
            classifier: None,
        }
    }

    fn check(text: &str, strict: bool) -> Option<Detector> {
        chain().check(&normalize(text), strict).map(|v| v.detector)
    }

    #[test]
    fn a_word_in_a_links_random_id_is_no_forbidden_word() {
        for (contacts, links) in [(true, LinkPolicy::Suspicious), (false, LinkPolicy::Off)] {
            let chain = TextChain {
                contacts,
                links,
                allowed_domains: Vec::new(),
                keywords: KeywordList::new(["ＶＰＮ", "兼职"]),
                classifier: None,
            };
            let check = |text: &str| chain.check(&normalize(text), false).map(|v| v.detector);
            // Glued into an id: a document's, a video's.
            assert_eq!(
                check("资料在这 https://docs.example.com/d/pGZTSWN5VPN2x/edit"),
                None
            );
            assert_eq!(check("https://v.example.org/watch?v=aVPN9"), None);
            // Wherever the link stands: twice, or again without its scheme.
            assert_eq!(
                check("https://docs.example.com/d/xvpnx https://docs.example.com/d/xvpnx"),
                None
            );
            assert_eq!(
                check("https://docs.example.com/d/xvpnx 和 docs.example.com/d/xvpnx"),
                None
            );
            // Standing apart in a path, in the host, or outside the link: the word.
            for caught in [
                "https://github.com/someone/free-vpn-list",
                "https://t.me/BestVPN_ru",
                "https://vpn.example.com/x",
                "买vpn看 https://docs.example.com/d/pGZTSWN5VPN2",
                "https://docs.example.com/d/x1 vpn",
                "https://example.com/兼职/list",
            ] {
                assert_eq!(check(caught), Some(Detector::Keyword), "{caught}");
            }
        }
    }

    #[test]
    fn each_detector_speaks_for_itself() {
        assert_eq!(
            check("加ｖｘ：ａｂｃ１２３４５６", false),
            Some(Detector::Contact)
        );
        assert_eq!(check("看这里 www点spam点top", false), Some(Detector::Link));
        assert_eq!(check("兼职刷单日结", false), Some(Detector::Keyword));
        assert_eq!(check("我的订单号 20231234567", false), None);
        assert_eq!(check("今天天气不错", false), None);
    }

    #[test]
    fn allowed_domains_pass_unless_the_member_is_new() {
        assert_eq!(check("文档在 https://docs.example.com/a", false), None);
        assert_eq!(check("见 example.com", false), None);
        assert_eq!(check("见 badexample.com", false), Some(Detector::Link));
        assert_eq!(check("https://example.com/a?b=c&d=1", false), None);
        // Where an allowed site's redirect goes is judged too.
        assert_eq!(
            check("https://example.com/r?u=https%3A%2F%2Fevil.org%2F", false),
            Some(Detector::Link)
        );
        // An allowed domain in front of another host is not that domain.
        for text in [
            "https://example.com_.evil.top/x",
            "https://example.comです.evil.top/",
            "https://example.com@1.2.3.4/x",
            "https://example.com@广告.cn/x",
        ] {
            assert_eq!(check(text, false), Some(Detector::Link), "{text}");
        }
        assert_eq!(
            check("文档在 https://docs.example.com/a", true),
            Some(Detector::NewMember)
        );
        // So do e-mail addresses there.
        assert_eq!(check("有问题发邮件到 support@example.com", false), None);
        assert_eq!(
            check("有问题发邮件到 support@example.com.evil.top", false),
            Some(Detector::Contact)
        );
        assert_eq!(
            check("有问题发邮件到 support@example.com", true),
            Some(Detector::Contact)
        );
    }

    #[test]
    fn a_new_member_meets_a_lower_bar_and_is_told_so() {
        let model = Arc::new(Classifier::shipped());
        let text = normalize("出个闲置键盘");
        let score = model.verdict(&text).unwrap();
        // The group's sensitivity set just above the message's score, then further.
        let at = |shift: f32| TextChain {
            classifier: Some((Arc::clone(&model), score + shift)),
            ..chain()
        };
        assert!(at(0.2).check(&text, false).is_none());
        let verdict = at(0.2).check(&text, true).unwrap();
        assert_eq!(verdict.detector, Detector::Classifier);
        assert!(
            verdict.en.contains("over a new member's lower threshold")
                && verdict.zh.contains("新成员"),
            "{verdict:?}"
        );
        assert!(!verdict.en.contains('-'), "{}", verdict.en);
        assert!(at(NEW_MEMBER_SHIFT + 0.1).check(&text, true).is_none());
        // A newcomer's introduction in the group's template (a demo's, 1.0 under the bar) is no
        // ad, at the group's own sensitivity.
        let intro = "[Kunming] [10am-7pm] [Consulting/consultant] [travel, guitar]";
        let chain = TextChain::out_of_the_box(Arc::clone(&model));
        assert_eq!(chain.check_text(intro, true), None);
        // Over the ordinary bar, the ordinary reason.
        let verdict = at(-0.2).check(&text, true).unwrap();
        assert!(
            verdict.en.contains("(0.2 over the threshold)"),
            "{}",
            verdict.en
        );
    }

    #[test]
    fn an_operators_mark_decides_whatever_the_groups_margin() {
        let base = Classifier::shipped();
        let ad = normalize("跑分平台招代理，躺赚，有意者私聊");
        let chat = normalize("今天天气不错，大家出来玩");
        let tuned = Arc::new(crate::fine_tune(
            &base,
            &[(ad.clone(), false), (chat.clone(), true)],
        ));
        for margin in [-10.0, -2.0, 0.0, 3.0, 10.0] {
            let chain = TextChain {
                classifier: Some((Arc::clone(&tuned), margin)),
                ..chain()
            };
            for strict in [false, true] {
                assert_eq!(chain.check(&ad, strict), None, "{margin} {strict}");
                let marked = chain.check(&chat, strict).unwrap();
                assert_eq!(marked.detector, Detector::Classifier);
                assert!(marked.en.contains("an operator marked"), "{}", marked.en);
            }
        }
        // The mark is the classifier's: a contact detail in the text is caught all the same.
        let contact = normalize("加vx abc123456 有意者私聊");
        let tuned = crate::fine_tune(&base, &[(contact.clone(), false)]);
        let chain = TextChain::out_of_the_box(Arc::new(tuned));
        assert_eq!(
            chain.check(&contact, false).map(|verdict| verdict.detector),
            Some(Detector::Contact)
        );
    }

    #[test]
    fn the_reason_says_what_was_found() {
        let verdict = chain()
            .check(&normalize("加v信 wxid_abc123"), false)
            .unwrap();
        assert!(
            verdict.zh.contains("微信号") && verdict.zh.contains("wxid_abc123"),
            "{}",
            verdict.zh
        );
        assert!(verdict.en.contains("WeChat"), "{}", verdict.en);
        // What the group is told names the kind, never the id itself.
        assert!(
            verdict.public_zh.contains("微信号"),
            "{}",
            verdict.public_zh
        );
        assert!(!verdict.public_zh.contains("wxid") && !verdict.public_en.contains("wxid"));
    }

    #[test]
    fn a_disguised_link_is_suspicious_whatever_its_ending() {
        let suspicious = TextChain {
            links: LinkPolicy::Suspicious,
            allowed_domains: Vec::new(),
            ..chain()
        };
        let check = |text: &str| {
            let verdict = suspicious.check_text(text, false)?;
            Some((verdict.detector, verdict.zh))
        };
        let disguised = |text: &str, host: &str| {
            assert_eq!(
                check(text),
                Some((Detector::Link, format!("伪装的链接：{host}"))),
                "{text:?}"
            );
        };
        disguised("上 www点abc123点com 领", "www.abc123.com");
        disguised("上 www。abc123。com 领", "www.abc123.com");
        disguised("官网 abc点shop点com", "abc.shop.com");
        disguised("看 g\u{43E}\u{43E}gle.com", "google.com");
        disguised("看 exa\u{200B}mple.com/x", "example.com/x");
        disguised("上 abc点com 领", "abc.com");
        disguised("visit cheapmeds(dot)com now", "cheapmeds.com");
        disguised("澳门葡京 3522点com 手机投注", "3522.com");
        disguised("网址：xpj8888。com 复制到浏览器打开", "xpj8888.com");
        disguised("网址 xpj888\u{2024}com 日赚千元", "xpj888.com");
        // Written apart: spaces around the dot, the word, letters one by one.
        disguised("加 xpj888 点 com 领彩金", "xpj888.com");
        disguised("进群 t . me/joinchat123", "t.me/joinchat123");
        disguised("进群 t . me / joinchat123", "t.me");
        // Commas glued between names after `www`, or after a word that announces an address.
        disguised("进 www、xpj888、com 领取", "www.xpj888.com");
        disguised("网址xpj888，com 注册送88", "xpj888.com");
        disguised("网址→amjs888，com", "amjs888.com");
        disguised("官网【amjs888，com】", "amjs888.com");
        // A zero for an o.
        disguised("xpj888.c0m 注册送88", "xpj888.com");
        disguised("visit xpj888 d0t com", "xpj888.com");
        disguised("彩金网址 kw。 v2mcfsip。 top", "kw.v2mcfsip.top");
        disguised("visit bet365 dot com today", "bet365.com");
        disguised("官网 w w w . x p j 8 8 8 . c o m", "www.xpj888.com");
        // Typed as anybody types them: plain, full-width, a sentence's full stop.
        assert_eq!(check("看 https://www.abc123.com"), None);
        assert_eq!(check("看 ｗｗｗ．ａｂｃ１２３．ｃｏｍ"), None);
        assert_eq!(check("换了iPhone。App Store 里有"), None);
        assert_eq!(check("сайт https://пример.рф/новости"), None);
        // `点` as "tap" or "points", a product's name: no address ends so.
        for text in [
            "用iPhone点App Store下载",
            "打开Steam点Store页面",
            "手机QQ点Me再点设置",
            "ChatGPT点Pro会员要200刀",
            "满1000点cn区能换",
            "iPhone·15·Pro 到手了",
            "打开App Store点CN区",
            "Netflix点HK区能看吗",
            "手机QQ点VIP中心领礼包",
            "还差300点VIP经验才升级",
            "打开bilibili点Live看直播",
            "打开Netflix点TV模式",
            "京东 jd点com 下单更快",
            "唯品会 vip点com 今天有特卖",
            "中国大学MOOC icourse163点org 上有这门课",
            "iPhone。CN版",
            "the dot com bubble burst in 2000",
            "Good. Net result is fine",
            "今晚 8 点 top up",
            "Steam 点 CN区",
            "选 A . B . C 都行",
        ] {
            assert_eq!(check(text), None, "{text}");
        }
        // A big site's link with its dots spelt out where links are blocked; never with
        // borrowed letters.
        assert_eq!(check("链接：pan点baidu点com/s/1AbCdE 提取码：x1y2"), None);
        assert_eq!(check("文档在 docs。python。org 上"), None);
        assert_eq!(check("京东 jd 点 com 下单"), None);
        assert_eq!(check("github\u{200B}.com/rust-lang"), None);
        disguised("看 g\u{43E}\u{43E}gle.com 登录", "google.com");
        // The same text already normalised cannot tell: `check` reads it as typed.
        assert_eq!(
            suspicious.check(&normalize("上 www点abc123点com 领"), false),
            None
        );
        // The pipeline's analysis (done off the writer thread) knows it as well.
        let analysis = Analysis::new("上 www点abc123点com 领", None);
        assert_eq!(
            suspicious
                .check_analysed(&analysis, false)
                .map(|v| v.detector),
            Some(Detector::Link)
        );
        // An allowed domain stays allowed, however it is written.
        let allowed = TextChain {
            allowed_domains: vec!["abc123.com".to_owned()],
            ..suspicious.clone()
        };
        assert_eq!(allowed.check_text("上 www点abc123点com", false), None);
    }

    #[test]
    fn ordinary_links_pass_the_suspicious_policy_and_ad_links_do_not() {
        let suspicious = TextChain {
            links: LinkPolicy::Suspicious,
            ..chain()
        };
        let check = |text: &str| {
            suspicious
                .check(&normalize(text), false)
                .map(|v| v.detector)
        };
        assert_eq!(check("视频在这 https://www.youtube.com/watch?v=abc"), None);
        // `wx` inside a link's path is not a WeChat id.
        assert_eq!(check("https://mp.example.com/s/vqJwxS7xj8NA"), None);
        assert_eq!(check("新地址 kw。v2mcfsip。top"), Some(Detector::Link));
        // Endings loan and gambling spam use, without a scheme.
        for text in [
            "秒批 quickloan24.loan",
            "bonus at lucky88.bet",
            "play royal.casino/vip",
        ] {
            assert_eq!(check(text), Some(Detector::Link), "{text}");
        }
        assert_eq!(check("进群 https://qm.qq.com/q/abc"), Some(Detector::Link));
        assert_eq!(check("join https://t.me/+AbCdEf"), Some(Detector::Link));
        assert_eq!(check("http://45.2.3.4/x"), Some(Detector::Link));
        // A member's own machine or network is nowhere an ad sends anybody.
        assert_eq!(check("打开 http://localhost:3000 看看"), None);
        assert_eq!(check("路由器后台是 http://192.168.1.1，密码在背面"), None);
        assert_eq!(check("http://172.16.0.9/x http://10.2.3.4"), None);
        assert_eq!(check("http://172.32.0.9/x"), Some(Detector::Link));
        assert_eq!(check("http://010.8.8.8/x"), Some(Detector::Link));
        assert_eq!(check("先 ssh -T git@github.com 测试下 key"), None);
        // Nor is a path that starts like an id (`/vx...`) an id.
        assert_eq!(check("https://blog.example.com/vxfbfpzm"), None);
        assert_eq!(check("blog.example.com/WxAY5eJg6dxp"), None);
        assert_eq!(
            check("https://www.google.com/url?q=https://spam.top/x&sa=D"),
            Some(Detector::Link)
        );
        assert_eq!(check("https://www.google.com/search?q=rust"), None);
        assert_eq!(
            check("https://www.google.com/url?q=spam.top/x"),
            Some(Detector::Link)
        );
        // A search for a host reads as a redirect to it (`q` is the redirect's name at Google).
        assert_eq!(
            check("https://www.google.com/search?q=rust.top"),
            Some(Detector::Link)
        );
        assert_eq!(check("https://docs.example.com/a?lang=zh.top"), None);
        // A technical channel's lines: a file in a path, a host whose ending we do not list, a
        // placeholder in a config example, an address inside an archive's link.
        assert_eq!(check("look in /etc/postfix/main.cf as well"), None);
        assert_eq!(check(r"C:\conf\main.cf"), None);
        assert_eq!(check("wget mms://mms-odc.online.no/a/b.wmv ?"), None);
        assert_eq!(
            check(r#"Acquire::http::Proxy "http://yourproxyaddress:proxyport";"#),
            None
        );
        assert_eq!(
            check(r#"isn't sources meant to be like "deb http://...""#),
            None
        );
        assert_eq!(
            check("http://www.mail-archive.com/pgsql-admin@postgresql.org/msg05772.html"),
            None
        );
        assert_eq!(check("看 spam.top 就行"), Some(Detector::Link));
        // Invites and shorteners written without a scheme, and a cheap ending.
        assert_eq!(check("join discord.gg/freenitro"), Some(Detector::Link));
        assert_eq!(
            check("https://discord.com/invite/abc123 来玩"),
            Some(Detector::Link)
        );
        assert_eq!(check("https://discord.com/channels/1/2"), None);
        assert_eq!(check("http://suo.im/5xYz 领取"), Some(Detector::Link));
        // A shortener or an invite host named, not linked to: nowhere to go.
        assert_eq!(check("t.ly 是什么"), None);
        assert_eq!(check("discord.gg 打不开了"), None);
        assert_eq!(
            check("https://jq.qq.com?_wv=1027&k=abc"),
            Some(Detector::Link)
        );
        assert_eq!(check("discord.com/invite 后面那串是什么"), None);
        // Freenom's endings (.tk .ml .ga .cf .gq) take no new names since 2023: in chat they are
        // files and modules (`main.cf`, `main.ml`, `Microsoft.ML`, `tkinter.tk`).
        assert_eq!(
            check("看 main.cf 就行, OCaml 的 main.ml 和 tkinter.tk"),
            None
        );
        // International hosts in other scripts are ordinary links; a channel is no invite.
        assert_eq!(check("сайт https://пример.рф/новости"), None);
        assert_eq!(check("https://t.me/durov"), None);
        assert_eq!(check("see https://github.com's docs"), None);
        assert_eq!(check("加我 http://广告.cn 领钱"), Some(Detector::Link));
        assert_eq!(check("https://xn--fiq228c.com/"), Some(Detector::Link));
        assert_eq!(check("看 https://xn.example.com/"), None);
        // Quotes, emoji or kana glued to an ordinary link are not its host.
        for text in [
            "“https://github.com”",
            "【https://github.com】",
            "https://www.youtube.com😂",
            "https://example.comです",
        ] {
            assert_eq!(check(text), None, "{text}");
        }
        // Hosts that only begin like an ordinary one, or hide behind one (read as links alone:
        // `a@b.top` is an e-mail address to the contact detector).
        let links_only = TextChain {
            contacts: false,
            links: LinkPolicy::Suspicious,
            ..chain()
        };
        for text in [
            "https://youtube.com_.evil.top/x",
            "https://youtube.comです.evil.top/",
            "https://x😂.spam.top/",
            "https://youtube.com@1.2.3.4/x",
            "https://youtube.com@spam.top/x",
            "http://𠀀𠀁.cn",
            "https://spam.top./x",
            "https://bit.ly./abc",
            "https://qm.qq.com./q/abc",
            "https://t.me./+abc",
            "https://telegram.me/joinchat/abc",
            "http://[::ffff:1.2.3.4]/",
            "http://0x7f000001/",
            "http://2130706433/",
            "http://spam%2etop/",
        ] {
            let found = links_only.check(&normalize(text), false);
            assert_eq!(found.map(|v| v.detector), Some(Detector::Link), "{text}");
        }
    }

    #[test]
    fn hosts() {
        assert_eq!(host_of("https://www.A.com/x?y"), "a.com");
        assert_eq!(host_of("spam.top"), "spam.top");
        assert_eq!(host_of("http://b.cn:8080/"), "b.cn");
        assert_eq!(host_of("http://广告.cn/x"), "广告.cn");
        assert_eq!(host_of("https://github.com”"), "github.com");
        assert_eq!(host_of("https://example.com@spam.top/x"), "spam.top");
        assert_eq!(
            host_of("https://example.com_.evil.top/x"),
            "example.com_.evil.top"
        );
        assert_eq!(host_of("https://spam.top./x"), "spam.top");
        assert_eq!(host_of("https://github.com's"), "github.com");
        assert_eq!(host_of("www.a.com/r?u=https://b.top"), "a.com");
        assert_eq!(host_of("https://пример.рф/"), "пример.рф");
    }
}
