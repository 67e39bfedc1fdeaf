//! The word banks the simulated members talk with: themes, cities, jobs, names and the template
//! parts that `text` assembles into sentences. Kept apart from the assembly code so that a reader
//! can extend the vocabulary without reading any logic.
//!
//! Templates use named slots: `{t}` and `{t2}` a topic of the group's theme, `{p}` a product,
//! `{city}` a city, `{n}` a number, `{brand}` a brand name.

/// What a group is about: it decides the group's name, what its members talk about and what they
/// want to buy.
pub(crate) struct Theme {
    pub key: &'static str,
    pub zh_names: &'static [&'static str],
    pub en_names: &'static [&'static str],
    pub zh_topics: &'static [&'static str],
    pub en_topics: &'static [&'static str],
    pub zh_products: &'static [&'static str],
    pub en_products: &'static [&'static str],
    /// Share of ordinary messages that show purchase intent.
    pub commerce: f64,
    /// Activity on Saturdays and Sundays relative to weekdays.
    pub weekend: f64,
}

pub(crate) const THEMES: &[Theme] = &[
    Theme {
        key: "running",
        zh_names: &[
            "{city}跑步俱乐部 {n}群",
            "{city}夜跑团",
            "半马备赛{n}群",
            "{city}跑友交流群",
        ],
        en_names: &[
            "{city} Runners",
            "Marathon Training Crew",
            "{city} Run Club #{n}",
        ],
        zh_topics: &[
            "配速",
            "LSD",
            "间歇跑",
            "跑鞋",
            "马拉松报名",
            "膝盖保护",
            "心率区间",
            "晨跑",
            "越野跑",
            "补给",
            "拉伸",
            "跑量",
            "半马",
            "全马",
            "抽签",
        ],
        en_topics: &[
            "tempo runs",
            "long runs",
            "running shoes",
            "race registration",
            "knee pain",
            "heart rate zones",
            "trail running",
            "interval training",
            "race nutrition",
            "stretching",
        ],
        zh_products: &[
            "碳板跑鞋",
            "运动手表",
            "能量胶",
            "压缩袜",
            "跑步腰包",
            "速干衣",
        ],
        en_products: &[
            "carbon plate shoes",
            "the GPS watch",
            "energy gels",
            "the hydration vest",
        ],
        commerce: 0.015,
        weekend: 1.2,
    },
    Theme {
        key: "programming",
        zh_names: &[
            "Rust 学习交流群",
            "{city}程序员交流群 {n}群",
            "前端技术交流{n}群",
            "后端架构交流群",
        ],
        en_names: &["Rust Learners", "{city} Devs", "Backend Engineering #{n}"],
        zh_topics: &[
            "生命周期",
            "借用检查",
            "async",
            "tokio",
            "过程宏",
            "trait 对象",
            "编译速度",
            "所有权",
            "unsafe",
            "面试",
            "跳槽",
            "内存泄漏",
            "Cargo 工作区",
            "WASM",
            "错误处理",
        ],
        en_topics: &[
            "lifetimes",
            "the borrow checker",
            "async traits",
            "tokio",
            "proc macros",
            "compile times",
            "WASM",
            "error handling",
            "job interviews",
            "trait objects",
            "memory leaks",
        ],
        zh_products: &["实战课程", "年度会员", "电子书", "训练营", "代码评审服务"],
        en_products: &[
            "the course",
            "the annual membership",
            "the ebook",
            "the bootcamp",
        ],
        commerce: 0.01,
        weekend: 0.7,
    },
    Theme {
        key: "parenting",
        zh_names: &[
            "宝妈团购群",
            "{city}宝妈交流群 {n}群",
            "{city}社区团购 {n}群",
            "萌宝成长群",
        ],
        en_names: &[
            "Parents Deals Club",
            "Family Bulk Buy #{n}",
            "{city} Parents",
        ],
        zh_topics: &[
            "辅食",
            "奶粉",
            "尿不湿",
            "早教",
            "幼儿园",
            "哄睡",
            "湿疹",
            "疫苗",
            "绘本",
            "夜奶",
            "断奶",
            "长牙",
            "出游",
        ],
        en_topics: &[
            "baby food",
            "sleep training",
            "daycare",
            "diapers",
            "teething",
            "vaccines",
            "picture books",
            "weaning",
        ],
        zh_products: &[
            "有机大米",
            "车厘子",
            "奶粉",
            "纸尿裤",
            "儿童牙膏",
            "草莓",
            "牛排",
            "洗衣液",
            "湿巾",
        ],
        en_products: &[
            "organic rice",
            "cherries",
            "diapers",
            "baby formula",
            "baby wipes",
        ],
        commerce: 0.08,
        weekend: 1.0,
    },
    Theme {
        key: "indie",
        zh_names: &[
            "独立开发者交流群",
            "出海创业交流群 {n}群",
            "副业交流{n}群",
            "{city}创业者俱乐部",
        ],
        en_names: &[
            "Indie Hackers Lounge",
            "SaaS Founders Circle",
            "Build in Public #{n}",
        ],
        zh_topics: &[
            "产品定价",
            "SEO",
            "冷启动",
            "订阅制",
            "支付渠道",
            "广告投放",
            "MVP",
            "用户留存",
            "海外推广",
            "Product Hunt",
            "独立站",
            "退款",
        ],
        en_topics: &[
            "pricing",
            "SEO",
            "cold outreach",
            "churn",
            "Stripe payouts",
            "landing pages",
            "the Product Hunt launch",
            "MRR",
            "onboarding emails",
            "refunds",
        ],
        zh_products: &["高级版", "年费会员", "模板合集", "出海课程", "终身版"],
        en_products: &[
            "the premium plan",
            "the lifetime deal",
            "the pro tier",
            "the course",
        ],
        commerce: 0.03,
        weekend: 0.9,
    },
    Theme {
        key: "photography",
        zh_names: &[
            "{city}摄影爱好者 {n}群",
            "胶片摄影交流群",
            "{city}扫街小分队",
        ],
        en_names: &[
            "Street Photography Club",
            "{city} Photo Walks",
            "Film Shooters #{n}",
        ],
        zh_topics: &[
            "镜头",
            "后期",
            "光圈",
            "构图",
            "扫街",
            "胶片",
            "调色",
            "逆光",
            "长焦",
            "三脚架",
            "人像",
            "夜景",
        ],
        en_topics: &[
            "lenses",
            "editing",
            "composition",
            "film stocks",
            "golden hour",
            "street shots",
            "night photography",
            "portraits",
        ],
        zh_products: &["二手镜头", "胶卷", "滤镜", "相机包", "闪光灯"],
        en_products: &["used lenses", "film rolls", "ND filters", "the camera bag"],
        commerce: 0.02,
        weekend: 1.3,
    },
    Theme {
        key: "gaming",
        zh_names: &[
            "王者荣耀开黑群 {n}群",
            "原神交流群",
            "{city}桌游约局群",
            "Switch 玩家群",
        ],
        en_names: &[
            "Weekend Gamers",
            "Board Game Night {city}",
            "Raid Squad #{n}",
        ],
        zh_topics: &[
            "上分",
            "排位",
            "新版本",
            "抽卡",
            "阵容",
            "副本",
            "开黑",
            "皮肤",
            "活动",
            "剧本杀",
            "新英雄",
            "联机",
        ],
        en_topics: &[
            "ranked",
            "the new patch",
            "gacha pulls",
            "team comps",
            "raids",
            "co-op",
            "mods",
        ],
        zh_products: &["皮肤", "月卡", "周边", "桌游", "手柄"],
        en_products: &["the battle pass", "merch", "board games", "the controller"],
        commerce: 0.015,
        weekend: 1.4,
    },
    Theme {
        key: "study",
        zh_names: &[
            "考研交流群 {n}群",
            "英语打卡学习群",
            "雅思备考{n}群",
            "{city}自习室",
        ],
        en_names: &["English Study Buddies", "IELTS Prep #{n}", "Study With Me"],
        zh_topics: &[
            "背单词",
            "真题",
            "作文",
            "听力",
            "复试",
            "政治",
            "错题本",
            "网课",
            "模考",
            "口语",
            "择校",
            "调剂",
        ],
        en_topics: &[
            "vocabulary",
            "mock tests",
            "essays",
            "listening practice",
            "speaking partners",
            "grammar",
            "study schedules",
        ],
        zh_products: &["真题资料", "网课", "单词书", "一对一辅导", "模考卷"],
        en_products: &[
            "the prep course",
            "practice tests",
            "1-on-1 tutoring",
            "the workbook",
        ],
        commerce: 0.02,
        weekend: 0.8,
    },
    Theme {
        key: "pets",
        zh_names: &["{city}猫奴交流群", "铲屎官互助群 {n}群", "{city}遛狗群"],
        en_names: &["Cat People {city}", "Dog Walkers Club", "Pet Parents #{n}"],
        zh_topics: &[
            "猫粮", "驱虫", "绝育", "猫砂", "疫苗", "掉毛", "罐头", "洗澡", "体检", "领养", "遛狗",
        ],
        en_topics: &[
            "cat food",
            "vet visits",
            "litter",
            "leash training",
            "adoption",
            "grooming",
        ],
        zh_products: &["冻干", "猫砂", "罐头", "猫爬架", "驱虫药"],
        en_products: &["freeze-dried treats", "litter", "cat trees", "flea drops"],
        commerce: 0.03,
        weekend: 1.2,
    },
    Theme {
        key: "brand",
        zh_names: &[
            "{brand}护肤福利群 {n}群",
            "{brand}粉丝福利{n}群",
            "{brand}零食铺福利群",
        ],
        en_names: &["{brand} VIP Club", "{brand} Insiders #{n}"],
        zh_topics: &[
            "新品",
            "优惠券",
            "直播",
            "秒杀",
            "试用装",
            "会员日",
            "包装",
            "物流",
            "成分",
            "口味",
            "售后",
        ],
        en_topics: &[
            "new arrivals",
            "coupons",
            "live streams",
            "flash sales",
            "samples",
            "shipping",
        ],
        zh_products: &["面霜", "精华", "防晒", "零食礼包", "会员卡", "面膜"],
        en_products: &[
            "the moisturizer",
            "the sunscreen",
            "the snack box",
            "the membership",
        ],
        commerce: 0.09,
        weekend: 1.0,
    },
];

