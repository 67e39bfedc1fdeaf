//! What moderation's rules and engagement's settings share: a JSON document per scope
//! (`default`, `set:NAME`, `group:ID`), the most specific in force; stored, deleted and read the
//! same way, by the same API (`/api/v1/rules/...`, `/api/v1/engagement/settings/...`), with the
//! same permissions (owners: default and sets; operators: their groups; viewers read), an audit
//! line for every change, and the running feature told at once.

use axum::Json;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;
use serde::Serialize;
use serde_json::{Value, json};
use steward_engine::engagement::Settings;
use steward_engine::moderation::Rules;
use steward_store::moderation::{DEFAULT_SCOPE, Documents, set_scope};
use steward_store::{Database, Operator, StoreError};

use crate::AppState;
use crate::api::{ApiError, ApiOperator};
use crate::console::{AppError, blocking, refuse_form};
use crate::i18n::Lang;
use crate::moderation::{Scope, api_blocking, api_forbidden, api_scope, may_edit};
use crate::session::Signed;

/// A feature's settings document.
pub trait Document: Serialize + Default + Clone + Send + Sync + 'static {
    const KIND: Documents;
    /// The document's name in API bodies (`rules`, `settings`).
    const FIELD: &'static str;
    /// The audit log's action prefix (`rules`, `engagement`).
    const AUDIT: &'static str;
    /// The console page a deleted document's form returns to.
    const PAGE: &'static str;

    /// Reads and checks a submitted document; the error names the field.
    fn parse(json: &str) -> Result<Self, String>;
    /// Reads a stored document past the fields a newer version wrote, and names them.
    fn stored(json: &str) -> Result<(Self, Vec<String>), String>;
    fn to_json(&self) -> String;
    /// Tells the running feature that stored documents changed.
    fn changed(state: &AppState);
}

impl Document for Rules {
    const KIND: Documents = Documents::Moderation;
    const FIELD: &'static str = "rules";
    const AUDIT: &'static str = "rules";
    const PAGE: &'static str = "/moderation";

    fn parse(json: &str) -> Result<Rules, String> {
        Rules::from_json(json).map_err(|err| err.en)
    }

    fn stored(json: &str) -> Result<(Rules, Vec<String>), String> {
        Rules::from_stored(json).map_err(|err| err.en)
    }

    fn to_json(&self) -> String {
        Rules::to_json(self)
    }

    fn changed(state: &AppState) {
        state.moderation.rules_changed();
    }
}

impl Document for Settings {
    const KIND: Documents = Documents::Engagement;
    const FIELD: &'static str = "settings";
    const AUDIT: &'static str = "engagement";
    const PAGE: &'static str = "/engagement";

    fn parse(json: &str) -> Result<Settings, String> {
        Settings::from_json(json).map_err(|err| err.0)
    }

    fn stored(json: &str) -> Result<(Settings, Vec<String>), String> {
        Settings::from_stored(json).map_err(|err| err.0)
    }

    fn to_json(&self) -> String {
        Settings::to_json(self)
    }

    fn changed(state: &AppState) {
        state.engagement.settings_changed();
    }
}

/// The document stored for a scope, or the defaults, and whether one is stored.
pub fn stored_or_default<D: Document>(
    database: &Database,
    scope: &Scope,
) -> Result<(D, bool), StoreError> {
    let (document, stored, _) = stored_document(database, scope)?;
    Ok((document, stored))
}

/// [`stored_or_default`], and the stored document's fields this version does not know, for the
/// editor to say that they have no effect and that saving there drops them (after a downgrade).
pub fn stored_document<D: Document>(
    database: &Database,
    scope: &Scope,
) -> Result<(D, bool, Vec<String>), StoreError> {
    Ok(match database.document(D::KIND, &scope.key())? {
        Some(record) => {
            let (document, skipped) = D::stored(&record.rules).unwrap_or_default();
            (document, true, skipped)
        }
        None => (D::default(), false, Vec::new()),
    })
}

/// Where a document in force comes from when no scope stores one.
pub const BUILT_IN: &str = "built-in";

/// The document in force at a scope, and the scope that stores it ([`BUILT_IN`] when none
/// does): its own; for a group then its set's and the default's; for a set the default's. What
/// an editor shows for a scope without a document of its own, and what saving there starts from.
pub fn in_force<D: Document>(
    database: &Database,
    scope: &Scope,
) -> Result<(D, String), StoreError> {
    let set = match scope {
        Scope::Group(id) => database.group_set(*id)?.map(|name| set_scope(&name)),
        _ => None,
    };
    let nearest_first = [Some(scope.key()), set, Some(DEFAULT_SCOPE.to_owned())];
    for key in nearest_first.into_iter().flatten() {
        if let Some(record) = database.document(D::KIND, &key)? {
            let (document, _) = D::stored(&record.rules).unwrap_or_default();
            return Ok((document, key));
        }
    }
    Ok((D::default(), BUILT_IN.to_owned()))
}

