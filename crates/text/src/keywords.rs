//! Operators' word lists (per group and global): every word found in one pass over the message,
//! whatever the list's size (Aho-Corasick), on normalised text so that `ＶＸ` matches `vx`.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::normalize;

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
        // Leftmost-longest: `兼职刷单` is reported as itself, not as `兼职`.
        let matcher = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&words)
            .ok();
        KeywordList { words, matcher }
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The list's words found in `normalized` text, each once, in the order they appear.
    pub fn find<'a>(&'a self, normalized: &str) -> Vec<&'a str> {
        let Some(matcher) = &self.matcher else {
            return Vec::new();
        };
        let mut found: Vec<&str> = Vec::new();
        for hit in matcher.find_iter(normalized) {
            if let Some(word) = self.words.get(hit.pattern().as_usize())
                && !found.contains(&word.as_str())
            {
                found.push(word);
            }
        }
        found
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