pub(crate) const BRANDS: &[&str] = &["小鹿", "山茶", "Aurora", "一叶", "白桃", "Nova"];

/// Cities as (Chinese, English). The first `CHINESE_CITIES` are in China.
pub(crate) const CITIES: &[(&str, &str)] = &[
    ("上海", "Shanghai"),
    ("北京", "Beijing"),
    ("深圳", "Shenzhen"),
    ("广州", "Guangzhou"),
    ("杭州", "Hangzhou"),
    ("成都", "Chengdu"),
    ("武汉", "Wuhan"),
    ("南京", "Nanjing"),
    ("西安", "Xi'an"),
    ("重庆", "Chongqing"),
    ("苏州", "Suzhou"),
    ("长沙", "Changsha"),
    ("厦门", "Xiamen"),
    ("青岛", "Qingdao"),
    ("天津", "Tianjin"),
    ("郑州", "Zhengzhou"),
    ("合肥", "Hefei"),
    ("昆明", "Kunming"),
    ("大连", "Dalian"),
    ("香港", "Hong Kong"),
    ("台北", "Taipei"),
    ("新加坡", "Singapore"),
    ("东京", "Tokyo"),
    ("伦敦", "London"),
    ("柏林", "Berlin"),
    ("旧金山", "San Francisco"),
    ("纽约", "New York"),
    ("悉尼", "Sydney"),
    ("多伦多", "Toronto"),
    ("温哥华", "Vancouver"),
];
pub(crate) const CHINESE_CITIES: usize = 21;