/// What an editor shows for a scope: its own document and the fields of it this version skips,
/// or, without one, the document in force there and where that comes from (`Some(scope)`).
pub fn editor_document<D: Document>(
    database: &Database,
    scope: &Scope,
) -> Result<(D, Option<String>, Vec<String>), StoreError> {
    let (document, stored, skipped) = stored_document::<D>(database, scope)?;
    if stored {
        return Ok((document, None, skipped));
    }
    let (document, source) = in_force::<D>(database, scope)?;
    Ok((document, Some(source), Vec::new()))
}

/// Why an operator may not change a scope's document: a group not assigned to them, or the
/// default's or a set's, which owners change.
pub fn refused(scope: &Scope, lang: Lang) -> &'static str {
    match scope {
        Scope::Group(_) => lang.texts().not_your_group,
        Scope::Default | Scope::Set(_) => lang.texts().owners_scopes,
    }
}

/// A scope as an operator reads it: a group by its title and id (`群「Rust 学习」(#3)`), a set
/// by its name, the default as such; [`BUILT_IN`] and what is no scope, as given.
pub fn scope_label(database: &Database, scope: &str, lang: Lang) -> Result<String, StoreError> {
    let en = lang == Lang::En;
    Ok(match Scope::parse(scope) {
        _ if scope == BUILT_IN => scope.to_owned(),
        Some(Scope::Default) if en => "the default (every group)".to_owned(),
        Some(Scope::Default) => "默认（全部群）".to_owned(),
        Some(Scope::Set(name)) if en => format!("group set “{name}”"),
        Some(Scope::Set(name)) => format!("群组集「{name}」"),
        Some(Scope::Group(id)) => {
            let title = database
                .group(id)?
                .map_or_else(|| id.to_string(), |group| group.title.unwrap_or(group.chat));
            if en {
                format!("group “{title}” (#{id})")
            } else {
                format!("群「{title}」(#{id})")
            }
        }
        None => scope.to_owned(),
    })
}

/// An editor's notice that a scope shows what it inherits: `template` with `{source}` replaced by
/// the scope it comes from (as [`scope_label`] reads it), or by `built_in` for the built-in
/// defaults.
pub fn inherited_notice(template: &str, built_in: &str, source: Option<&str>) -> String {
    match source {
        None => String::new(),
        Some(BUILT_IN) => template.replace("{source}", built_in),
        Some(scope) => template.replace("{source}", scope),
    }
}

/// The document in force for a group (the defaults when none is stored).
pub fn effective<D: Document>(database: &Database, group_id: i64) -> Result<D, StoreError> {
    Ok(database
        .effective_document(D::KIND, group_id)?
        .and_then(|json| D::stored(&json).ok())
        .map(|(document, _)| document)
        .unwrap_or_default())
}

/// Stores a scope's document, tells the running feature, and writes the audit line.
pub fn save<D: Document>(
    database: &Database,
    state: &AppState,
    operator: &str,
    scope: &Scope,
    document: &D,
) -> Result<(), StoreError> {
    let now = Utc::now();
    let json = document.to_json();
    database.set_document(D::KIND, &scope.key(), &json, operator, now)?;
    D::changed(state);
    database.record_audit(
        operator,
        &format!("{}.save", D::AUDIT),
        Some(&scope.key()),
        Some(&json),
        now,
    )
}

/// Deletes a scope's document when the operator may; `None` when they may not.
pub fn delete<D: Document>(
    database: &Database,
    state: &AppState,
    operator: &Operator,
    scope: &Scope,
) -> Result<Option<bool>, StoreError> {
    if !may_edit(database, operator, scope)? {
        return Ok(None);
    }
    let deleted = database.delete_document(D::KIND, &scope.key())?;
    if deleted {
        D::changed(state);
        database.record_audit(
            &operator.name,
            &format!("{}.delete", D::AUDIT),
            Some(&scope.key()),
            None,
            Utc::now(),
        )?;
    }
    Ok(Some(deleted))
}

#[derive(Debug, Deserialize)]
pub struct ScopeForm {
    csrf: String,
    scope: String,
    /// The "I am sure" box: a delete cannot be undone.
    confirm: Option<String>,
}

