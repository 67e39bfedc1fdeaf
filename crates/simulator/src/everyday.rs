//! Ordinary lines that a simulated day rarely or never holds, because they belong to one day of
//! the year or to one kind of group: greetings on every festival, cloud servers and releases in a
//! developers' group, game ids shared to play together. The ad classifier learns from them as
//! ordinary talk beside the simulated community: without them it had never seen `中秋节快乐`,
//! and read it as an ad (a probe of 436 ordinary lines, README "Ad detection quality").
//!
//! Built from templates, in a fixed order: the same list every time.

/// Festivals and the word they are wished with (`快乐`, or `安康` for the solemn ones).
const FESTIVALS: &[(&str, &str)] = &[
    ("新年", "快乐"),
    ("春节", "快乐"),
    ("元旦", "快乐"),
    ("元宵节", "快乐"),
    ("情人节", "快乐"),
    ("妇女节", "快乐"),
    ("女神节", "快乐"),
    ("清明", "安康"),
    ("劳动节", "快乐"),
    ("五一", "快乐"),
    ("母亲节", "快乐"),
    ("儿童节", "快乐"),
    ("六一", "快乐"),
    ("端午", "安康"),
    ("端午节", "快乐"),
    ("父亲节", "快乐"),
    ("七夕", "快乐"),
    ("教师节", "快乐"),
    ("中秋", "快乐"),
    ("中秋节", "快乐"),
    ("国庆", "快乐"),
    ("国庆节", "快乐"),
    ("重阳节", "快乐"),
    ("冬至", "快乐"),
    ("腊八节", "快乐"),
    ("小年", "快乐"),
    ("除夕", "快乐"),
    ("平安夜", "快乐"),
    ("圣诞节", "快乐"),
    ("圣诞", "快乐"),
];

/// How a member wishes the group a good festival: `{f}` the festival, `{w}` its word.
const WISHES: &[&str] = &[
    "{f}{w}",
    "{f}{w}！",
    "{f}{w}呀",
    "{f}{w}～",
    "{f}{w} 各位",
    "各位{f}{w}",
    "祝大家{f}{w}",
    "祝大家{f}{w}🎉",
    "群里的朋友们{f}{w}",
    "提前祝大家{f}{w}",
    "{f}{w}，放假了吗",
    "{f}{w}！今天回老家了",
    "大家{f}{w}，吃好喝好",
    "{f}{w}，祝各位身体健康",
];

const EN_FESTIVALS: &[&str] = &[
    "happy new year",
    "merry christmas",
    "happy holidays",
    "happy thanksgiving",
    "happy easter",
    "happy lunar new year",
    "happy mid-autumn festival",
    "happy diwali",
    "eid mubarak",
];

const EN_WISHES: &[&str] = &[
    "{f}",
    "{f}!",
    "{f} everyone",
    "{f} all 🎉",
    "{f} to everyone here",
    "{f}, enjoy the break",
];

/// A developers' group on the servers and versions it runs: prices and version numbers in
/// ordinary talk.
const CLOUD: &[&str] = &["阿里云", "腾讯云", "华为云", "京东云", "vultr", "aws"];
const SERVER_TALK: &[&str] = &[
    "服务器买的{c} 4核8g 一年199",
    "{c}新用户优惠 1核2g 一年50 还行",
    "{c}的轻量服务器续费涨到300了",
    "我用的{c} 4核8g，一个月100多",
    "{c}双十一活动 3年才几百",
    "博客放在{c}上，一年不到100",
    "{c}那台机器到期了，换一家",
    "{c}学生机还有吗，9块一个月那种",
];
const PROJECTS: &[&str] = &[
    "rust",
    "node",
    "python",
    "vue",
    "react",
    "我们项目",
    "这个插件",
];
const RELEASE_TALK: &[&str] = &[
    "{p} 2.0.0-rc.1 发布了",
    "{p} v2.3.1 发布了，修了那个 bug",
    "1.4.0 的 release 出了，更新日志在群文件",
    "{p} 升级到 3.0 之后好多了",
    "{p} v0.9.8 还有内存泄漏",
    "新版本 v1.2.0 今晚发",
    "{p} 的 2.0 beta 可以试试了",
];

/// Game groups: ids and friend codes shared to play together.
const GAME_TALK: &[&str] = &[
    "steam好友代码 385920174 加一下",
    "我uid 176503928 加个好友一起玩",
    "原神 uid 208174635 缺人一起刷本",
    "我uid是 105728364，来帮我打一下",
    "switch好友码 SW-1234-5678-9012",
    "王者区服是微信区，一起开黑",
    "今晚谁一起，我游戏id 夜雨听风",
    "来我服务器玩，房间号 847261",
];

fn fill(template: &str, slot: &str, value: &str) -> String {
    template.replace(slot, value)
}

/// Every line, Chinese and English, in a fixed order.
pub fn everyday_chat() -> Vec<String> {
    let mut lines = Vec::new();
    for (festival, word) in FESTIVALS {
        for wish in WISHES {
            lines.push(fill(&fill(wish, "{f}", festival), "{w}", word));
        }
    }
    for festival in EN_FESTIVALS {
        for wish in EN_WISHES {
            lines.push(fill(wish, "{f}", festival));
        }
    }
    for cloud in CLOUD {
        for talk in SERVER_TALK {
            lines.push(fill(talk, "{c}", cloud));
        }
    }
    for project in PROJECTS {
        for talk in RELEASE_TALK {
            lines.push(fill(talk, "{p}", project));
        }
    }
    lines.extend(GAME_TALK.iter().map(|line| (*line).to_owned()));
    lines.sort();
    lines.dedup();
    lines
}

#[cfg(test)]
mod tests {
    use super::everyday_chat;

    #[test]
    fn every_template_is_filled() {
        let lines = everyday_chat();
        assert_eq!(lines.len(), 567);
        assert!(lines.iter().all(|line| !line.contains('{')), "a slot left");
        assert!(lines.contains(&"中秋节快乐".to_owned()));
        assert!(lines.contains(&"端午安康".to_owned()));
        // Every festival is wished in every way.
        for (festival, word) in super::FESTIVALS {
            let wished = format!("{festival}{word}");
            let count = lines.iter().filter(|line| line.contains(&wished)).count();
            assert!(count >= super::WISHES.len(), "{wished}: {count}");
        }
    }
}
