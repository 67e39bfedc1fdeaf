//! Rule and settings documents in JSON. A submitted one is read strictly: a field this version
//! does not know is an operator's typo, refused by its path. A stored one is read past such
//! fields, which only a newer Steward writes: after a downgrade the rest of the operator's
//! document stays in force instead of the defaults (a group's whitelist, its ladder).

use serde::de::DeserializeOwned;

/// A document, and the paths of the fields in it that this version does not know
/// (`night.colour`, `levels.list.0.badge`).
pub(crate) fn read<T: DeserializeOwned>(json: &str) -> Result<(T, Vec<String>), String> {
    let mut unknown = Vec::new();
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let document = serde_ignored::deserialize(&mut deserializer, |path| {
        unknown.push(path.to_string());
    })
    .map_err(|err| err.to_string())?;
    deserializer.end().map_err(|err| err.to_string())?;
    // serde reads an array as the fields in order (`[false]`: moderation off).
    if !json.trim_start().starts_with('{') {
        return Err("a document is a JSON object, such as {\"enabled\": true}".to_owned());
    }
    Ok((document, unknown))
}

/// The refusal of a submitted document's first unknown field, if it has one.
pub(crate) fn refuse_unknown(unknown: &[String]) -> Result<(), String> {
    match unknown.first() {
        Some(path) => Err(format!("unknown field `{path}`")),
        None => Ok(()),
    }
}
