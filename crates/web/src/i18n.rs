//! The console's words in Chinese and English. The operator's own setting wins, then the
//! browser's `Accept-Language`; Chinese when neither says.

use axum::http::HeaderMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    /// The operator's setting (`zh`/`en`), else the first of Chinese or English the browser
    /// lists, else Chinese.
    pub fn choose(setting: Option<&str>, headers: &HeaderMap) -> Lang {
        match setting {
            Some("en") => return Lang::En,
            Some("zh") => return Lang::Zh,
            _ => {}
        }
        let accepted = headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        for tag in accepted.split(',') {
            let tag = tag
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            if tag.starts_with("zh") {
                return Lang::Zh;
            }
            if tag.starts_with("en") {
                return Lang::En;
            }
        }
        Lang::Zh
    }
}

#[derive(Debug)]
pub struct Texts {
    pub sign_in: &'static str,
    pub sign_out: &'static str,
    pub name: &'static str,
    pub password: &'static str,
    pub wrong_password: &'static str,
    pub too_many_attempts: &'static str,
    pub bad_origin: &'static str,
    pub overview: &'static str,
    pub groups: &'static str,
    pub group: &'static str,
    pub platform: &'static str,
    pub members: &'static str,
    pub messages: &'static str,
    pub last_active: &'static str,
    pub no_groups: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub internal_error: &'static str,
    pub forbidden: &'static str,
    pub not_found: &'static str,
    /// Before the fields of a stored document that this version does not know.
    pub skipped_fields: &'static str,
    pub recent_messages: &'static str,
    pub nothing_yet: &'static str,
    pub time: &'static str,
    pub member: &'static str,
    pub message: &'static str,
    pub recalled: &'static str,
    pub edited: &'static str,
    pub older: &'static str,
    pub search: &'static str,
    pub role: &'static str,
    pub status: &'static str,
    pub bot_actions: &'static str,
    pub action: &'static str,
    pub detail: &'static str,
    pub audit: &'static str,
    pub moderation: &'static str,
    pub engagement: &'static str,
    pub platforms: &'static str,
    pub no_platforms: &'static str,
    pub account: &'static str,
    pub since: &'static str,
    pub last_event: &'static str,
    pub events: &'static str,
    pub sent: &'static str,
    pub failed_actions: &'static str,
    pub last_error: &'static str,
    pub connected: &'static str,
    pub disconnected: &'static str,
    pub points: &'static str,
    pub no_points: &'static str,
    pub adjust_amount: &'static str,
    pub adjust_note: &'static str,
    pub adjust: &'static str,
    pub leaderboard: &'static str,
    pub profile: &'static str,
    pub no_profile: &'static str,
    pub city: &'static str,
    pub hours: &'static str,
    pub occupation: &'static str,
    pub interests: &'static str,
    pub tags: &'static str,
    pub introduction: &'static str,
    pub offences: &'static str,
    pub blacklisted: &'static str,
    pub lift_blacklist: &'static str,
    pub no_offences: &'static str,
    pub operators_actions: &'static str,
    pub who: &'static str,
    pub first_seen: &'static str,
    pub nickname: &'static str,
    pub timeline: &'static str,
    pub no_member: &'static str,
    pub viewers_read_only: &'static str,
    pub title_needed: &'static str,
    pub name_needed: &'static str,
    pub not_playground: &'static str,
    pub playground: &'static str,
    pub new_group: &'static str,
    pub write_as: &'static str,
    pub new_member: &'static str,
    pub send: &'static str,
    pub title: &'static str,
    pub messages_today: &'static str,
    pub active_today: &'static str,
    pub trend: &'static str,
    pub today_note: &'static str,
    pub last_day_vs_before: &'static str,
    pub bot_removed: &'static str,
    pub bot_removed_detail: &'static str,
    pub not_your_group: &'static str,
    /// An offence an operator marked a mistake.
    pub offence_forgiven: &'static str,
    /// Beside a delete button: the box ticked to say it is meant.
    pub sure: &'static str,
    /// A delete sent without that box ticked.
    pub not_confirmed: &'static str,
    pub owners_only: &'static str,
    /// An operator changing the default's or a set's document, which owners change.
    pub owners_scopes: &'static str,
    pub operators_of_group: &'static str,
    pub assign: &'static str,
    pub unassign: &'static str,
}