/// Jobs as (Chinese industry, Chinese position, English industry, English position).
pub(crate) const JOBS: &[(&str, &str, &str, &str)] = &[
    ("互联网", "产品经理", "Tech", "product manager"),
    ("互联网", "后端开发", "Tech", "backend engineer"),
    ("互联网", "前端开发", "Tech", "frontend developer"),
    ("电商", "运营", "E-commerce", "operations lead"),
    ("教育", "英语老师", "Education", "English teacher"),
    ("金融", "分析师", "Finance", "analyst"),
    ("医疗", "护士", "Healthcare", "nurse"),
    ("制造业", "工程师", "Manufacturing", "engineer"),
    ("设计", "UI设计师", "Design", "UI designer"),
    ("媒体", "编辑", "Media", "editor"),
    ("餐饮", "店长", "Hospitality", "store manager"),
    ("学生", "研究生", "Student", "grad student"),
    ("自由职业", "摄影师", "Freelance", "photographer"),
    ("零售", "店主", "Retail", "shop owner"),
    ("咨询", "顾问", "Consulting", "consultant"),
    ("物流", "调度", "Logistics", "dispatcher"),
    ("游戏", "策划", "Gaming", "game designer"),
    ("新媒体", "短视频运营", "Social media", "content creator"),
    ("房地产", "销售", "Real estate", "sales rep"),
    ("政府机关", "公务员", "Public sector", "civil servant"),
];

/// Hobbies as (Chinese, English).
pub(crate) const HOBBIES: &[(&str, &str)] = &[
    ("跑步", "running"),
    ("摄影", "photography"),
    ("读书", "reading"),
    ("做饭", "cooking"),
    ("爬山", "hiking"),
    ("游泳", "swimming"),
    ("旅行", "travel"),
    ("撸猫", "cats"),
    ("桌游", "board games"),
    ("咖啡", "coffee"),
    ("健身", "the gym"),
    ("吉他", "guitar"),
    ("追剧", "TV shows"),
    ("写代码", "coding"),
    ("画画", "drawing"),
    ("骑行", "cycling"),
    ("羽毛球", "badminton"),
    ("露营", "camping"),
];

