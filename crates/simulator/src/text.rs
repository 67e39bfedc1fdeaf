//! Sentences for the simulated members: each text is assembled from several template parts and
//! the group's vocabulary, so that a month of chat holds thousands of distinct messages rather than
//! twenty fixed strings, which would make every detector and classifier look better than it is.

use crate::Language;
use crate::rng::Rng;
use crate::words::{self, Theme};

/// What a person says about themselves: the same city and job show up in their introduction and
/// their nickname, as they would for a real person.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Portrait {
    pub city: u16,
    pub job: u16,
    pub hobbies: [u16; 2],
    pub hours: u16,
}

impl Portrait {
    pub(crate) fn random(rng: &mut Rng, english: bool) -> Portrait {
        let city = if !english && rng.chance(0.9) {
            rng.index(words::CHINESE_CITIES)
        } else {
            rng.index(words::CITIES.len())
        };
        let first = rng.index(words::HOBBIES.len());
        let mut second = rng.index(words::HOBBIES.len());
        if second == first {
            second = (first + 1) % words::HOBBIES.len();
        }
        Portrait {
            city: city as u16,
            job: rng.index(words::JOBS.len()) as u16,
            hobbies: [first as u16, second as u16],
            hours: rng.index(words::HOURS.len()) as u16,
        }
    }

    fn city(self, language: Language) -> &'static str {
        let (zh, en) = words::CITIES
            .get(usize::from(self.city))
            .copied()
            .unwrap_or(("上海", "Shanghai"));
        if language == Language::Chinese {
            zh
        } else {
            en
        }
    }

    fn industry(self, language: Language) -> &'static str {
        let job = words::JOBS
            .get(usize::from(self.job))
            .copied()
            .unwrap_or(words::JOBS[0]);
        if language == Language::Chinese {
            job.0
        } else {
            job.2
        }
    }

    fn position(self, language: Language) -> &'static str {
        let job = words::JOBS
            .get(usize::from(self.job))
            .copied()
            .unwrap_or(words::JOBS[0]);
        if language == Language::Chinese {
            job.1
        } else {
            job.3
        }
    }

    fn hobby(self, which: usize, language: Language) -> &'static str {
        let index = usize::from(self.hobbies[which % 2]);
        let (zh, en) = words::HOBBIES
            .get(index)
            .copied()
            .unwrap_or(("读书", "reading"));
        if language == Language::Chinese {
            zh
        } else {
            en
        }
    }

    fn hours(self, language: Language) -> &'static str {
        let (zh, en) = words::HOURS
            .get(usize::from(self.hours))
            .copied()
            .unwrap_or(("9-18", "9-6"));
        if language == Language::Chinese {
            zh
        } else {
            en
        }
    }
}

/// Copies `template` into `out`, replacing each `{slot}` with what `fill` writes for it.
pub(crate) fn render(out: &mut String, template: &str, mut fill: impl FnMut(&str, &mut String)) {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                fill(&after[..close], out);
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
}

/// Topic, second topic, product, city, a date and an hour for one sentence of one group.
struct Vocabulary {
    topic: &'static str,
    other_topic: &'static str,
    product: &'static str,
    city: &'static str,
    date: String,
    clock: String,
}

impl Vocabulary {
    fn draw(rng: &mut Rng, language: Language, theme: &Theme) -> Vocabulary {
        let (topics, products) = match language {
            Language::Chinese => (theme.zh_topics, theme.zh_products),
            Language::English => (theme.en_topics, theme.en_products),
        };
        let topic = rng.pick(topics);
        let mut other_topic = rng.pick(topics);
        if other_topic == topic {
            other_topic = rng.pick(topics);
        }
        let (zh_city, en_city) = words::CITIES
            .get(rng.index(words::CHINESE_CITIES))
            .copied()
            .unwrap_or(("上海", "Shanghai"));
        let city = if language == Language::Chinese {
            zh_city
        } else {
            en_city
        };
        let (month, day) = (1 + rng.index(12), 1 + rng.index(28));
        let hour = 1 + rng.index(12);
        let (date, clock) = match (language, rng.index(3)) {
            (Language::Chinese, 0) => (format!("{month}月{day}日"), format!("{hour}点")),
            (Language::Chinese, 1) => (format!("{month}月{day}号"), format!("晚上{hour}点半")),
            (Language::Chinese, _) => (
                format!("{month}.{day}"),
                format!("{}:{:02}", hour + 8, 15 * rng.index(4)),
            ),
            (Language::English, n) => (
                format!("{} {day}", MONTHS[month - 1]),
                if n == 0 {
                    format!("{hour}pm")
                } else {
                    format!("{}:{:02}", hour + 8, 15 * rng.index(4))
                },
            ),
        };
        Vocabulary {
            topic,
            other_topic,
            product: rng.pick(products),
            city,
            date,
            clock,
        }
    }

