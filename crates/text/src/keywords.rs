//! Operators' word lists (per group and global): every word found in one pass over the message,
//! whatever the list's size (Aho-Corasick), on normalised text so that `ＶＸ` matches `vx`.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::normalize;

/// A starting list of words common in Chinese and English ads, for operators who want one and as
/// the baseline evaluations compare the shipped chain with. Not on by default: in many
/// communities `代理` or `free` are ordinary words.
pub const STARTER_KEYWORDS: &[&str] = &[
    "加微信",
    "加v",
    "加vx",
    "加群",
    "进群",
    "扫码",
    "兼职",
    "刷单",
    "日结",
    "代理",
    "招代理",
    "出售",
    "低价",
    "免费领取",
    "领红包",
    "优惠券",
    "返利",
    "博彩",
    "彩票",
    "贷款",
    "外挂",
    "私聊我",
    "看我空间",
    "free",
    "winner",
    "prize",
    "cash",
    "click here",
    "claim",
    "urgent",
    "call now",
    "txt",
    "guaranteed",
    "offer",
    "казино",
    "заработок",
];

/// A compiled list of words. Words are normalised like messages; empty words are dropped.
#[derive(Debug, Clone)]
pub struct KeywordList {
    words: Vec<String>,
    matcher: Option<AhoCorasick>,
}

impl KeywordList {
    pub fn new<I, S>(words: I) -> KeywordList
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut words: Vec<String> = words
            .into_iter()
            .map(|word| normalize(word.as_ref().trim()))
            .filter(|word| !word.is_empty())
            .collect();
        words.sort();
        words.dedup();
        // Leftmost-longest: `兼职刷单` is reported as itself, not as `兼职`. No words, no
        // matcher: one with none still reads every message through.
        let matcher = (!words.is_empty())
            .then(|| {
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&words)
                    .ok()
            })
            .flatten();
        KeywordList { words, matcher }
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The list's words found in `normalized` text, each once, in the order they appear.
    pub fn find<'a>(&'a self, normalized: &str) -> Vec<&'a str> {
        let mut found: Vec<&str> = Vec::new();
        for (word, _) in self.hits(normalized) {
            if !found.contains(&word) {
                found.push(word);
            }
        }
        found
    }

    /// Each word found, with where (byte offsets in `normalized`), in the order they appear.
    pub fn hits<'a, 'b>(
        &'a self,
        normalized: &'b str,
    ) -> impl Iterator<Item = (&'a str, std::ops::Range<usize>)> + use<'a, 'b> {
        self.matcher.iter().flat_map(move |matcher| {
            matcher.find_iter(normalized).filter_map(|hit| {
                let word = self.words.get(hit.pattern().as_usize())?;
                Some((word.as_str(), hit.start()..hit.end()))
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::KeywordList;
    use crate::normalize;

    #[test]
    fn words_are_found_through_disguises_and_only_once() {
        let list = KeywordList::new(["兼职", "兼职刷单", "ＶＸ", "casino", " ", ""]);
        let check = |text: &str, expected: &[&str]| {
            assert_eq!(list.find(&normalize(text)), expected, "{text:?}");
        };
        check("高薪兼职刷单日结", &["兼职刷单"]);
        check("找兼职吗？兼职！", &["兼职"]);
        check("加V\u{200B}X 详聊", &["vx"]);
        check("Best CASINO bonus", &["casino"]);
        check("今天天气不错", &[]);
        assert!(KeywordList::new(["", "  "]).is_empty());
        assert!(
            KeywordList::new(Vec::<String>::new())
                .find("anything")
                .is_empty()
        );
    }
}