static ZH: Texts = Texts {
    sign_in: "登录",
    sign_out: "退出",
    name: "用户名",
    password: "密码",
    wrong_password: "用户名或密码不对。",
    too_many_attempts: "尝试次数太多，请 15 分钟后再试。",
    bad_origin: "请求来源不对，请从登录页重新登录。",
    overview: "总览",
    groups: "群",
    group: "群",
    platform: "平台",
    members: "成员",
    messages: "消息",
    last_active: "最近活动",
    no_groups: "还没有群。连接平台，或者用 steward simulate 生成一个模拟社群。",
    previous: "上一页",
    next: "下一页",
    internal_error: "出错了，已记录在日志里。",
    forbidden: "表单已过期，请刷新页面后再试。",
    not_found: "没有这个群。",
    skipped_fields: "存储的文档里有本版本不认识的字段（由较新版本的 Steward 写入）：它们在这里不起作用，在此保存会删除它们：",
    recent_messages: "最近的消息",
    nothing_yet: "暂时没有。",
    time: "时间",
    member: "成员",
    message: "消息",
    recalled: "已撤回",
    edited: "已编辑",
    older: "更早",
    search: "搜索成员（名字、群名片或 ID）",
    role: "身份",
    status: "状态",
    bot_actions: "机器人的操作",
    action: "操作",
    detail: "详情",
    audit: "操作记录",
    moderation: "群管与反广告",
    engagement: "互动设置",
    platforms: "平台连接",
    no_platforms: "还没有平台连接过（连接方法见 docs/onebot.md、docs/telegram.md、docs/matrix.md）。",
    account: "账号",
    since: "自",
    last_event: "最近事件",
    events: "事件",
    sent: "已执行",
    failed_actions: "失败",
    last_error: "最近错误",
    connected: "已连接",
    disconnected: "已断开",
    points: "积分",
    no_points: "还没有积分。",
    adjust_amount: "积分（负数为扣除，如兑奖）",
    adjust_note: "备注（如：晒单奖励、兑换奖品）",
    adjust: "加减积分",
    leaderboard: "积分榜",
    profile: "资料",
    no_profile: "还没有自我介绍。",
    city: "城市",
    hours: "工作时间",
    occupation: "行业/职位",
    interests: "爱好",
    tags: "标签",
    introduction: "自我介绍",
    offences: "违规记录",
    blacklisted: "已列入全网黑名单：所有群都会拒绝此成员。",
    lift_blacklist: "解除黑名单",
    no_offences: "没有违规记录。",
    operators_actions: "运营人员的操作",
    who: "谁",
    first_seen: "首次出现",
    nickname: "群名片",
    timeline: "发言记录",
    no_member: "没有这个成员。",
    viewers_read_only: "只读账号不能操作。",
    title_needed: "请填写群名。",
    name_needed: "请选择成员，或者填写新成员的名字。",
    not_playground: "只有演练场的群可以在这里发言。",
    playground: "演练场",
    new_group: "新建演练场群",
    write_as: "以谁的身份",
    new_member: "新成员的名字",
    send: "发送",
    title: "群名",
    messages_today: "今日消息",
    active_today: "今日发言人数",
    trend: "趋势",
    today_note: "“今日”按北京时间计；趋势比较最近 24 小时和之前 24 小时的消息数。",
    last_day_vs_before: "最近 24 小时 / 之前 24 小时",
    bot_removed: "机器人已不在群内",
    bot_removed_detail: "机器人已退出或被移出本群：夜间模式不再切换，删除、禁言等操作都无法执行，重新拉入后恢复。",
    not_your_group: "这个群没有分配给你。",
    offence_forgiven: "已标记为误判：不计入违规次数",
    sure: "确认删除",
    not_confirmed: "未删除：请先勾选“确认删除”。",
    owners_only: "只有管理员（owner）可以分配群。",
    owners_scopes: "默认和群组集的设置只有管理员（owner）可以修改。",
    operators_of_group: "负责这个群的运营",
    assign: "分配",
    unassign: "取消",
};