/// Working hours as (Chinese, English).
pub(crate) const HOURS: &[(&str, &str)] = &[
    ("朝九晚六", "9 to 6"),
    ("9:00-18:00", "9am-6pm"),
    ("10:00-19:00", "10am-7pm"),
    ("大小周", "every other Saturday"),
    ("自由职业，时间灵活", "flexible hours"),
    ("倒班", "shift work"),
    ("早八晚五", "8 to 5"),
    ("996", "long hours"),
    ("晚上和周末有空", "free evenings and weekends"),
];

pub(crate) const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田",
];
pub(crate) const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "霞", "平", "刚", "华", "飞", "鑫", "波", "斌", "宇", "浩", "凯", "健", "俊", "帆", "雪",
    "琳", "晨", "欣", "怡", "佳", "琪", "涵", "诺", "萱", "婷", "瑶", "琦", "博", "文", "然", "轩",
    "睿", "泽", "思", "雨", "晴", "阳", "辉", "亮", "颖", "慧", "琴", "悦",
];
pub(crate) const NET_ADJECTIVES: &[&str] = &[
    "快乐的",
    "安静的",
    "奔跑的",
    "爱笑的",
    "努力的",
    "佛系",
    "早起的",
    "迷路的",
    "认真的",
    "好奇的",
    "温柔的",
    "暴躁",
];
pub(crate) const NET_NOUNS: &[&str] = &[
    "小鱼", "猫咪", "蜗牛", "土豆", "西瓜", "橙子", "饼干", "兔子", "鲸鱼", "星星", "月亮", "小熊",
];
pub(crate) const NAME_DECORATIONS: &[&str] = &["🌸", "🍀", "☀️", "🐱", "✨", "🌙", "🏃", "🍊"];
pub(crate) const FIRST_NAMES: &[&str] = &[
    "Alex", "Amy", "Ben", "Chloe", "Daniel", "Emma", "Eric", "Grace", "Henry", "Ivy", "Jack",
    "Jason", "Kevin", "Leo", "Lily", "Lucy", "Mark", "Mia", "Nina", "Oliver", "Peter", "Rachel",
    "Sam", "Sophie", "Tom", "Tony", "Vicky", "Will", "Zoe", "Ryan", "Kate", "Max", "Iris", "Evan",
    "Cindy", "David", "Helen", "Bruce", "Alice", "Frank",
];
pub(crate) const LAST_NAMES: &[&str] = &[
    "Chen", "Wang", "Li", "Zhang", "Liu", "Smith", "Johnson", "Brown", "Lee", "Garcia", "Miller",
    "Davis", "Wilson", "Taylor", "Anderson", "Thomas", "Moore", "Martin", "Clark", "Lewis",
    "Walker", "Hall", "Young", "King", "Wright", "Lopez", "Hill", "Scott", "Green", "Baker",
];
pub(crate) const ZH_SPAMMER_NAMES: &[&str] = &[
    "兼职招聘-小雅",
    "福利官小美",
    "客服-娜娜",
    "优惠小助手",
    "招聘专员",
    "小红书推广",
];
pub(crate) const EN_SPAMMER_NAMES: &[&str] = &[
    "Crypto Mike",
    "Jessica💰",
    "Support Team",
    "Lucky Anna",
    "Forex Coach",
    "Promo Bot",
];

/// Invite channels per language; each group uses a few of them, one link per channel.
pub(crate) const ZH_CHANNELS: &[&str] = &["douyin", "zhihu", "poster", "friend", "bilibili", "xhs"];
pub(crate) const EN_CHANNELS: &[&str] = &["twitter", "reddit", "poster", "friend", "newsletter"];

// ---------------------------------------------------------------------------------------------
// Chat.

