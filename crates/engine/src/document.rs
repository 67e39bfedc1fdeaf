//! Rule and settings documents in JSON. A submitted one is read strictly: a field this version
//! does not know is an operator's typo, refused by its path. A stored one is read past such
//! fields, which only a newer Steward writes: after a downgrade the rest of the operator's
//! document stays in force instead of the defaults (a group's whitelist, its ladder).

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Mutex, OnceLock};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A document, and the paths of the fields in it that this version does not know
/// (`night.colour`, `answers.0.emoji`).
pub(crate) fn read<T: DeserializeOwned>(json: &str) -> Result<(T, Vec<String>), String> {
    // serde reads an array as the fields in order (`[false]`: moderation off): said as such
    // before serde names the first field it found wrong there.
    const OBJECT: &str = "a document is a JSON object, such as {\"enabled\": true}";
    if json.trim_start().starts_with('[') {
        return Err(OBJECT.to_owned());
    }
    let mut unknown = Vec::new();
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let mut note = |path: serde_ignored::Path| unknown.push(path.to_string());
    let ignoring = serde_ignored::Deserializer::new(&mut deserializer, &mut note);
    let document = serde_path_to_error::deserialize(ignoring).map_err(explained)?;
    deserializer.end().map_err(|err| err.to_string())?;
    if !json.trim_start().starts_with('{') {
        return Err(OBJECT.to_owned());
    }
    Ok((document, unknown))
}

/// The refusal of a submitted document with a list where it has an object of fields, which
/// serde would read as the fields in order (`"flood": [false]`: flood detection off). Stored
/// documents are not held to it: what an earlier version accepted stays in force.
pub(crate) fn refuse_lists<T: Serialize + Default>(json: &str) -> Result<(), String> {
    let Ok(value) = serde_json::from_str::<Value>(json) else {
        return Ok(());
    };
    let shape = serde_json::to_value(T::default()).unwrap_or_default();
    match list_for_object(&value, &shape, "") {
        Some(path) if !path.is_empty() => Err(format!(
            "{path}: expected an object such as {{\"field\": value}}, not a list"
        )),
        _ => Ok(()),
    }
}

/// The path of the first list given where the document has an object of fields.
fn list_for_object(given: &Value, shape: &Value, path: &str) -> Option<String> {
    match (given, shape) {
        (Value::Array(_), Value::Object(_)) => Some(path.to_owned()),
        (Value::Object(given), Value::Object(shape)) => given.iter().find_map(|(name, value)| {
            let here = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            list_for_object(value, shape.get(name)?, &here)
        }),
        _ => None,
    }
}

/// A value of the wrong kind, named by its field and said in an operator's words
/// (`flood.messages: invalid type: string "many", expected a whole number`, not serde's `expected
/// u32 at line 1 column 30`); broken JSON keeps its line and column, which is where to look.
fn explained(err: serde_path_to_error::Error<serde_json::Error>) -> String {
    let path = err.path().to_string();
    let inner = err.into_inner();
    if inner.is_syntax() || inner.is_eof() || inner.is_io() {
        return inner.to_string();
    }
    let text = inner.to_string();
    let text = match text.rfind(" at line ") {
        Some(at) => &text[..at],
        None => &text,
    };
    let mut said = text.to_owned();
    for (serde, ours) in [
        ("expected u8", "expected a whole number from 0 to 255"),
        ("expected u16", "expected a whole number from 0 to 65535"),
        (
            "expected u32",
            "expected a whole number from 0 to 4294967295",
        ),
        ("expected u64", "expected a whole number, 0 or more"),
        ("expected usize", "expected a whole number, 0 or more"),
        ("expected i32", "expected a whole number"),
        ("expected i64", "expected a whole number"),
        ("expected f32", "expected a number"),
        ("expected f64", "expected a number"),
        ("expected a sequence", "expected a list"),
        ("expected a boolean", "expected true or false"),
    ] {
        if let Some(rest) = said.strip_suffix(serde) {
            said = format!("{rest}{ours}");
        }
    }
    // `expected struct Flood` at the end (not in the value quoted before it), `expected a map`:
    // an object of fields.
    let object = said
        .rfind("expected struct ")
        .filter(|at| !said[at + "expected struct ".len()..].contains([' ', '"']))
        .or_else(|| said.strip_suffix("expected a map").map(str::len));
    if let Some(at) = object {
        said = format!(
            "{}expected an object such as {{\"field\": value}}",
            &said[..at]
        );
    }
    match path.as_str() {
        "" | "." => said,
        path => format!("{path}: {said}"),
    }
}

/// The refusal of a submitted document's first unknown field, if it has one, with the fields
/// a `T` has in that place (``unknown field `whitlist`; the fields here: `delete`, …``): a
/// typo's fix is among them.
pub(crate) fn refuse_unknown<T: Serialize + Default>(unknown: &[String]) -> Result<(), String> {
    let Some(path) = unknown.first() else {
        return Ok(());
    };
    let mut here = serde_json::to_value(T::default()).unwrap_or_default();
    for part in path.split('.').take(path.split('.').count() - 1) {
        here = match here {
            Value::Object(mut fields) => fields.remove(part).unwrap_or_default(),
            Value::Array(mut items) => match part.parse::<usize>() {
                Ok(at) if at < items.len() => items.swap_remove(at),
                _ => Value::Null,
            },
            _ => Value::Null,
        };
    }
    Err(match here {
        Value::Object(fields) if !fields.is_empty() => {
            let names: Vec<String> = fields.keys().map(|name| format!("`{name}`")).collect();
            format!(
                "unknown field `{path}`; the fields here: {}",
                names.join(", ")
            )
        }
        _ => format!("unknown field `{path}`"),
    })
}

/// Whether this is the first warning about a stored document in this process: the features read
/// a document for every group it covers, and night mode every 30 seconds, where one line says it.
pub(crate) fn first_warning(json: &str) -> bool {
    static WARNED: OnceLock<Mutex<HashSet<u64>>> = OnceLock::new();
    let mut hasher = DefaultHasher::new();
    json.hash(&mut hasher);
    WARNED
        .get_or_init(Mutex::default)
        .lock()
        .map_or(true, |mut warned| warned.insert(hasher.finish()))
}

/// The document in force from a stored one: read past the fields this version does not know, or
/// the defaults when it is invalid; either is logged once per document.
pub(crate) fn in_force<T: Default, E: std::fmt::Display>(
    what: &str,
    document: Option<&str>,
    read: impl Fn(&str) -> Result<(T, Vec<String>), E>,
) -> T {
    let Some(json) = document else {
        return T::default();
    };
    match read(json) {
        Ok((document, unknown)) => {
            if !unknown.is_empty() && first_warning(json) {
                tracing::warn!(
                    fields = %unknown.join(", "),
                    "stored {what} have fields this version does not know (a newer Steward wrote them); they are skipped"
                );
            }
            document
        }
        Err(err) => {
            if first_warning(json) {
                tracing::warn!(error = %err, "stored {what} are invalid; using the defaults");
            }
            T::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_is_warned_about_once() {
        let json = r#"{"a_field_from_the_future": 1, "test": "a_document_is_warned_about_once"}"#;
        assert!(first_warning(json));
        assert!(!first_warning(json));
        assert!(first_warning(r#"{"another": 1}"#));
    }
}