static EN: Texts = Texts {
    sign_in: "Sign in",
    sign_out: "Sign out",
    name: "Name",
    password: "Password",
    wrong_password: "Wrong name or password.",
    too_many_attempts: "Too many attempts; try again in 15 minutes.",
    bad_origin: "This request came from another site; sign in from the sign-in page.",
    overview: "Overview",
    groups: "Groups",
    group: "Group",
    platform: "Platform",
    members: "Members",
    messages: "Messages",
    last_active: "Last active",
    no_groups: "No groups yet. Connect a platform, or create a simulated community with steward simulate.",
    previous: "Previous",
    next: "Next",
    internal_error: "Something went wrong; it is in the log.",
    forbidden: "This form has expired; reload the page and try again.",
    not_found: "There is no such group.",
    skipped_fields: "The stored document has fields this version does not know (a newer Steward wrote them): they have no effect here, and saving here drops them:",
    recent_messages: "Recent messages",
    nothing_yet: "Nothing yet.",
    time: "Time",
    member: "Member",
    message: "Message",
    recalled: "recalled",
    edited: "edited",
    older: "Older",
    search: "Search members (name, group nickname or id)",
    role: "Role",
    status: "Status",
    bot_actions: "The bot's actions",
    action: "Action",
    detail: "Detail",
    audit: "Audit log",
    moderation: "Moderation",
    engagement: "Engagement",
    platforms: "Platforms",
    no_platforms: "No platform has connected yet (docs/onebot.md, docs/telegram.md and docs/matrix.md say how).",
    account: "Account",
    since: "Since",
    last_event: "Last event",
    events: "Events",
    sent: "Done",
    failed_actions: "Failed",
    last_error: "Last error",
    connected: "connected",
    disconnected: "disconnected",
    points: "Points",
    no_points: "No points yet.",
    adjust_amount: "Points (negative deducts, e.g. for a prize)",
    adjust_note: "Note (e.g. a shared review, a prize)",
    adjust: "Award or deduct",
    leaderboard: "Leaderboard",
    profile: "Profile",
    no_profile: "No self-introduction yet.",
    city: "City",
    hours: "Working hours",
    occupation: "Industry / position",
    interests: "Interests",
    tags: "Tags",
    introduction: "Self-introduction",
    offences: "Offences",
    blacklisted: "On the fleet blacklist: every group refuses this member.",
    lift_blacklist: "Lift the blacklisting",
    no_offences: "No offences.",
    operators_actions: "Operators' actions",
    who: "Who",
    first_seen: "first seen",
    nickname: "Group nickname",
    timeline: "Timeline",
    no_member: "There is no such member.",
    viewers_read_only: "Viewers can read, not act.",
    title_needed: "A group needs a title.",
    name_needed: "Choose a member, or name a new one.",
    not_playground: "Only playground groups can be written in from here.",
    playground: "Playground",
    new_group: "New playground group",
    write_as: "Write as",
    new_member: "New member's name",
    send: "Send",
    title: "Title",
    messages_today: "Messages today",
    active_today: "Active today",
    trend: "Trend",
    today_note: "\"Today\" is China time (UTC+8); the trend compares the last 24 hours' messages with the 24 hours before.",
    last_day_vs_before: "last 24 h / the 24 h before",
    bot_removed: "bot not in the group",
    bot_removed_detail: "The bot left this group or was removed: night mode does not switch it, and nothing can be deleted or muted there until the bot is added back.",
    not_your_group: "This group is not assigned to you.",
    offence_forgiven: "marked a mistake: not counted",
    sure: "I am sure",
    not_confirmed: "Nothing deleted: tick “I am sure” first.",
    owners_only: "Only owners assign groups.",
    owners_scopes: "Only owners change the default's and group sets' settings.",
    operators_of_group: "Operators of this group",
    assign: "Assign",
    unassign: "Remove",
};

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn the_setting_beats_the_browser_and_chinese_is_the_default() {
        let check = |setting: Option<&str>, accept: &str, expected: Lang| {
            let mut headers = HeaderMap::new();
            headers.insert(
                axum::http::header::ACCEPT_LANGUAGE,
                HeaderValue::from_str(accept).unwrap(),
            );
            assert_eq!(
                Lang::choose(setting, &headers),
                expected,
                "{setting:?} {accept:?}"
            );
        };
        check(None, "en-US,en;q=0.9", Lang::En);
        check(None, "zh-CN,zh;q=0.9,en;q=0.8", Lang::Zh);
        check(None, "fr-FR,en;q=0.5", Lang::En);
        check(None, "", Lang::Zh);
        check(Some("zh"), "en-US", Lang::Zh);
        check(Some("en"), "zh-CN", Lang::En);
    }
}