pub(crate) const ZH_CHAT_PREFIXES: &[&str] = &[
    "",
    "",
    "",
    "哈哈",
    "确实，",
    "话说",
    "对了，",
    "说真的，",
    "其实",
    "害，",
    "啊这，",
    "老实说，",
    "讲真，",
    "我觉得",
];
pub(crate) const ZH_CHAT_BODIES: &[&str] = &[
    "今天为了{t}忙了一整天",
    "{t}这事还是看个人",
    "最近一直在研究{t}",
    "昨天聊的{t}我回去试了，确实有用",
    "{t}真的是越看越难",
    "谁懂啊，{t}又出问题了",
    "周末打算好好搞一下{t}",
    "刚看到一篇讲{t}的文章，写得挺好",
    "{t}我之前也踩过坑",
    "群里懂{t}的大佬好多",
    "说到{t}，我上周刚好遇到类似的情况",
    "{t}这块我还是新手",
    "感觉自己{t}比上个月进步了",
    "{t}的话我一般周末弄",
    "今天终于把{t}搞定了",
    "{t}真的太香了",
    "看了大家说的{t}，收获很多",
    "{t}这个话题可以聊一整天",
    "我们那边{t}比较少见",
    "{t}还是得坚持，三天打鱼两天晒网不行",
    "跟着群里的方法弄{t}，效果不错",
    "同事也在聊{t}，看来最近很火",
    "{t}和{t2}我更喜欢前者",
    "{t}这个我有经验，回头整理一下发出来",
    "今天又被{t}折磨了",
    "刚入坑{t}，感觉水很深",
    "有一说一，{t}确实重要",
    "{t}搞了一晚上，终于有点眉目了",
    "{city}这两天天气不错，适合聊聊{t}",
    "上次说的{t}后来怎么样了",
    // Dates and hours: communities plan, remember and count down.
    "{date}的{t}活动大家记得来",
    "{date}我有空，一起聊{t}",
    "{t}报名截止到{date}",
    "{date}",
    "{date}是我生日",
    "今晚{clock}线上聊{t}",
    "{date} {clock} 开会说{t}",
    "明天{clock}集合",
    "{clock}之后我在",
    "上次{date}聊的{t}我还记得",
];
pub(crate) const ZH_CHAT_SUFFIXES: &[&str] = &[
    "",
    "",
    "",
    "",
    "，大家觉得呢",
    "，太难了",
    "，绝了",
    "，下次再试试",
    "，还挺有意思的",
    "，慢慢来吧",
    "，冲！",
    "，服了",
    "，笑死",
];
pub(crate) const ZH_TAILS: &[&str] = &[
    "", "", "", "。", "！", "～", "😂", "👍", "[捂脸]", "[偷笑]", "[强]", "🤣", "😭", "!!!",
];
pub(crate) const ZH_SHORT: &[&str] = &[
    "哈哈哈哈",
    "收到",
    "好的",
    "+1",
    "666",
    "确实",
    "牛",
    "笑死",
    "同意",
    "学到了",
    "厉害",
    "太强了",
    "蹲一个",
    "冲",
    "[捂脸]",
    "[强][强]",
    "好家伙",
    "真的假的",
    "插眼",
    "mark",
    "羡慕",
    "辛苦了",
    "哈哈哈",
    "有道理",
    "赞",
    "可以可以",
    "绝了",
    "我也是",
    "哈哈哈哈哈哈",
    "？？？",
];
pub(crate) const EN_CHAT_PREFIXES: &[&str] = &[
    "",
    "",
    "",
    "lol ",
    "honestly ",
    "tbh ",
    "ok so ",
    "yeah ",
    "haha ",
    "fwiw ",
];
pub(crate) const EN_CHAT_BODIES: &[&str] = &[
    "{t} was rough today",
    "been digging into {t} lately",
    "finally got {t} sorted out",
    "{t} is harder than it looks",
    "tried what you said about {t}, it actually works",
    "just read a great post on {t}",
    "I made the same mistake with {t} last year",
    "{t} is such an underrated topic",
    "so much good advice on {t} in here",
    "still a beginner at {t} tbh",
    "spent the whole evening on {t}",
    "my coworkers were talking about {t} too",
    "{t} vs {t2}? I'd pick the first one",
    "will write up my notes on {t} later",
    "{t} takes consistency more than talent",
    "new to {t}, loving it so far",
    "weather in {city} is perfect for a break from {t}",
    "whatever happened with the {t} thing from last week",
    "{t} meetup on {date}, who's in",
    "see you at {clock} for the {t} call",
    "deadline for the {t} thing is {date}",
    "{date} works for me",
];
pub(crate) const EN_CHAT_SUFFIXES: &[&str] = &[
    "",
    "",
    "",
    ", what do you think",
    ", not gonna lie",
    ", will try again next week",
    ", wild",
];
pub(crate) const EN_TAILS: &[&str] = &["", "", ".", "!", " 😂", " 👍", " 🙌", " lol", "!!"];
pub(crate) const EN_SHORT: &[&str] = &[
    "lol",
    "+1",
    "nice",
    "agreed",
    "haha",
    "true",
    "this",
    "same",
    "thanks!",
    "👍",
    "🔥🔥",
    "makes sense",
    "wow",
    "gg",
    "ty",
    "good point",
    "omg",
    "😂😂",
    "love it",
    "facts",
];

// ---------------------------------------------------------------------------------------------
// Questions and answers. Every question template ends in a question mark.