    fn fill(&self, slot: &str, out: &mut String) {
        out.push_str(match slot {
            "t" => self.topic,
            "t2" => self.other_topic,
            "p" => self.product,
            "city" => self.city,
            "date" => &self.date,
            "clock" => &self.clock,
            _ => "",
        });
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "March", "April", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec",
];

fn render_vocabulary(out: &mut String, template: &str, vocabulary: &Vocabulary) {
    render(out, template, |slot, out| vocabulary.fill(slot, out));
}

fn capitalise_first(text: &mut str) {
    if let Some(first) = text.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
}

fn by_language<'a>(language: Language, zh: &'a [&'a str], en: &'a [&'a str]) -> &'a [&'a str] {
    match language {
        Language::Chinese => zh,
        Language::English => en,
    }
}

/// Ordinary chat: prefix, a body about the group's topics, a suffix and a tail, or a short reply.
pub(crate) fn chat(rng: &mut Rng, language: Language, theme: &Theme) -> String {
    if rng.chance(0.3) {
        return rng
            .pick(by_language(language, words::ZH_SHORT, words::EN_SHORT))
            .to_owned();
    }
    let vocabulary = Vocabulary::draw(rng, language, theme);
    let mut text = String::with_capacity(64);
    match language {
        Language::Chinese => {
            text.push_str(rng.pick(words::ZH_CHAT_PREFIXES));
            render_vocabulary(&mut text, rng.pick(words::ZH_CHAT_BODIES), &vocabulary);
            text.push_str(rng.pick(words::ZH_CHAT_SUFFIXES));
            text.push_str(rng.pick(words::ZH_TAILS));
        }
        Language::English => {
            text.push_str(rng.pick(words::EN_CHAT_PREFIXES));
            render_vocabulary(&mut text, rng.pick(words::EN_CHAT_BODIES), &vocabulary);
            text.push_str(rng.pick(words::EN_CHAT_SUFFIXES));
            text.push_str(rng.pick(words::EN_TAILS));
            if rng.chance(0.4) {
                capitalise_first(&mut text);
            }
        }
    }
    text
}

/// A question; it always ends in `？` or `?`.
pub(crate) fn question(rng: &mut Rng, language: Language, theme: &Theme) -> String {
    let vocabulary = Vocabulary::draw(rng, language, theme);
    let mut text = String::with_capacity(64);
    match language {
        Language::Chinese => {
            text.push_str(rng.pick(words::ZH_QUESTION_PREFIXES));
            render_vocabulary(&mut text, rng.pick(words::ZH_QUESTIONS), &vocabulary);
        }
        Language::English => {
            text.push_str(rng.pick(words::EN_QUESTION_PREFIXES));
            render_vocabulary(&mut text, rng.pick(words::EN_QUESTIONS), &vocabulary);
            if rng.chance(0.6) {
                capitalise_first(&mut text);
            }
        }
    }
    text
}

/// The text of an answer; the caller puts the mention of the asker in front.
pub(crate) fn answer(rng: &mut Rng, language: Language, theme: &Theme) -> String {
    let vocabulary = Vocabulary::draw(rng, language, theme);
    let mut text = String::with_capacity(64);
    text.push(' ');
    render_vocabulary(
        &mut text,
        rng.pick(by_language(language, words::ZH_ANSWERS, words::EN_ANSWERS)),
        &vocabulary,
    );
    if language == Language::Chinese {
        text.push_str(rng.pick(words::ZH_TAILS));
    }
    text
}

pub(crate) fn purchase_intent(rng: &mut Rng, language: Language, theme: &Theme) -> String {
    let vocabulary = Vocabulary::draw(rng, language, theme);
    let mut text = String::with_capacity(48);
    let templates = by_language(language, words::ZH_PURCHASE, words::EN_PURCHASE);
    render_vocabulary(&mut text, rng.pick(templates), &vocabulary);
    if language == Language::English && rng.chance(0.5) {
        capitalise_first(&mut text);
    }
    text
}

/// A greeting that fits the China time of day.
pub(crate) fn greeting(rng: &mut Rng, language: Language, hour: u32) -> String {
    let bank = match (language, hour) {
        (Language::Chinese, 5..=9) => words::ZH_MORNING,
        (Language::Chinese, 11..=12) => words::ZH_NOON,
        (Language::Chinese, 14..=17) => words::ZH_AFTERNOON,
        (Language::Chinese, 18..=20) => words::ZH_EVENING,
        (Language::Chinese, 22..=23 | 0..=2) => words::ZH_NIGHT,
        (Language::Chinese, _) => words::ZH_HELLO,
        (Language::English, 5..=10) => words::EN_MORNING,
        (Language::English, 22..=23 | 0..=2) => words::EN_NIGHT,
        (Language::English, _) => words::EN_HELLO,
    };
    rng.pick(bank).to_owned()
}

/// The whole text of a sign-in.
pub(crate) fn sign_in(language: Language) -> &'static str {
    match language {
        Language::Chinese => "签到",
        Language::English => "/checkin",
    }
}

fn render_portrait(
    out: &mut String,
    template: &str,
    portrait: Portrait,
    name: &str,
    language: Language,
) {
    render(out, template, |slot, out| {
        out.push_str(match slot {
            "city" => portrait.city(language),
            "hours" => portrait.hours(language),
            "industry" => portrait.industry(language),
            "position" => portrait.position(language),
            "h1" => portrait.hobby(0, language),
            "h2" => portrait.hobby(1, language),
            "name" => name,
            _ => "",
        })
    });
}

/// A self-introduction: the group's `[城市] [工作时间] [行业/职位] [特长/爱好]` template some of
/// the time, free text the rest.
pub(crate) fn introduction(
    rng: &mut Rng,
    language: Language,
    portrait: Portrait,
    name: &str,
) -> String {
    let mut text = String::with_capacity(128);
    match language {
        Language::Chinese if rng.chance(0.55) => {
            text.push_str(rng.pick(words::ZH_INTRO_LEADS));
            render_portrait(
                &mut text,
                rng.pick(words::ZH_INTRO_TEMPLATES),
                portrait,
                name,
                language,
            );
        }
        Language::Chinese => {
            render_portrait(
                &mut text,
                rng.pick(words::ZH_INTRO_FREE),
                portrait,
                name,
                language,
            );
        }
        Language::English => {
            let bank = if rng.chance(0.4) {
                words::EN_INTRO_TEMPLATES
            } else {
                words::EN_INTRO_FREE
            };
            render_portrait(&mut text, rng.pick(bank), portrait, name, language);
        }
    }
    text
}

/// A group nickname; `patterned` ones follow `城市-行业-名字` (or `Name | City | Role`).
pub(crate) fn nickname(
    rng: &mut Rng,
    language: Language,
    portrait: Portrait,
    short_name: &str,
    patterned: bool,
) -> String {
    let bank = match (language, patterned) {
        (Language::Chinese, true) => words::ZH_NICK_PATTERNED,
        (Language::Chinese, false) => words::ZH_NICK_FREE,
        (Language::English, true) => words::EN_NICK_PATTERNED,
        (Language::English, false) => words::EN_NICK_FREE,
    };
    let mut text = String::with_capacity(32);
    render_portrait(&mut text, rng.pick(bank), portrait, short_name, language);
    text
}

/// What an applicant answers to the group's join question.
pub(crate) fn join_answer(rng: &mut Rng, language: Language, theme: &Theme) -> String {
    let vocabulary = Vocabulary::draw(rng, language, theme);
    let mut text = String::with_capacity(32);
    let bank = by_language(language, words::ZH_JOIN_ANSWERS, words::EN_JOIN_ANSWERS);
    render_vocabulary(&mut text, rng.pick(bank), &vocabulary);
    text
}

/// An owner's or admin's notice; the caller puts `@全体成员` in front.
pub(crate) fn announcement(rng: &mut Rng, language: Language, theme: &Theme) -> String {
    let vocabulary = Vocabulary::draw(rng, language, theme);
    let mut text = String::with_capacity(64);
    let bank = by_language(language, words::ZH_ANNOUNCEMENTS, words::EN_ANNOUNCEMENTS);
    render_vocabulary(&mut text, rng.pick(bank), &vocabulary);
    text
}

/// The words after an @mention in ordinary chat.
pub(crate) fn mention_line(rng: &mut Rng, language: Language, theme: &Theme) -> String {
    let vocabulary = Vocabulary::draw(rng, language, theme);
    let mut text = String::with_capacity(48);
    let bank = by_language(language, words::ZH_MENTION_LINES, words::EN_MENTION_LINES);
    render_vocabulary(&mut text, rng.pick(bank), &vocabulary);
    text
}

/// A caption for an image; may be empty, when the image is sent alone.
pub(crate) fn image_caption(rng: &mut Rng, language: Language, theme: &Theme) -> String {
    let vocabulary = Vocabulary::draw(rng, language, theme);
    let mut text = String::new();
    let bank = by_language(language, words::ZH_IMAGE_CAPTIONS, words::EN_IMAGE_CAPTIONS);
    render_vocabulary(&mut text, rng.pick(bank), &vocabulary);
    text
}

pub(crate) fn link_caption(rng: &mut Rng, language: Language, theme: &Theme) -> String {
    let vocabulary = Vocabulary::draw(rng, language, theme);
    let mut text = String::new();
    let bank = by_language(language, words::ZH_LINK_CAPTIONS, words::EN_LINK_CAPTIONS);
    render_vocabulary(&mut text, rng.pick(bank), &vocabulary);
    text
}

/// A link someone shares: an article, a code repository, a forum thread.
pub(crate) fn shared_url(rng: &mut Rng, theme: &Theme) -> String {
    let mut url = String::with_capacity(48);
    match rng.below(4) {
        0 if theme.key == "programming" || theme.key == "indie" => {
            url.push_str("https://github.com/");
            push_letters(rng, &mut url, 6);
            url.push('/');
            push_letters(rng, &mut url, 5);
        }
        0 | 1 => {
            url.push_str("https://mp.example.com/s/");
            push_code(rng, &mut url, 12);
        }
        2 => {
            url.push_str("https://www.zhihu.example/question/");
            url.push_str(&(100_000_000 + rng.below(900_000_000)).to_string());
        }
        _ => {
            url.push_str("https://blog.example.com/");
            push_letters(rng, &mut url, 8);
        }
    }
    url
}

/// An image as the platforms describe one: a URL and a file name.
pub(crate) fn image(rng: &mut Rng, extension: &str) -> (String, String) {
    let mut file = String::with_capacity(24);
    push_hex(rng, &mut file, 16);
    file.push('.');
    file.push_str(extension);
    (format!("https://img.example.com/{file}"), file)
}

/// A shared file's name, its URL and its caption.
pub(crate) fn file(rng: &mut Rng, language: Language, theme: &Theme) -> (String, String, String) {
    let vocabulary = Vocabulary::draw(rng, language, theme);
    let mut name = String::new();
    render_vocabulary(
        &mut name,
        rng.pick(by_language(
            language,
            words::ZH_FILE_NAMES,
            words::EN_FILE_NAMES,
        )),
        &vocabulary,
    );
    let mut url = "https://files.example.com/".to_owned();
    push_code(rng, &mut url, 10);
    let caption = rng
        .pick(by_language(
            language,
            words::ZH_FILE_CAPTIONS,
            words::EN_FILE_CAPTIONS,
        ))
        .to_owned();
    (name, url, caption)
}

/// A group's name, in the group's language.
pub(crate) fn group_name(rng: &mut Rng, language: Language, theme: &Theme) -> String {
    let bank = by_language(language, theme.zh_names, theme.en_names);
    let (zh_city, en_city) = words::CITIES
        .get(rng.index(words::CHINESE_CITIES + 4))
        .copied()
        .unwrap_or(("上海", "Shanghai"));
    let number = (1 + rng.below(9)).to_string();
    let brand = rng.pick(words::BRANDS);
    let mut name = String::with_capacity(32);
    render(&mut name, rng.pick(bank), |slot, out| {
        out.push_str(match slot {
            "city" if language == Language::Chinese => zh_city,
            "city" => en_city,
            "n" => &number,
            "brand" => brand,
            _ => "",
        })
    });
    name
}

/// A person's display name and the short form they use in a nickname.
pub(crate) fn person_name(rng: &mut Rng, english: bool) -> (String, String) {
    if english {
        let first = rng.pick(words::FIRST_NAMES);
        let last = rng.pick(words::LAST_NAMES);
        let name = match rng.below(4) {
            0 => first.to_owned(),
            1 => format!("{}_{}", first.to_ascii_lowercase(), 10 + rng.below(90)),
            2 => format!("{first} {}.", &last[..1]),
            _ => format!("{first} {last}"),
        };
        return (name, first.to_owned());
    }
    let surname = rng.pick(words::SURNAMES);
    let given = rng.pick(words::GIVEN);
    let second = rng.pick(words::GIVEN);
    match rng.below(9) {
        0 | 1 => (format!("{surname}{given}"), format!("{surname}{given}")),
        2 | 3 => (
            format!("{surname}{given}{second}"),
            format!("{given}{second}"),
        ),
        4 => (format!("小{given}"), format!("小{given}")),
        5 => (format!("阿{given}"), format!("阿{given}")),
        6 => {
            let noun = rng.pick(words::NET_NOUNS);
            (
                format!("{}{noun}", rng.pick(words::NET_ADJECTIVES)),
                noun.to_owned(),
            )
        }
        7 => {
            let first = rng.pick(words::FIRST_NAMES);
            (first.to_owned(), first.to_owned())
        }
        _ => (
            format!("{}{given}{given}", rng.pick(words::NAME_DECORATIONS)),
            format!("{given}{given}"),
        ),
    }
}

pub(crate) fn spammer_name(rng: &mut Rng, language: Language) -> String {
    rng.pick(by_language(
        language,
        words::ZH_SPAMMER_NAMES,
        words::EN_SPAMMER_NAMES,
    ))
    .to_owned()
}

/// One spammer's advertisement: the text and what comes with it. A spammer posts the same
/// campaign everywhere, now and then with a small change to slip past exact-match filters.
#[derive(Debug, Clone)]
pub(crate) struct Campaign {
    pub text: String,
    pub link: Option<String>,
    /// A QR code picture.
    pub image: Option<(String, String)>,
}

/// Contact details in the forms ad filters have to see through.
struct Contact {
    handle: String,
    handle_spaced: String,
    handle_zero_width: String,
    qq: String,
    phone: String,
    phone_full_width: String,
    domain: String,
}

impl Contact {
    fn random(rng: &mut Rng) -> Contact {
        let mut handle = String::with_capacity(12);
        if rng.chance(0.3) {
            handle.push_str("wx_");
        }
        let letters = 2 + rng.index(3);
        push_letters(rng, &mut handle, letters);
        for _ in 0..3 + rng.index(2) {
            handle.push(char::from(b'0' + rng.below(10) as u8));
        }
        let handle_spaced = handle
            .chars()
            .map(String::from)
            .collect::<Vec<_>>()
            .join(" ");
        let handle_zero_width = handle
            .chars()
            .map(String::from)
            .collect::<Vec<_>>()
            .join("\u{200b}");
        let qq = (10_000_000 + rng.below(3_000_000_000)).to_string();
        let mut phone = String::from("1");
        phone.push(char::from(b"35789"[rng.index(5)]));
        for _ in 0..9 {
            phone.push(char::from(b'0' + rng.below(10) as u8));
        }
        let phone_full_width = phone
            .chars()
            .map(|digit| {
                char::from_u32(u32::from(digit) - u32::from('0') + 0xFF10).unwrap_or(digit)
            })
            .collect();
        let mut domain = String::new();
        let letters = 3 + rng.index(4);
        push_letters(rng, &mut domain, letters);
        Contact {
            handle,
            handle_spaced,
            handle_zero_width,
            qq,
            phone,
            phone_full_width,
            domain,
        }
    }

    fn fill(&self, slot: &str, out: &mut String) {
        out.push_str(match slot {
            "h" => &self.handle,
            "hs" => &self.handle_spaced,
            "hz" => &self.handle_zero_width,
            "qq" => &self.qq,
            "phone" => &self.phone,
            "phonefw" => &self.phone_full_width,
            "dom" => &self.domain,
            _ => "",
        });
    }
}

pub(crate) fn campaign(rng: &mut Rng, language: Language) -> Campaign {
    let contact = Contact::random(rng);
    let mut text = String::with_capacity(96);
    let (hooks, offers, contacts, calls, separator) = match language {
        Language::Chinese => (
            words::ZH_AD_HOOKS,
            words::ZH_AD_OFFERS,
            words::ZH_AD_CONTACTS,
            words::ZH_AD_CALLS,
            "，",
        ),
        Language::English => (
            words::EN_AD_HOOKS,
            words::EN_AD_OFFERS,
            words::EN_AD_CONTACTS,
            words::EN_AD_CALLS,
            ". ",
        ),
    };
    text.push_str(rng.pick(hooks));
    text.push_str(rng.pick(offers));
    text.push_str(separator);
    render(&mut text, rng.pick(contacts), |slot, out| {
        contact.fill(slot, out)
    });
    if rng.chance(0.35) {
        text.push_str(separator);
        render(&mut text, rng.pick(contacts), |slot, out| {
            contact.fill(slot, out)
        });
    }
    let call = rng.pick(calls);
    if !call.is_empty() {
        text.push_str(separator);
        text.push_str(call);
    }
    let link = rng.chance(0.3).then(|| {
        let mut url = format!("http://{}.cn/", contact.domain);
        push_code(rng, &mut url, 6);
        url
    });
    let image = rng.chance(0.3).then(|| image(rng, "png"));
    Campaign { text, link, image }
}

/// The text of one post of a campaign: variant 0 is the campaign's own text, others add a tail.
pub(crate) fn ad_text(campaign: &Campaign, variant: u8) -> String {
    let mut text = campaign.text.clone();
    if variant > 0 {
        let tails = words::AD_VARIANT_TAILS;
        text.push_str(tails[usize::from(variant) % tails.len()]);
    }
    text
}

fn push_letters(rng: &mut Rng, out: &mut String, count: usize) {
    for _ in 0..count {
        out.push(char::from(b'a' + rng.below(26) as u8));
    }
}

fn push_code(rng: &mut Rng, out: &mut String, count: usize) {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    for _ in 0..count {
        out.push(char::from(ALPHABET[rng.index(ALPHABET.len())]));
    }
}

fn push_hex(rng: &mut Rng, out: &mut String, count: usize) {
    const DIGITS: &[u8] = b"0123456789abcdef";
    for _ in 0..count {
        out.push(char::from(DIGITS[rng.index(DIGITS.len())]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_fills_slots_and_keeps_the_rest() {
        let check = |template: &str, expected: &str| {
            let mut out = String::new();
            render(&mut out, template, |slot, out| {
                out.push_str(&slot.to_uppercase())
            });
            assert_eq!(out, expected);
        };
        check("", "");
        check("没有槽位", "没有槽位");
        check("{t}怎么弄？", "T怎么弄？");
        check("{t}和{t2}", "T和T2");
        check("半个{括号", "半个{括号");
        check("}{a}{", "}A{");
    }

    #[test]
    fn questions_always_end_in_a_question_mark() {
        let mut rng = Rng::new(1);
        for theme in words::THEMES {
            for language in [Language::Chinese, Language::English] {
                for _ in 0..200 {
                    let text = question(&mut rng, language, theme);
                    assert!(text.ends_with('？') || text.ends_with('?'), "{text}");
                }
            }
        }
    }

    #[test]
    fn chat_varies_a_lot() {
        let mut rng = Rng::new(2);
        let texts: std::collections::HashSet<String> = (0..5_000)
            .map(|i| chat(&mut rng, Language::Chinese, &words::THEMES[i % 9]))
            .collect();
        assert!(texts.len() > 2_500, "only {} distinct texts", texts.len());
    }

    #[test]
    fn ads_carry_contact_details_in_obfuscated_forms() {
        let mut rng = Rng::new(3);
        let ads: Vec<String> = (0..400)
            .map(|_| campaign(&mut rng, Language::Chinese).text)
            .collect();
        let any = |needle: &dyn Fn(&str) -> bool| ads.iter().any(|ad| needle(ad));
        assert!(any(&|ad| ad.contains('\u{200b}')), "zero-width characters");
        assert!(
            any(&|ad| ad.chars().any(|c| ('０'..='９').contains(&c))),
            "full-width digits"
        );
        assert!(any(&|ad| ad.contains("威❤信")));
        assert!(any(&|ad| ad.contains("加V")));
        assert!(any(&|ad| ad.contains("加q")));
        assert!(any(&|ad| ad.contains("www点")));
    }

    #[test]
    fn patterned_nicknames_are_city_industry_name() {
        let mut rng = Rng::new(4);
        let portrait = Portrait {
            city: 4,
            job: 3,
            hobbies: [0, 1],
            hours: 0,
        };
        let nicks: Vec<String> = (0..20)
            .map(|_| nickname(&mut rng, Language::Chinese, portrait, "小王", true))
            .collect();
        assert!(nicks.contains(&"杭州-电商-小王".to_owned()), "{nicks:?}");
    }

    #[test]
    fn every_word_bank_has_words() {
        let banks: &[&[&str]] = &[
            words::ZH_CHAT_PREFIXES,
            words::ZH_CHAT_BODIES,
            words::ZH_CHAT_SUFFIXES,
            words::ZH_TAILS,
            words::ZH_SHORT,
            words::EN_CHAT_PREFIXES,
            words::EN_CHAT_BODIES,
            words::EN_CHAT_SUFFIXES,
            words::EN_TAILS,
            words::EN_SHORT,
            words::ZH_QUESTIONS,
            words::EN_QUESTIONS,
            words::ZH_ANSWERS,
            words::EN_ANSWERS,
            words::ZH_PURCHASE,
            words::EN_PURCHASE,
            words::ZH_MORNING,
            words::ZH_NIGHT,
            words::EN_MORNING,
            words::EN_NIGHT,
            words::ZH_INTRO_TEMPLATES,
            words::ZH_INTRO_FREE,
            words::EN_INTRO_TEMPLATES,
            words::EN_INTRO_FREE,
            words::ZH_AD_HOOKS,
            words::ZH_AD_OFFERS,
            words::ZH_AD_CONTACTS,
            words::EN_AD_OFFERS,
            words::EN_AD_CONTACTS,
            words::ZH_CHANNELS,
            words::EN_CHANNELS,
            words::SURNAMES,
            words::GIVEN,
            words::FIRST_NAMES,
            words::LAST_NAMES,
            words::BRANDS,
        ];
        assert!(banks.iter().all(|bank| !bank.is_empty()));
        for theme in words::THEMES {
            for bank in [
                theme.zh_names,
                theme.en_names,
                theme.zh_topics,
                theme.en_topics,
                theme.zh_products,
                theme.en_products,
            ] {
                assert!(!bank.is_empty(), "theme {}", theme.key);
            }
        }
    }
}
