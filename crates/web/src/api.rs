//! The REST API, `/api/v1/...`: JSON for scripts and other tools, with a bearer token per
//! operator (`steward operator token NAME`). Described by `/api/v1/openapi.json`.

use axum::Json;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use steward_store::{GroupSummary, Operator};

use crate::AppState;
use crate::session::token_hash;

/// An API error: a status and a sentence, as `{"error": "..."}`.
#[derive(Debug)]
pub struct ApiError(pub StatusCode, pub String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

pub(crate) fn internal(err: impl std::fmt::Display) -> ApiError {
    tracing::error!(error = %err, "API request failed");
    ApiError(StatusCode::INTERNAL_SERVER_ERROR, "internal error".into())
}

/// The operator whose token came in `Authorization: Bearer ...`.
#[derive(Debug, Clone)]
pub struct ApiOperator(pub Operator);

impl FromRequestParts<AppState> for ApiOperator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|token| !token.is_empty() && token.len() <= 128)
            .ok_or_else(|| {
                ApiError(
                    StatusCode::UNAUTHORIZED,
                    "an `Authorization: Bearer TOKEN` header is needed".into(),
                )
            })?;
        let hash = token_hash(token);
        let database = state.database.clone();
        match tokio::task::spawn_blocking(move || database.api_token_operator(&hash)).await {
            Ok(Ok(Some(operator))) => Ok(ApiOperator(operator)),
            Ok(Ok(None)) => Err(ApiError(
                StatusCode::UNAUTHORIZED,
                "unknown or revoked token".into(),
            )),
            Ok(Err(err)) => Err(internal(err)),
            Err(err) => Err(internal(err)),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Group {
    id: i64,
    platform: String,
    chat: String,
    title: Option<String>,
    member_count: i64,
    message_count: i64,
    /// Milliseconds since the Unix epoch.
    last_event_at: i64,
}

impl From<GroupSummary> for Group {
    fn from(group: GroupSummary) -> Group {
        Group {
            id: group.id,
            platform: group.platform,
            chat: group.chat,
            title: group.title,
            member_count: group.member_count,
            message_count: group.message_count,
            last_event_at: group.last_event_at,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct Paging {
    page: Option<i64>,
    per_page: Option<i64>,
}

pub async fn groups(
    State(state): State<AppState>,
    _operator: ApiOperator,
    Query(paging): Query<Paging>,
) -> Result<Json<Value>, ApiError> {
    let page = paging.page.unwrap_or(1).clamp(1, crate::console::MAX_PAGE);
    let per_page = paging.per_page.unwrap_or(50).clamp(1, 200);
    let database = state.database.clone();
    let (groups, total) =
        tokio::task::spawn_blocking(move || database.groups_page((page - 1) * per_page, per_page))
            .await
            .map_err(internal)?
            .map_err(internal)?;
    let groups: Vec<Group> = groups.into_iter().map(Group::from).collect();
    Ok(Json(
        json!({ "total": total, "page": page, "per_page": per_page, "groups": groups }),
    ))
}

pub async fn group(
    State(state): State<AppState>,
    _operator: ApiOperator,
    Path(id): Path<i64>,
) -> Result<Json<Group>, ApiError> {
    let database = state.database.clone();
    tokio::task::spawn_blocking(move || database.group(id))
        .await
        .map_err(internal)?
        .map_err(internal)?
        .map(|group| Json(Group::from(group)))
        .ok_or_else(|| ApiError(StatusCode::NOT_FOUND, format!("no group {id}")))
}

/// The API's description. It needs a token like the rest: only operators use this API.
pub async fn openapi(_operator: ApiOperator) -> Json<Value> {
    let group = json!({
        "type": "object",
        "required": ["id", "platform", "chat", "member_count", "message_count", "last_event_at"],
        "properties": {
            "id": { "type": "integer" },
            "platform": { "type": "string", "enum": ["onebot", "telegram", "matrix", "discord", "playground", "simulator"] },
            "chat": { "type": "string", "description": "The group's id on its platform." },
            "title": { "type": ["string", "null"] },
            "member_count": { "type": "integer" },
            "message_count": { "type": "integer" },
            "last_event_at": { "type": "integer", "description": "Milliseconds since the Unix epoch." }
        }
    });
    let error = json!({ "type": "object", "properties": { "error": { "type": "string" } } });
    let unauthorized = json!({ "description": "No token, or an unknown or revoked one.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } });
    Json(json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Steward API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Read the groups Steward runs and manage their moderation and engagement. Make a token with `steward operator token NAME`."
        },
        "servers": [{ "url": "/api/v1" }],
        "security": [{ "bearer": [] }],
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": { "Group": group, "Error": error }
        },
        "paths": {
            "/groups": {
                "get": {
                    "summary": "Groups, most recently active first",
                    "parameters": [
                        { "name": "page", "in": "query", "schema": { "type": "integer", "minimum": 1, "default": 1 } },
                        { "name": "per_page", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 200, "default": 50 } }
                    ],
                    "responses": {
                        "200": { "description": "One page of groups", "content": { "application/json": { "schema": {
                            "type": "object",
                            "properties": {
                                "total": { "type": "integer" }, "page": { "type": "integer" }, "per_page": { "type": "integer" },
                                "groups": { "type": "array", "items": { "$ref": "#/components/schemas/Group" } }
                            }
                        } } } },
                        "401": unauthorized
                    }
                }
            },
            "/groups/{id}": {
                "get": {
                    "summary": "One group",
                    "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                    "responses": {
                        "200": { "description": "The group", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Group" } } } },
                        "401": unauthorized,
                        "404": { "description": "No such group", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                    }
                }
            },
            "/rules": { "get": { "summary": "Every stored moderation rule document, by scope", "responses": { "200": { "description": "`{scopes: [{scope, rules, updated_at, updated_by}]}`" }, "401": unauthorized } } },
            "/rules/{scope}": {
                "parameters": [{ "name": "scope", "in": "path", "required": true, "description": "`default`, `set:NAME` or `group:ID`", "schema": { "type": "string" } }],
                "get": { "summary": "A scope's rules (the built-in defaults with `stored: false` when none are stored)", "responses": { "200": { "description": "`{scope, stored, rules}`" }, "401": unauthorized, "404": { "description": "Not a scope" } } },
                "put": { "summary": "Replace a scope's rules; absent fields take the defaults (docs/moderation.md lists them). Owners: default and sets; operators: their groups", "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object" } } } }, "responses": { "200": { "description": "Stored" }, "400": { "description": "A field is wrong; `error` says which" }, "401": unauthorized, "403": { "description": "Not your scope" } } },
                "delete": { "summary": "Delete a scope's rules (the groups fall back to their set's or the default)", "responses": { "200": { "description": "`{scope, deleted}`" }, "401": unauthorized, "403": { "description": "Not your scope" } } }
            },
            "/groups/{id}/rules": { "get": { "summary": "The rules in force for a group and where they come from (`source`)", "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }], "responses": { "200": { "description": "`{group, set, source, rules}`" }, "401": unauthorized, "404": { "description": "No such group" } } } },
            "/groups/{id}/set": { "put": { "summary": "Put a group in a set (`{\"set\": \"name\"}`) or take it out (`{\"set\": null}`); owners only", "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }], "responses": { "200": { "description": "Done" }, "401": unauthorized, "403": { "description": "Not an owner" }, "404": { "description": "No such group" } } } },
            "/blacklist": { "get": { "summary": "Members on the fleet blacklist", "responses": { "200": { "description": "`{blacklist: [...]}`" }, "401": unauthorized } } },
            "/blacklist/{member}": { "delete": { "summary": "Lift a member's blacklisting (the ladder starts over)", "parameters": [{ "name": "member", "in": "path", "required": true, "schema": { "type": "integer" } }], "responses": { "200": { "description": "Lifted" }, "401": unauthorized, "403": { "description": "Blacklisted from a group you do not look after" }, "404": { "description": "Not on the blacklist" } } } },
            "/offences": { "get": { "summary": "Offences, newest first", "parameters": [{ "name": "group", "in": "query", "schema": { "type": "integer" } }, { "name": "member", "in": "query", "schema": { "type": "integer" } }, { "name": "limit", "in": "query", "schema": { "type": "integer", "maximum": 1000, "default": 100 } }, { "name": "before", "in": "query", "description": "The next page back: the `next` of the page before.", "schema": { "type": "string" } }], "responses": { "200": { "description": "`{offences: [{id, event_id, time, group_id, group, member_id, member, user_id, detector, reason_zh, reason_en, step, text, forgiven}], next}`; `forgiven`: marked a mistake, not counted on the ladder; `next` is null on the last page" }, "400": { "description": "A `before` that is no `next`" }, "401": unauthorized } } },
            "/samples": { "post": { "summary": "Mark a stored message as an ad or not (`{\"event_id\": N, \"is_ad\": false}`); the ad model in force is retrained", "responses": { "200": { "description": "Marked" }, "401": unauthorized, "403": { "description": "Not your group" }, "404": { "description": "No such message" } } } },
            "/backtests": { "post": { "summary": "Start a backtest: `{from, to}` (YYYY-MM-DD or milliseconds), optional `groups` (ids), and candidate rules as `rules` (a document) or `scope`", "responses": { "202": { "description": "`{id, status}`: poll the status" }, "400": { "description": "A bad period or rule document" }, "401": unauthorized, "429": { "description": "Two backtests are running" } } } },
            "/backtests/{id}": { "get": { "summary": "A backtest's progress, then its report", "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }], "responses": { "200": { "description": "`{id, done, progress}` and, when done, `report`" }, "401": unauthorized, "404": { "description": "No such backtest" } } } },
            "/engagement/settings": { "get": { "summary": "Every stored engagement settings document, by scope", "responses": { "200": { "description": "`{scopes: [{scope, settings, updated_at, updated_by}]}`" }, "401": unauthorized } } },
            "/engagement/settings/{scope}": {
                "parameters": [{ "name": "scope", "in": "path", "required": true, "description": "`default`, `set:NAME` or `group:ID`", "schema": { "type": "string" } }],
                "get": { "summary": "A scope's engagement settings (the built-in defaults with `stored: false` when none are stored)", "responses": { "200": { "description": "`{scope, stored, settings}`" }, "401": unauthorized, "404": { "description": "Not a scope" } } },
                "put": { "summary": "Replace a scope's engagement settings; absent fields take the defaults (docs/engagement.md lists them). Owners: default and sets; operators: their groups", "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object" } } } }, "responses": { "200": { "description": "Stored" }, "400": { "description": "A field is wrong; `error` says which" }, "401": unauthorized, "403": { "description": "Not your scope" } } },
                "delete": { "summary": "Delete a scope's engagement settings (the groups fall back to their set's or the default)", "responses": { "200": { "description": "`{scope, deleted}`" }, "401": unauthorized, "403": { "description": "Not your scope" } } }
            },
            "/groups/{id}/engagement": { "get": { "summary": "The engagement settings in force for a group and where they come from (`source`)", "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }], "responses": { "200": { "description": "`{group, set, source, settings}`" }, "401": unauthorized, "404": { "description": "No such group" } } } },
            "/groups/{id}/nicknames": { "get": { "summary": "A group's active members, their nicknames, whether each complies with the nickname rule in force, and the reminders sent", "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }], "responses": { "200": { "description": "`{group, rule, members: [{member, name, nickname, complies, reminders}]}`" }, "401": unauthorized, "404": { "description": "No such group" } } } },
            "/leaderboard": { "get": { "summary": "A leaderboard: a group's or a group set's; a period counts points earned in it, `all` ranks balances", "parameters": [{ "name": "group", "in": "query", "schema": { "type": "integer" } }, { "name": "set", "in": "query", "schema": { "type": "string" } }, { "name": "period", "in": "query", "schema": { "type": "string", "enum": ["today", "week", "month", "all"], "default": "all" } }], "responses": { "200": { "description": "`{group, set, period, standings: [{rank, member, name, points}]}`" }, "400": { "description": "Neither group nor set, or an unknown period" }, "401": unauthorized, "404": { "description": "No such group" } } } },
            "/questions": { "get": { "summary": "Questions nobody answered, newest first", "parameters": [{ "name": "group", "in": "query", "schema": { "type": "integer" } }, { "name": "minutes", "in": "query", "description": "asked at least this long ago", "schema": { "type": "integer", "default": 30 } }], "responses": { "200": { "description": "`{questions: [{event, group, member, name, text, time}]}`" }, "401": unauthorized } } },
            "/members/{id}/profile": { "get": { "summary": "A member's profile from their latest self-introduction", "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }], "responses": { "200": { "description": "`{member, profile: {city, hours, occupation, interests, intro, updated_at, tags: [{kind, tag}]} | null}`" }, "401": unauthorized, "404": { "description": "No such member" } } } },
            "/join-codes": {
                "get": { "summary": "Join codes for screening, newest first", "responses": { "200": { "description": "`{codes: [{code, scope, kind, max_uses, uses, expires_at, note, created_by, created_at, revoked_at}]}`" }, "401": unauthorized } },
                "post": { "summary": "Issue codes: `{scope, kind: invite|paid, uses, days?, count?, note?}`; owners for default and sets, operators for their groups", "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object" } } } }, "responses": { "200": { "description": "`{codes: [...]}`" }, "400": { "description": "A field is wrong" }, "401": unauthorized, "403": { "description": "Not your scope" } } }
            },
            "/join-codes/{code}": { "delete": { "summary": "Revoke a code", "parameters": [{ "name": "code", "in": "path", "required": true, "schema": { "type": "string" } }], "responses": { "200": { "description": "`{code, revoked}`" }, "401": unauthorized, "403": { "description": "Not your scope" } } } },
            "/members/{id}/points": { "post": { "summary": "Award (positive `amount`) or deduct (negative, for a prize) a member's points in a group by hand: `{group, amount, note}`; a deduction may not exceed the balance", "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }], "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object" } } } }, "responses": { "200": { "description": "`{member, group, balance}`" }, "400": { "description": "A bad amount or note" }, "401": unauthorized, "403": { "description": "Not your group" }, "404": { "description": "No such member or group" }, "409": { "description": "The balance does not cover the deduction" } } } },
            "/lotteries": { "post": { "summary": "Draw winners among a group's members who did `rule` (`checkin`, `answer`, `active`) in `period` (`today`, `week`, `month`): `{group, rule, period, winners, prize?, announce?}`; logged, and announced in the group unless `announce` is false", "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object" } } } }, "responses": { "200": { "description": "`{id, candidates, winners: [{member, name}]}`" }, "400": { "description": "A bad rule, period or count" }, "401": unauthorized, "403": { "description": "Not your group" }, "404": { "description": "No such group" } } } },
            "/roles": { "get": { "summary": "Roles members claimed, newest first", "parameters": [{ "name": "group", "in": "query", "schema": { "type": "integer" } }, { "name": "member", "in": "query", "schema": { "type": "integer" } }], "responses": { "200": { "description": "`{claims: [{group, member, name, role, status, claimed_at}]}`" }, "401": unauthorized } } },
            "/roles/decide": { "post": { "summary": "Approve or reject a claim: `{group, member, role, approve}`", "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object" } } } }, "responses": { "200": { "description": "`{group, member, role, status}`" }, "401": unauthorized, "403": { "description": "Not your group" }, "404": { "description": "No such group or claim" } } } },
            "/platforms": { "get": { "summary": "The platform accounts' connections: connected, since, last event, events, actions done and failed, last error", "responses": { "200": { "description": "`{accounts: [{platform, account, connected, transport, since, last_event, events, sent, failed, last_error}]}`" }, "401": unauthorized } } },
            "/openapi.json": { "get": { "summary": "This description", "responses": { "200": { "description": "OpenAPI 3.1" }, "401": unauthorized } } }
        }
    }))
}