pub(crate) const ZH_QUESTION_PREFIXES: &[&str] = &[
    "",
    "",
    "",
    "各位，",
    "打扰一下，",
    "小白提问，",
    "请教一下，",
    "问个问题，",
];
pub(crate) const ZH_QUESTIONS: &[&str] = &[
    "有人知道{t}怎么弄吗？",
    "{t}一般怎么安排比较合适？",
    "新手求问，{t}要注意什么？",
    "大家{t}都是怎么做的？",
    "{t}有推荐的吗？",
    "想问下{t}去哪里学比较好？",
    "有没有大佬懂{t}？",
    "{t}是不是越多越好？",
    "{t}一直搞不定怎么办？",
    "{t}和{t2}哪个更好？",
    "{t}一般要多久才能见效？",
    "{city}有一起研究{t}的吗？",
    "{t}这个问题之前群里讨论过吗？",
    "各位{t}一个月大概花多少钱？",
    "{t}有没有什么入门资料？",
];
pub(crate) const EN_QUESTION_PREFIXES: &[&str] = &[
    "",
    "",
    "",
    "quick question: ",
    "hey all, ",
    "noob question - ",
    "sorry if this was asked, ",
];
pub(crate) const EN_QUESTIONS: &[&str] = &[
    "does anyone know how to get started with {t}?",
    "what's your go-to approach for {t}?",
    "any tips on {t}?",
    "how do you all handle {t}?",
    "is {t} worth it for a beginner?",
    "which is better, {t} or {t2}?",
    "where did you learn about {t}?",
    "how long did {t} take before you saw results?",
    "anyone in {city} into {t}?",
    "has {t} come up here before?",
    "any good resources on {t}?",
];
pub(crate) const ZH_ANSWERS: &[&str] = &[
    "可以试试{t}，我用着还不错",
    "我一般先看{t}，再慢慢调整",
    "群公告里有，翻一下就能看到",
    "去年我也遇到过，后来换了个思路就好了",
    "别急，{t}需要时间",
    "私聊你了",
    "看个人情况，我觉得{t}更重要",
    "群文件里有{t}的资料，可以看看",
    "我之前整理过{t}的笔记，晚点发你",
    "这个简单，先把{t}弄明白就行",
    "建议问问群主，这方面他最懂",
    "我的经验是别太纠结{t}，先动手",
    "{t}的话，{city}有个线下活动可以去看看",
];
pub(crate) const EN_ANSWERS: &[&str] = &[
    "try {t}, worked for me",
    "it's in the pinned message",
    "I usually start with {t} and iterate",
    "depends, but {t} matters more imo",
    "DM'd you",
    "we covered {t} last week, scroll up a bit",
    "check the files section, there's a guide on {t}",
    "don't overthink {t}, just start",
    "there's a {t} meetup in {city}, worth a visit",
];

// ---------------------------------------------------------------------------------------------
// Purchase intent.

pub(crate) const ZH_PURCHASE: &[&str] = &[
    "这个多少钱？",
    "怎么买",
    "还有货吗",
    "能便宜点吗",
    "{p}多少钱？",
    "{p}怎么买？",
    "{p}还有货吗？",
    "{p}能便宜点吗？",
    "想要{p}，怎么下单？",
    "{p}包邮吗？",
    "团购还有名额吗？我要两份",
    "{p}有链接吗？想买",
    "接龙还能加吗，想要{p}",
    "{p}什么时候补货？",
    "给我留一份{p}",
    "{p}寄{city}要几天？",
    "{p}买两个有优惠吗？",
];
pub(crate) const EN_PURCHASE: &[&str] = &[
    "how much is {p}?",
    "how much is the premium plan?",
    "where can I buy {p}?",
    "is {p} still in stock?",
    "any discount on {p}?",
    "can you ship {p} to {city}?",
    "I'd like to order {p}, how do I pay?",
    "is there a group deal for {p}?",
];

// ---------------------------------------------------------------------------------------------
// Greetings, by time of day.

pub(crate) const ZH_MORNING: &[&str] = &[
    "早上好",
    "早",
    "早安☀️",
    "大家早上好",
    "早呀各位",
    "早上好呀，今天也要加油",
    "早！",
    "早安早安",
];
pub(crate) const ZH_NOON: &[&str] = &["中午好", "午安", "大家中午好，吃了吗"];
pub(crate) const ZH_AFTERNOON: &[&str] = &["下午好", "下午好呀", "大家下午好"];
pub(crate) const ZH_EVENING: &[&str] = &["晚上好", "大家晚上好", "晚上好呀，下班了"];
pub(crate) const ZH_NIGHT: &[&str] = &[
    "晚安",
    "晚安各位",
    "睡了睡了，晚安",
    "大家晚安🌙",
    "晚安，明天见",
    "熬不动了，晚安",
];
pub(crate) const ZH_HELLO: &[&str] = &["大家好", "hello大家好", "我来冒个泡", "嗨嗨"];
pub(crate) const EN_MORNING: &[&str] = &[
    "good morning",
    "gm",
    "morning all ☀️",
    "Good morning everyone!",
    "morning!",
];
pub(crate) const EN_NIGHT: &[&str] = &[
    "good night",
    "gn everyone",
    "night all 🌙",
    "off to bed, gn",
];
pub(crate) const EN_HELLO: &[&str] = &[
    "hi all",
    "hey everyone",
    "hello 👋",
    "good afternoon",
    "evening all",
];

