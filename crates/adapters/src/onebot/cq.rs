//! OneBot v11's two message forms: the array of segments (`[{"type": "text", "data": {...}}]`)
//! and the CQ-code string (`[CQ:at,qq=123]你好`), with the string form's escaping: in text
//! `&` `[` `]` become `&amp;` `&#91;` `&#93;`, and inside a CQ code's values `,` also becomes
//! `&#44;` (message/string.md of the specification).

use serde_json::{Map, Value, json};

/// One segment as OneBot writes it: a type and its string parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawSegment {
    pub kind: String,
    pub data: Vec<(String, String)>,
}

impl RawSegment {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.data
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.as_str())
    }

    pub fn text(text: &str) -> RawSegment {
        RawSegment {
            kind: "text".to_owned(),
            data: vec![("text".to_owned(), text.to_owned())],
        }
    }

    pub fn to_json(&self) -> Value {
        let data: Map<String, Value> = self
            .data
            .iter()
            .map(|(key, value)| (key.clone(), Value::String(value.clone())))
            .collect();
        json!({ "type": self.kind, "data": data })
    }
}

/// Text escaped for the string form, outside CQ codes.
pub fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('[', "&#91;")
        .replace(']', "&#93;")
}

/// A value escaped for the inside of a CQ code.
pub fn escape_value(value: &str) -> String {
    escape_text(value).replace(',', "&#44;")
}

pub fn unescape(text: &str) -> String {
    text.replace("&#44;", ",")
        .replace("&#91;", "[")
        .replace("&#93;", "]")
        .replace("&amp;", "&")
}

/// Reads the string form: text and CQ codes. A `[CQ:` without its `]` is text.
pub fn parse_string(message: &str) -> Vec<RawSegment> {
    let mut segments = Vec::new();
    let mut rest = message;
    while let Some(start) = rest.find("[CQ:") {
        let Some(length) = rest[start..].find(']') else {
            break;
        };
        if start > 0 {
            segments.push(RawSegment::text(&unescape(&rest[..start])));
        }
        let code = &rest[start + 4..start + length];
        let (kind, params) = code.split_once(',').unwrap_or((code, ""));
        let data = params
            .split(',')
            .filter(|param| !param.is_empty())
            .map(|param| {
                let (key, value) = param.split_once('=').unwrap_or((param, ""));
                (key.to_owned(), unescape(value))
            })
            .collect();
        segments.push(RawSegment {
            kind: kind.to_owned(),
            data,
        });
        rest = &rest[start + length + 1..];
    }
    if !rest.is_empty() {
        segments.push(RawSegment::text(&unescape(rest)));
    }
    segments
}

/// Reads the array form; values that are numbers or booleans are read as their text.
pub fn parse_array(items: &[Value]) -> Result<Vec<RawSegment>, String> {
    items
        .iter()
        .map(|item| {
            let kind = item
                .get("type")
                .and_then(Value::as_str)
                .ok_or("a segment without `type`")?;
            let data = match item.get("data") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Object(data)) => data
                    .iter()
                    .map(|(key, value)| {
                        let value = match value {
                            Value::String(text) => text.clone(),
                            Value::Null => String::new(),
                            other => other.to_string(),
                        };
                        (key.clone(), value)
                    })
                    .collect(),
                Some(_) => return Err(format!("segment `{kind}`: `data` is not an object")),
            };
            Ok(RawSegment {
                kind: kind.to_owned(),
                data,
            })
        })
        .collect()
}

/// Writes the string form.
pub fn to_string(segments: &[RawSegment]) -> String {
    let mut out = String::new();
    for segment in segments {
        if segment.kind == "text" {
            out.push_str(&escape_text(segment.get("text").unwrap_or_default()));
            continue;
        }
        out.push_str("[CQ:");
        out.push_str(&segment.kind);
        for (key, value) in &segment.data {
            out.push(',');
            out.push_str(key);
            out.push('=');
            out.push_str(&escape_value(value));
        }
        out.push(']');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specifications_examples() {
        // message/string.md: text escaped, and a value with a comma.
        assert_eq!(
            escape_text("- [x] 使用 `&data` 获取地址"),
            "- &#91;x&#93; 使用 `&amp;data` 获取地址"
        );
        let share = parse_string(
            "[CQ:share,title=震惊&#44;小伙睡觉前居然...,url=http://baidu.com/?a=1&amp;b=2]",
        );
        assert_eq!(share[0].kind, "share");
        assert_eq!(share[0].get("title"), Some("震惊,小伙睡觉前居然..."));
        assert_eq!(share[0].get("url"), Some("http://baidu.com/?a=1&b=2"));
        let mixed = parse_string("[CQ:face,id=178]看看我刚拍的照片[CQ:image,file=123.jpg]");
        assert_eq!(
            mixed,
            vec![
                RawSegment {
                    kind: "face".into(),
                    data: vec![("id".into(), "178".into())]
                },
                RawSegment::text("看看我刚拍的照片"),
                RawSegment {
                    kind: "image".into(),
                    data: vec![("file".into(), "123.jpg".into())]
                },
            ]
        );
        // A value may hold `=`: the first one separates the name.
        let equals = parse_string("[CQ:share,title=标题中有=等号,url=http://baidu.com]");
        assert_eq!(equals[0].get("title"), Some("标题中有=等号"));
        assert_eq!(parse_string("[CQ:shake]")[0].kind, "shake");
    }

    #[test]
    fn hostile_text_stays_text_both_ways() {
        let hostile = "[CQ:at,qq=all] & [CQ:image,file=x]";
        let written = to_string(&[RawSegment::text(hostile)]);
        assert!(!written.contains("[CQ:"), "{written}");
        assert_eq!(parse_string(&written), vec![RawSegment::text(hostile)]);
        assert_eq!(
            parse_string("半个 [CQ:at,qq=1"),
            vec![RawSegment::text("半个 [CQ:at,qq=1")]
        );
    }

    #[test]
    fn the_array_form() {
        let items: Vec<Value> = serde_json::from_str(
            r#"[{"type":"text","data":{"text":"你好"}},{"type":"at","data":{"qq":123456}},{"type":"face","data":null}]"#,
        )
        .unwrap_or_default();
        let segments = parse_array(&items).unwrap_or_default();
        assert_eq!(segments[0], RawSegment::text("你好"));
        assert_eq!(segments[1].get("qq"), Some("123456"));
        assert_eq!(segments[2].data, vec![]);
        assert!(parse_array(&[json!({"data": {}})]).is_err());
        assert_eq!(
            segments[1].to_json(),
            json!({"type": "at", "data": {"qq": "123456"}})
        );
    }
}