/// The console's "delete the document stored here" button.
pub async fn delete_form<D: Document>(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    Form(form): Form<ScopeForm>,
) -> Result<Response, AppError> {
    let lang = Lang::choose(signed.operator.language.as_deref(), &headers);
    if let Some(refusal) = refuse_form(&signed, &form.csrf, lang) {
        return Ok(refusal);
    }
    let Some(scope) = Scope::parse(&form.scope) else {
        return Ok((StatusCode::BAD_REQUEST, lang.texts().not_found).into_response());
    };
    // The box's value: a request that says anything else is no confirmation.
    if form.confirm.as_deref() != Some("yes") {
        return Ok((StatusCode::BAD_REQUEST, lang.texts().not_confirmed).into_response());
    }
    let why = refused(&scope, lang);
    let database = state.database.clone();
    let acting = signed.operator.clone();
    let shared = state.clone();
    let allowed = blocking(lang, move || {
        delete::<D>(&database, &shared, &acting, &scope)
    })
    .await?;
    if allowed.is_none() {
        return Ok((StatusCode::FORBIDDEN, why).into_response());
    }
    Ok(Redirect::to(D::PAGE).into_response())
}

/// Every stored document.
pub async fn api_list<D: Document>(
    State(state): State<AppState>,
    _operator: ApiOperator,
) -> Result<Json<Value>, ApiError> {
    let database = state.database.clone();
    let records = api_blocking(move || database.all_documents(D::KIND)).await?;
    let scopes: Vec<Value> = records
        .into_iter()
        .map(|record| {
            json!({
                "scope": record.scope,
                D::FIELD: serde_json::from_str::<Value>(&record.rules).unwrap_or(Value::Null),
                "updated_at": record.updated_at,
                "updated_by": record.updated_by,
            })
        })
        .collect();
    Ok(Json(json!({ "scopes": scopes })))
}

/// A scope's document (the defaults, with `stored: false`, when none is stored).
pub async fn api_get<D: Document>(
    State(state): State<AppState>,
    _operator: ApiOperator,
    Path(scope): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let scope = api_scope(&scope)?;
    let database = state.database.clone();
    let key = scope.clone();
    let (document, stored) = api_blocking(move || stored_or_default::<D>(&database, &key)).await?;
    Ok(Json(
        json!({ "scope": scope.key(), "stored": stored, D::FIELD: document }),
    ))
}

/// Replaces a scope's document with the body (absent fields take the defaults).
pub async fn api_put<D: Document>(
    State(state): State<AppState>,
    ApiOperator(operator): ApiOperator,
    Path(scope): Path<String>,
    body: String,
) -> Result<Json<Value>, ApiError> {
    let scope = api_scope(&scope)?;
    let document = D::parse(&body)
        .map_err(|err| ApiError(StatusCode::BAD_REQUEST, format!("{}: {err}", D::FIELD)))?;
    let database = state.database.clone();
    let key = scope.clone();
    let stored = document.clone();
    let shared = state.clone();
    let outcome = api_blocking(move || {
        if let Scope::Group(id) = key
            && database.group(id)?.is_none()
        {
            return Ok(Err(StatusCode::NOT_FOUND));
        }
        if !may_edit(&database, &operator, &key)? {
            return Ok(Err(StatusCode::FORBIDDEN));
        }
        save(&database, &shared, &operator.name, &key, &stored)?;
        Ok(Ok(()))
    })
    .await?;
    match outcome {
        Ok(()) => Ok(Json(
            json!({ "scope": scope.key(), "stored": true, D::FIELD: document }),
        )),
        Err(StatusCode::NOT_FOUND) => Err(ApiError(StatusCode::NOT_FOUND, "no such group".into())),
        Err(_) => Err(api_forbidden()),
    }
}

pub async fn api_delete<D: Document>(
    State(state): State<AppState>,
    ApiOperator(operator): ApiOperator,
    Path(scope): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let scope = api_scope(&scope)?;
    let database = state.database.clone();
    let key = scope.clone();
    let shared = state.clone();
    let deleted = api_blocking(move || delete::<D>(&database, &shared, &operator, &key))
        .await?
        .ok_or_else(api_forbidden)?;
    Ok(Json(json!({ "scope": scope.key(), "deleted": deleted })))
}

/// The document in force for a group, and where it comes from (`source`).
pub async fn api_group<D: Document>(
    State(state): State<AppState>,
    _operator: ApiOperator,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let database = state.database.clone();
    let found = api_blocking(move || {
        if database.group(id)?.is_none() {
            return Ok(None);
        }
        let set = database.group_set(id)?;
        let (document, source) = in_force::<D>(&database, &Scope::Group(id))?;
        Ok(Some((set, source, document)))
    })
    .await?;
    let Some((set, source, document)) = found else {
        return Err(ApiError(StatusCode::NOT_FOUND, "no such group".into()));
    };
    Ok(Json(
        json!({ "group": id, "set": set, "source": source, D::FIELD: document }),
    ))
}