// ---------------------------------------------------------------------------------------------
// Self-introductions, nicknames, join-request answers, announcements.

pub(crate) const ZH_INTRO_TEMPLATES: &[&str] = &[
    "【城市】{city}\n【工作时间】{hours}\n【行业/职位】{industry}/{position}\n【特长/爱好】{h1}、{h2}",
    "[{city}] [{hours}] [{industry}/{position}] [{h1}、{h2}]",
    "城市：{city} 工作时间：{hours} 行业/职位：{industry}-{position} 特长/爱好：{h1}，{h2}",
    "{city}｜{hours}｜{industry} {position}｜{h1} {h2}",
];
pub(crate) const ZH_INTRO_LEADS: &[&str] = &["", "", "新人报到\n", "按群规格式自我介绍：\n"];
pub(crate) const ZH_INTRO_FREE: &[&str] = &[
    "大家好，我是{name}，在{city}做{position}，平时喜欢{h1}，请多关照～",
    "新人报到！{city}的，{industry}行业，爱好{h1}和{h2}，希望和大家多交流",
    "hello，我叫{name}，{city}人，目前是{position}，业余时间{h1}，以后常来冒泡",
    "刚进群，自我介绍一下：{name}，{industry}从业者，坐标{city}，喜欢{h1}",
    "各位好，{name}，{position}一枚，{hours}，喜欢{h1}，多多指教🙏",
];
pub(crate) const EN_INTRO_TEMPLATES: &[&str] = &[
    "City: {city} | Hours: {hours} | Role: {position} ({industry}) | Hobbies: {h1}, {h2}",
    "[{city}] [{hours}] [{industry}/{position}] [{h1}, {h2}]",
];
pub(crate) const EN_INTRO_FREE: &[&str] = &[
    "Hi everyone! I'm {name}, a {position} in {city}. Into {h1} and {h2}. Happy to be here 👋",
    "Hey all, {name} here from {city}. I work in {industry} as a {position}; {h1} on weekends.",
    "New here! {name}, {position}, based in {city}. Looking forward to learning from you all.",
];
pub(crate) const ZH_NICK_PATTERNED: &[&str] =
    &["{city}-{industry}-{name}", "{city}-{position}-{name}"];
pub(crate) const ZH_NICK_FREE: &[&str] = &[
    "{name}",
    "{name}🌸",
    "{position}{name}",
    "{name}（{city}）",
    "{industry}-{name}",
];
pub(crate) const EN_NICK_PATTERNED: &[&str] =
    &["{name} | {city} | {position}", "{name}-{city}-{industry}"];
pub(crate) const EN_NICK_FREE: &[&str] = &["{name}", "{name} ({city})", "{name} 🚀"];
pub(crate) const ZH_JOIN_ANSWERS: &[&str] = &[
    "朋友推荐的",
    "在抖音刷到的",
    "知乎上看到的",
    "想学习{t}",
    "{city}的，想找组织",
    "海报扫码进来的",
    "老群友介绍",
    "答：{t}",
    "想交流{t}",
    "小红书看到的",
];
pub(crate) const EN_JOIN_ANSWERS: &[&str] = &[
    "a friend invited me",
    "saw the poster",
    "found you on reddit",
    "want to learn about {t}",
    "from {city}, looking for people into {t}",
];
pub(crate) const ZH_ANNOUNCEMENTS: &[&str] = &[
    " 群规：禁止发广告、拉人、刷屏，违者直接移出",
    " 今晚8点{t}主题分享，欢迎准时参加",
    " 本周签到积分榜前十已出，请私聊群主领奖",
    " 新人进群请修改群名片：城市-行业-名字",
    " 周末活动报名开始了，主题：{t}",
    " 群文件更新了{t}资料，需要的自取",
];
pub(crate) const EN_ANNOUNCEMENTS: &[&str] = &[
    " Reminder: no ads or spam, violators will be removed",
    " AMA on {t} tonight at 8pm!",
    " Weekly leaderboard is up, top 10 DM me for prizes",
    " Please set your nickname as Name | City | Role",
];
pub(crate) const ZH_MENTION_LINES: &[&str] = &[
    " 你上次说的{t}是哪个来着",
    " 哈哈是你啊",
    " 看这个",
    " 在吗",
    " 你不是最懂{t}吗",
    " 明天一起？",
    " 谢谢大佬",
];
pub(crate) const EN_MENTION_LINES: &[&str] = &[
    " what was that {t} thing you mentioned",
    " haha it's you",
    " look at this",
    " thanks!",
];
pub(crate) const ZH_IMAGE_CAPTIONS: &[&str] =
    &["看看我今天的{t}", "晒一下", "现场图", "这个怎么样", ""];
