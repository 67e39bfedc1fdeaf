//! Traditional → simplified Chinese for the characters that matter to detection: an ad written
//! in traditional characters (`加微信領紅包`) must meet the same word lists and the same model as
//! its simplified twin. Not a full converter (that is a dictionary of phrases); a one-to-one
//! table of frequent characters, the ones word lists and ads are made of.

const TABLE: &str = "\
萬万與与專专業业東东絲丝兩两嚴严喪丧個个豐丰臨临為为麗丽舉举義义烏乌樂乐喬乔習习鄉乡書书買买亂乱爭争\
於于虧亏雲云亞亚產产畝亩親亲億亿僅仅從从侖仑倉仓儀仪們们價价眾众優优會会傘伞偉伟傳传傷伤倫伦偽伪\
體体餘余傭佣僉佥俠侠侶侣僥侥偵侦側侧僑侨儈侩儕侪儂侬俁俣係系儘尽債债傾倾償偿儲储兒儿兌兑黨党蘭兰\
關关興兴養养獸兽內内岡冈冊册寫写軍军農农馮冯沖冲決决況况凍冻淨净涼凉減减湊凑凜凛幾几鳳凤憑凭凱凯\
擊击鑿凿芻刍劃划劉刘則则剛刚創创刪删別别剎刹劑剂剮剐劍剑劇剧勸劝辦办務务動动勵励勁劲勞劳勢势勳勋\
區区醫医華华協协單单賣卖盧卢衛卫卻却廠厂廳厅曆历厲厉壓压厭厌釐厘縣县參参雙双發发變变敘叙疊叠號号\
嘆叹嚇吓嗎吗啟启員员嗚呜響响啞哑喲哟嘩哗團团園园圍围圖图國国圓圆聖圣壞坏塊块堅坚壇坛壩坝墳坟墜坠\
壟垄壘垒執执報报場场塗涂墊垫塵尘牆墙壯壮聲声殼壳處处備备複复夠够頭头夾夹奪夺奮奋獎奖妝妆婦妇媽妈\
嬌娇孫孙學学寶宝實实寵宠審审憲宪宮宫對对尋寻導导將将爾尔塵尘嘗尝層层屬属歲岁島岛嶺岭歸归幣币帥帅\
師师帳帐帶带幫帮幹干廣广莊庄慶庆廬庐應应廟庙開开異异棄弃張张彌弥彎弯彈弹強强當当錄录後后徑径從从\
復复徵征憶忆懷怀態态總总戀恋懇恳惡恶惱恼悶闷驚惊慘惨慣惯憤愤願愿懶懒戲戏戰战戶户撲扑執执擴扩掃扫\
揚扬擾扰撫抚拋抛搶抢護护報报擔担擁拥擇择掛挂擋挡撥拨擠挤損损換换據据摟搂擺摆攜携擱搁攝摄敵敌數数\
齋斋鬥斗斷断時时曠旷晝昼顯显暫暂曬晒書书會会術术機机殺杀雜杂權权條条來来楊杨極极構构槍枪樣样檢检\
歡欢歐欧殘残殲歼毀毁氣气漢汉湯汤溝沟沒没灣湾潔洁灑洒滅灭濤涛澤泽潤润漲涨漁渔溫温遊游灣湾滿满濕湿\
灣湾點点煉炼煩烦熱热燈灯營营爺爷牽牵犧牺獨独獲获猶犹獄狱環环現现瑣琐產产畫画暢畅療疗癢痒發发盜盗\
盡尽監监盤盘眾众睜睁矯矫碼码礦矿確确禮礼禍祸種种稱称穩稳窮穷竊窃競竞筆笔築筑籃篮簽签節节範范糧粮\
糾纠紅红約约級级紀纪純纯紙纸納纳細细終终組组結结給给絕绝統统經经綠绿維维網网緊紧線线練练績绩續续\
編编緣缘縮缩總总繳缴纖纤罰罚羅罗罷罢義义聖圣聞闻聯联聰聪膠胶腦脑膽胆臉脸與与舊旧艱艰藝艺節节華华\
藥药萬万葉叶蘇苏號号蟲虫蠻蛮術术補补裝装製制複复見见規规視视覽览覺觉觀观觸触計计訂订認认討讨讓让\
訓训議议訊讯記记講讲許许論论設设訪访證证評评識识詢询試试話话誠诚詳详語语誤误說说請请讀读課课誰谁\
調调談谈謝谢變变讚赞豐丰貝贝負负財财貢贡責责賢贤敗败貨货質质購购貼贴費费資资賀贺賭赌賬账賺赚賽赛\
贈赠贏赢趕赶趙赵躍跃車车軟软輕轻載载較较輸输轉转辦办遲迟這这連连進进遠远違违運运還还選选遞递邊边\
郵邮鄭郑醜丑釋释針针錢钱鐵铁銀银鋼钢錯错鍵键鏈链長长門门閃闪閉闭問问閒闲間间閱阅闆板隊队陽阳陰阴\
陣阵階阶際际陸陆隨随險险隱隐雖虽雙双雞鸡離离難难電电霧雾靈灵靜静頁页頂顶項项順顺須须預预領领頻频\
題题繫系顏颜額额風风飛飞飯饭飲饮飽饱館馆馬马駕驾騙骗驗验髮发鬧闹魚鱼鳥鸟麥麦黃黄齊齐齒齿龍龙龜龟";

/// The table as (traditional, simplified) pairs; a test checks that it is well formed.
fn pairs() -> Vec<(char, char)> {
    let chars: Vec<char> = TABLE.chars().filter(|c| !c.is_whitespace()).collect();
    chars
        .chunks_exact(2)
        .map(|pair| (pair[0], pair[1]))
        .collect()
}

/// The simplified form of a traditional character, or the character itself.
pub(crate) fn simplify(c: char) -> char {
    use std::sync::OnceLock;
    static MAP: OnceLock<std::collections::HashMap<char, char>> = OnceLock::new();
    if (c as u32) < 0x4E00 {
        return c;
    }
    MAP.get_or_init(|| {
        pairs()
            .into_iter()
            .filter(|(from, to)| from != to)
            .collect()
    })
    .get(&c)
    .copied()
    .unwrap_or(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_pairs_of_han_characters() {
        let count = TABLE.chars().filter(|c| !c.is_whitespace()).count();
        assert_eq!(count % 2, 0, "the table must hold whole pairs");
        for (from, to) in pairs() {
            assert!(from as u32 >= 0x4E00 && to as u32 >= 0x4E00, "{from}{to}");
        }
    }

    #[test]
    fn traditional_ads_read_as_simplified() {
        let text: String = "加微信領紅包，聯繫電話號碼".chars().map(simplify).collect();
        assert_eq!(text, "加微信领红包，联系电话号码");
        assert_eq!(simplify('a'), 'a');
        assert_eq!(simplify('你'), '你');
    }
}
