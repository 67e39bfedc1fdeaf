//! Self-introductions read into profile fields and tags. Three shapes: the group's template filled
//! in (`[上海] [朝九晚六] [互联网/产品] [跑步、摄影]`, fields by position), labelled fields
//! (`城市：上海`, `【爱好】跑步`, `City: Berlin`), and free text (`大家好，我是小王，坐标上海，做
//! 产品经理，平时喜欢跑步和摄影`), where cities, occupations and hobbies are found by word lists and
//! by the phrases that introduce them (`喜欢`, `擅长`, `I like`). A message is taken for an
//! introduction when it says so (`自我介绍`, `大家好，我是`, `I'm ... from`) or fills the template,
//! and yields at least two fields.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};

/// What an introduction said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub city: Option<String>,
    pub hours: Option<String>,
    pub occupation: Option<String>,
    pub interests: Vec<String>,
    pub expertise: Vec<String>,
    /// `MM-DD`.
    pub birthday: Option<String>,
}

impl Parsed {
    fn fields(&self) -> usize {
        usize::from(self.city.is_some())
            + usize::from(self.hours.is_some())
            + usize::from(self.occupation.is_some())
            + usize::from(!self.interests.is_empty())
            + usize::from(!self.expertise.is_empty())
    }

    /// `(kind, tag)` pairs for the member's profile.
    pub fn tags(&self) -> Vec<(String, String)> {
        let mut tags = Vec::new();
        if let Some(city) = &self.city {
            tags.push(("region".to_owned(), city.clone()));
        }
        if let Some(occupation) = &self.occupation {
            for part in split_list(occupation) {
                tags.push(("occupation".to_owned(), part));
            }
        }
        for interest in &self.interests {
            tags.push(("interest".to_owned(), interest.clone()));
        }
        for skill in &self.expertise {
            tags.push(("expertise".to_owned(), skill.clone()));
        }
        tags.sort();
        tags.dedup();
        tags
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    City,
    Hours,
    Occupation,
    Interests,
    Expertise,
    Birthday,
}

/// Which field a label names (`城市`, `Working hours`, `行业/职位`, `特长/爱好`...).
fn field_of(label: &str) -> Option<Field> {
    let label = label.trim().to_lowercase();
    let has = |words: &[&str]| words.iter().any(|word| label.contains(word));
    if has(&["生日", "birthday"]) {
        Some(Field::Birthday)
    } else if has(&["爱好", "兴趣", "hobb", "interest"]) {
        Some(Field::Interests)
    } else if has(&["特长", "专长", "擅长", "技能", "special", "skill", "expert"]) {
        Some(Field::Expertise)
    } else if has(&["时间", "hours", "time", "作息"]) {
        Some(Field::Hours)
    } else if has(&[
        "行业",
        "职位",
        "职业",
        "工作",
        "岗位",
        "公司",
        "industry",
        "position",
        "job",
        "work",
        "occupation",
        "role",
    ]) {
        Some(Field::Occupation)
    } else if has(&[
        "城市",
        "地区",
        "坐标",
        "所在地",
        "地点",
        "城",
        "city",
        "location",
        "where",
        "region",
    ]) {
        Some(Field::City)
    } else {
        None
    }
}

/// The bracketed fields of a text: `[...]`, `【...】`, `〔...〕`.
fn brackets(text: &str) -> Vec<(usize, usize, &str)> {
    let mut found = Vec::new();
    let mut rest = 0;
    while let Some(open) = text[rest..].find(['[', '【', '〔']) {
        let open = rest + open;
        let opener = text[open..].chars().next().unwrap_or('[');
        let closer = match opener {
            '【' => '】',
            '〔' => '〕',
            _ => ']',
        };
        let inner = open + opener.len_utf8();
        let Some(close) = text[inner..].find(closer) else {
            break;
        };
        let close = inner + close;
        found.push((open, close + closer.len_utf8(), text[inner..close].trim()));
        rest = close + closer.len_utf8();
    }
    found
}

/// Parses an introduction against the group's template; `None` when the message is not one.
pub fn parse(text: &str, template: &str) -> Option<Parsed> {
    let text = text.trim();
    if text.chars().count() < 6 || text.chars().count() > 1000 {
        return None;
    }
    let mut parsed = Parsed::default();
    let labels: Vec<Option<Field>> = brackets(template)
        .into_iter()
        .map(|(_, _, label)| field_of(label))
        .collect();
    let fields = brackets(text);
    let mut filled = false;
    // `【城市】上海 【爱好】跑步`: labels in brackets, values after them.
    if fields
        .iter()
        .filter(|(_, _, inner)| field_of(inner).is_some())
        .count()
        >= 2
    {
        for (index, (_, end, label)) in fields.iter().enumerate() {
            let stop = fields.get(index + 1).map_or(text.len(), |next| next.0);
            if let Some(field) = field_of(label) {
                set(&mut parsed, field, clean(&text[*end..stop]));
            }
        }
        filled = true;
    } else if labels.len() >= 2 && fields.len() >= labels.len().min(3) {
        // The template filled in: values in brackets, by position.
        for ((_, _, value), label) in fields.iter().zip(&labels) {
            if let Some(field) = label {
                set(&mut parsed, *field, clean(value));
            }
        }
        filled = true;
    }
    // `城市：上海` lines or clauses; a list goes on after a comma (`爱好：跑步, 摄影`).
    let mut list: Option<Field> = None;
    for clause in text.split(['\n', '；', ';', '，', ',', '。', '|']) {
        if let Some((label, value)) = clause.split_once(['：', ':'])
            && label.chars().count() <= 12
            && let Some(field) = field_of(label)
        {
            set(&mut parsed, field, clean(value));
            list = matches!(field, Field::Interests | Field::Expertise).then_some(field);
            filled = true;
        } else if let Some(field) = list {
            set(&mut parsed, field, clean(clause));
        }
    }
    let says_so = says_it_is_an_introduction(text);
    if !filled && !says_so {
        return None;
    }
    free_text(text, &mut parsed);
    (parsed.fields() >= 2).then_some(parsed)
}

fn says_it_is_an_introduction(text: &str) -> bool {
    let lower = text.to_lowercase();
    [
        "自我介绍",
        "大家好，我是",
        "大家好我是",
        "大家好,我是",
        "介绍一下",
        "新人报到",
        "新人报道",
        "my name is",
        "introduce myself",
        "introducing myself",
        "hi all, i'm",
        "hello everyone, i'm",
        "hi everyone, i'm",
    ]
    .iter()
    .any(|phrase| lower.contains(phrase))
        || (lower.starts_with("i'm ") || lower.starts_with("i am ")) && lower.contains(" from ")
}

fn set(parsed: &mut Parsed, field: Field, value: String) {
    if value.is_empty() {
        return;
    }
    match field {
        Field::City => parsed.city = Some(value),
        Field::Hours => parsed.hours = Some(value),
        Field::Occupation => parsed.occupation = Some(value),
        Field::Interests => parsed.interests.extend(split_list(&value)),
        Field::Expertise => parsed.expertise.extend(split_list(&value)),
        Field::Birthday => parsed.birthday = super::rewards::parse_birthday(&value),
    }
}

fn clean(value: &str) -> String {
    value
        .trim_matches(|c: char| c.is_whitespace() || "：:，,。.；;、[]【】〔〕".contains(c))
        .chars()
        .take(100)
        .collect()
}

/// `跑步、摄影和读书` → three tags.
fn split_list(value: &str) -> Vec<String> {
    value
        .split(['、', '，', ',', '/', '／', ';', '；', '和', '及', '&'])
        .flat_map(|part| part.split(" and "))
        .map(clean)
        .filter(|part| !part.is_empty() && part.chars().count() <= 20)
        .take(10)
        .collect()
}

/// Free text: cities, occupations and hobbies by word lists; what follows `喜欢` / `擅长` /
/// `I like` / `I'm good at` up to the end of the clause.
fn free_text(text: &str, parsed: &mut Parsed) {
    let Some(lists) = lists() else {
        return;
    };
    // Lower case can change a text's length: everything below reads `lower` alone.
    let lower = text.to_lowercase();
    for found in lists.automaton.find_iter(&lower) {
        if !whole_word(&lower, found.start(), found.end()) {
            continue;
        }
        let word = &lower[found.start()..found.end()];
        match lists.kinds[found.pattern().as_usize()] {
            Field::City if parsed.city.is_none() => parsed.city = Some(canonical_city(word)),
            Field::Occupation if parsed.occupation.is_none() => {
                parsed.occupation = Some(word.to_owned());
            }
            Field::Interests if !parsed.interests.iter().any(|known| known == word) => {
                parsed.interests.push(word.to_owned());
            }
            _ => {}
        }
    }
    for (cue, field) in [
        ("喜欢", Field::Interests),
        ("爱好是", Field::Interests),
        ("爱好", Field::Interests),
        ("擅长", Field::Expertise),
        ("i like ", Field::Interests),
        ("i love ", Field::Interests),
        ("i enjoy ", Field::Interests),
        ("good at ", Field::Expertise),
    ] {
        let Some(at) = lower.find(cue) else {
            continue;
        };
        let after = &lower[at + cue.len()..];
        let clause = after
            .split(['。', '！', '!', '\n', '，', ',', '；', ';', '.'])
            .next()
            .unwrap_or("");
        let items = split_list(clause);
        let list = match field {
            Field::Expertise => &mut parsed.expertise,
            _ => &mut parsed.interests,
        };
        for item in items {
            if !list.contains(&item) {
                list.push(item);
            }
        }
    }
    parsed.interests.truncate(10);
    parsed.expertise.truncate(10);
}

/// `new york` → `New York`; `北京市` → `北京`.
fn canonical_city(word: &str) -> String {
    if !word.is_ascii() {
        return word.trim_end_matches('市').to_owned();
    }
    word.split(' ')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or(String::new(), |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// An English word found inside a longer one (`rome` in `chrome`) is not that word.
fn whole_word(text: &str, start: usize, end: usize) -> bool {
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    !text.as_bytes()[start].is_ascii()
        || !alnum(text[..start].chars().next_back()) && !alnum(text[end..].chars().next())
}

struct Lists {
    automaton: AhoCorasick,
    kinds: Vec<Field>,
}

/// Cities and provinces (mainland China, Hong Kong, Macao, Taiwan, the largest elsewhere),
/// frequent occupations and hobbies. Word lists written for Steward.
const CITIES: &str = "北京 上海 天津 重庆 广州 深圳 杭州 南京 苏州 成都 武汉 西安 长沙 郑州 青岛 济南 \
    宁波 厦门 福州 合肥 南昌 昆明 贵阳 南宁 海口 三亚 沈阳 大连 长春 哈尔滨 石家庄 太原 呼和浩特 \
    兰州 西宁 银川 乌鲁木齐 拉萨 无锡 常州 温州 东莞 佛山 珠海 中山 惠州 泉州 烟台 潍坊 徐州 \
    南通 扬州 嘉兴 绍兴 金华 台州 保定 唐山 洛阳 襄阳 宜昌 芜湖 桂林 柳州 绵阳 遵义 大理 丽江 \
    香港 澳门 台北 高雄 台中 新加坡 东京 大阪 首尔 吉隆坡 曼谷 悉尼 墨尔本 伦敦 巴黎 柏林 纽约 \
    洛杉矶 旧金山 多伦多 温哥华 北京市 上海市 深圳市 广州市 \
    广东 浙江 江苏 山东 河南 河北 湖南 湖北 四川 福建 安徽 江西 云南 贵州 广西 海南 辽宁 吉林 \
    黑龙江 山西 陕西 甘肃 青海 宁夏 新疆 西藏 内蒙古 台湾";
const CITIES_EN: &str = "beijing, shanghai, shenzhen, guangzhou, hangzhou, chengdu, wuhan, \
    nanjing, hong kong, singapore, tokyo, seoul, london, paris, berlin, new york, san francisco, \
    los angeles, toronto, vancouver, sydney, melbourne, amsterdam, madrid, rome, moscow, dubai, \
    bangkok";
const OCCUPATIONS: &str = "产品经理 项目经理 程序员 工程师 开发 前端 后端 设计师 UI设计 运营 \
    销售 客服 人事 HR 财务 会计 审计 律师 法务 医生 护士 药剂师 老师 教师 讲师 教练 学生 研究生 \
    博士 研究员 记者 编辑 作家 摄影师 主播 自媒体 公务员 创业者 老板 店主 厨师 司机 快递员 \
    外卖员 建筑师 市场营销 咨询顾问 分析师 投资人 银行 保险 电商 宝妈 全职妈妈 退休";
const OCCUPATIONS_EN: &str = "product manager, project manager, software engineer, engineer, \
    developer, programmer, designer, teacher, student, doctor, nurse, lawyer, accountant, \
    marketer, sales, consultant, researcher, writer, journalist, photographer, founder, \
    data scientist, analyst";
const HOBBIES: &str = "跑步 马拉松 健身 瑜伽 游泳 骑行 徒步 爬山 登山 露营 滑雪 篮球 足球 羽毛球 \
    乒乓球 网球 排球 高尔夫 钓鱼 摄影 读书 阅读 写作 旅行 旅游 音乐 唱歌 吉他 钢琴 跳舞 电影 \
    追剧 动漫 游戏 桌游 围棋 象棋 书法 画画 绘画 手工 烘焙 做饭 烹饪 美食 咖啡 茶艺 品茶 养花 \
    园艺 宠物 养猫 撸猫 养狗 投资 理财 户外";
const HOBBIES_EN: &str = "running, marathon, fitness, yoga, swimming, cycling, hiking, climbing, \
    camping, skiing, basketball, football, soccer, badminton, tennis, photography, reading, \
    writing, travel, music, singing, guitar, piano, dancing, movies, gaming, board games, chess, \
    painting, baking, cooking, coffee, gardening";

fn lists() -> Option<&'static Lists> {
    static LISTS: OnceLock<Option<Lists>> = OnceLock::new();
    LISTS
        .get_or_init(|| {
            let mut words: Vec<String> = Vec::new();
            let mut kinds = Vec::new();
            let mut add = |list: &str, comma: bool, kind: Field| {
                let items: Vec<&str> = if comma {
                    list.split(',').collect()
                } else {
                    list.split_whitespace().collect()
                };
                for item in items {
                    let item = item.trim();
                    if !item.is_empty() {
                        words.push(item.to_lowercase());
                        kinds.push(kind);
                    }
                }
            };
            add(CITIES, false, Field::City);
            add(CITIES_EN, true, Field::City);
            add(OCCUPATIONS, false, Field::Occupation);
            add(OCCUPATIONS_EN, true, Field::Occupation);
            add(HOBBIES, false, Field::Interests);
            add(HOBBIES_EN, true, Field::Interests);
            let automaton = AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&words)
                .ok()?;
            Some(Lists { automaton, kinds })
        })
        .as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = "[城市] [工作时间] [行业/职位] [特长/爱好]";

    #[test]
    fn the_template_filled_in() {
        let parsed = parse("[上海] [朝九晚六] [互联网/产品经理] [跑步、摄影]", TEMPLATE).unwrap();
        assert_eq!(parsed.city.as_deref(), Some("上海"));
        assert_eq!(parsed.hours.as_deref(), Some("朝九晚六"));
        assert_eq!(parsed.occupation.as_deref(), Some("互联网/产品经理"));
        assert_eq!(parsed.interests, ["跑步", "摄影"]);
        assert!(
            parsed
                .tags()
                .contains(&("occupation".into(), "产品经理".into()))
        );
    }

    #[test]
    fn labelled_fields() {
        let parsed = parse("【城市】杭州 【职业】设计师 【爱好】读书和徒步", TEMPLATE).unwrap();
        assert_eq!(parsed.city.as_deref(), Some("杭州"));
        assert_eq!(parsed.occupation.as_deref(), Some("设计师"));
        assert_eq!(parsed.interests, ["读书", "徒步"]);
        let parsed = parse("City: Berlin\nJob: teacher\nHobbies: chess, cycling", "").unwrap();
        assert_eq!(parsed.city.as_deref(), Some("Berlin"));
        assert_eq!(parsed.interests, ["chess", "cycling"]);
    }

    #[test]
    fn free_text() {
        let parsed = parse(
            "大家好，我是小王，坐标上海，做产品经理，平时喜欢跑步和摄影，擅长写文案。",
            TEMPLATE,
        )
        .unwrap();
        assert_eq!(parsed.city.as_deref(), Some("上海"));
        assert_eq!(parsed.occupation.as_deref(), Some("产品经理"));
        assert_eq!(parsed.interests, ["跑步", "摄影"]);
        assert_eq!(parsed.expertise, ["写文案"]);
        let parsed = parse(
            "Hi everyone, I'm Anna from London, a software engineer. I like hiking and baking.",
            "",
        )
        .unwrap();
        assert_eq!(parsed.city.as_deref(), Some("London"));
        assert_eq!(parsed.occupation.as_deref(), Some("software engineer"));
        assert_eq!(parsed.interests, ["hiking", "baking"]);
    }

    #[test]
    fn chat_is_not_an_introduction() {
        for text in [
            "上海今天下雨了，跑步的人少",
            "我喜欢这个活动",
            "[图片] [图片]",
            "大家好",
            "自我介绍一下", // says so but gives nothing
        ] {
            assert_eq!(parse(text, TEMPLATE), None, "{text}");
        }
    }
}