pub(crate) const EN_IMAGE_CAPTIONS: &[&str] = &["today's {t}", "look at this", "", "thoughts?"];
pub(crate) const ZH_LINK_CAPTIONS: &[&str] = &[
    "分享一篇{t}的干货 ",
    "这篇讲{t}讲得很清楚 ",
    "{t}相关，大家可以看看 ",
    "",
];
pub(crate) const EN_LINK_CAPTIONS: &[&str] =
    &["good read on {t}: ", "this post about {t} is gold ", ""];
pub(crate) const ZH_FILE_NAMES: &[&str] = &["{t}资料合集.pdf", "{t}笔记.docx", "{t}计划表.xlsx"];
pub(crate) const EN_FILE_NAMES: &[&str] =
    &["{t} notes.pdf", "{t} checklist.xlsx", "{t} slides.pptx"];
pub(crate) const ZH_FILE_CAPTIONS: &[&str] =
    &["资料发群里了", "需要的自取", "整理了一份，大家看看"];
pub(crate) const EN_FILE_CAPTIONS: &[&str] =
    &["uploaded the file", "here you go", "my notes, enjoy"];

// ---------------------------------------------------------------------------------------------
// Ads. Contact slots: {h} a handle, {hz} the handle with zero-width characters, {hs} the handle
// spaced out, {qq} a QQ number, {phone} a phone number, {phonefw} the same in full-width digits,
// {dom} a domain stem.

pub(crate) const ZH_AD_HOOKS: &[&str] = &[
    "【兼职】",
    "🔥福利🔥",
    "急招！",
    "宝妈在家可做，",
    "免费领取：",
    "内部渠道，",
    "手机操作，",
    "💰",
    "",
];
pub(crate) const ZH_AD_OFFERS: &[&str] = &[
    "每天1-2小时，日结200-500",
    "刷单返佣，一单一结",
    "正品大牌化妆品一折起",
    "高价回收各类购物卡",
    "代开各类发票",
    "招聘抖音点赞员，日赚300+",
    "股票内幕消息，带你翻倍",
    "免费领取考研全套资料",
    "网贷秒批，无视征信",
    "低价影视会员，全网最便宜",
    "加群送红包，每天抢不停",
    "跑分平台招代理，躺赚",
];
pub(crate) const ZH_AD_CONTACTS: &[&str] = &[
    "vx: {h}",
    "V信：{h}",
    "加V：{h}",
    "威❤信 {h}",
    "薇♥：{h}",
    "+v {h}",
    "微 信 {hs}",
    "vx：{hz}",
    "加q {qq}",
    "扣扣：{qq}",
    "加Q{qq}",
    "电话 {phonefw}",
    "手机{phonefw}",
    "☎ {phone}",
    "网址 www点{dom}点com",
    "官网 {dom}.cn",
    "打开 www．{dom}．com",
];
pub(crate) const ZH_AD_CALLS: &[&str] = &[
    "有意者私聊",
    "名额有限，先到先得",
    "速度加",
    "不收任何费用",
    "错过不再有",
    "备注：群友",
];
pub(crate) const EN_AD_HOOKS: &[&str] = &["🔥 ", "Limited offer: ", "", "💰💰 ", "HIRING: "];
pub(crate) const EN_AD_OFFERS: &[&str] = &[
    "Earn $300-$500 daily working from home",
    "Free crypto signals, 10x guaranteed",
    "Cheap streaming accounts, lifetime access",
    "Make money with just your phone",
    "Investment opportunity, 30% weekly returns",
    "Followers and likes at the lowest price",
];
pub(crate) const EN_AD_CONTACTS: &[&str] = &[
    "DM me on Telegram @{h}",
    "WhatsApp +1 {phone}",
    "visit {dom}.xyz",
    "email {h} at gmail dot com",
    "add me on WeChat: {h}",
    "t.me/{hz}",
];
pub(crate) const EN_AD_CALLS: &[&str] =
    &["No experience needed!", "Only 10 spots left", "Act now", ""];
pub(crate) const AD_VARIANT_TAILS: &[&str] = &["！", " 🔥", "～～", "。", " 👉👉", "!!", " ✅"];
