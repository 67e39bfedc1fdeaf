//! The Bot API over HTTPS: `POST {api_url}/bot{token}/{method}` with JSON parameters, answered
//! by `{ok, result}` or `{ok: false, error_code, description, parameters: {retry_after}}`.

use std::time::Duration;

use hyper::Method;
use serde_json::Value;

use crate::https::{HttpClient, HttpError};

/// Why a call has no result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    #[error(transparent)]
    Http(#[from] HttpError),
    /// Telegram refused the call; nothing was done.
    #[error("Telegram error {code}: {description}")]
    Refused {
        code: i64,
        description: String,
        /// A 429's `retry_after`: seconds to wait before calling again.
        retry_after: Option<u64>,
    },
}

pub struct BotApi {
    pub(crate) http: HttpClient,
    /// `{api_url}/bot{token}`: holds the token, never logged.
    base: String,
    /// `{api_url}/file/bot{token}`: where `getFile`'s paths are fetched from.
    files: String,
    /// `api_url` alone, for logs.
    pub api_url: String,
    /// A local Bot API server's file directory, where `getFile`'s absolute paths may be read.
    local_files: Option<std::path::PathBuf>,
    /// Whether a refused local path was logged as a warning yet (once per bot).
    local_refused: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for BotApi {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "BotApi({})", self.api_url)
    }
}

impl BotApi {
    pub fn new(api_url: &str, token: &str) -> Result<BotApi, HttpError> {
        let api_url = api_url.trim_end_matches('/').to_owned();
        Ok(BotApi {
            http: HttpClient::new()?,
            base: format!("{api_url}/bot{token}"),
            files: format!("{api_url}/file/bot{token}"),
            api_url,
            local_files: None,
            local_refused: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// Reads files a Bot API server in `--local` mode names by their absolute path, when they
    /// are inside `dir`.
    pub fn with_local_files(mut self, dir: Option<std::path::PathBuf>) -> BotApi {
        self.local_files = dir;
        self
    }

    /// One call; `within` bounds it (a long poll's timeout plus a margin).
    pub async fn call(
        &self,
        method: &str,
        params: &Value,
        within: Duration,
    ) -> Result<Value, CallError> {
        let (status, answer) = self
            .http
            .json(
                Method::POST,
                &format!("{}/{method}", self.base),
                &[],
                Some(params),
                within,
            )
            .await?;
        if answer.get("ok").and_then(Value::as_bool) == Some(true) {
            return Ok(answer.get("result").cloned().unwrap_or(Value::Null));
        }
        if !answer.is_object() {
            return Err(HttpError::Lost(format!("HTTP {status} without a Bot API answer")).into());
        }
        Err(CallError::Refused {
            code: answer
                .get("error_code")
                .and_then(Value::as_i64)
                .unwrap_or(i64::from(status)),
            description: answer
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            retry_after: answer
                .get("parameters")
                .and_then(|parameters| parameters.get("retry_after"))
                .and_then(Value::as_u64),
        })
    }
}

/// A photo's file: `getFile` names its path, fetched from `{api_url}/file/bot{token}/{path}`;
/// a server in `--local` mode names an absolute path on its disk instead, read from there when
/// it is inside the `local_files` directory (symbolic links and `..` resolved first).
impl crate::images::Locate for BotApi {
    async fn locate(
        &self,
        _url: Option<&str>,
        file: Option<&str>,
    ) -> Result<crate::images::Download, String> {
        let file_id = file.ok_or("the photo has no file_id")?;
        let answer = self
            .call(
                "getFile",
                &serde_json::json!({ "file_id": file_id }),
                crate::images::FETCH_WITHIN,
            )
            .await
            .map_err(|err| err.to_string())?;
        if answer
            .get("file_size")
            .and_then(Value::as_u64)
            .is_some_and(|size| size > crate::images::MAX_IMAGE_BYTES as u64)
        {
            return Err("the photo is too large to read".to_owned());
        }
        let path = answer
            .get("file_path")
            .and_then(Value::as_str)
            .filter(|path| !path.is_empty())
            .ok_or("getFile named no file path")?;
        if path.starts_with('/') {
            // The server keeps a bot's files under a directory named by its token: never logged.
            let token = self.base.rsplit("/bot").next().unwrap_or_default();
            let local = self
                .local_file(path)
                .await
                .map_err(|why| match token.is_empty() {
                    true => why,
                    false => why.replace(token, "<token>"),
                });
            if let Err(why) = &local {
                // A setting to fix, not a picture's fault: said once per bot, as a warning.
                if !self
                    .local_refused
                    .swap(true, std::sync::atomic::Ordering::Relaxed)
                {
                    tracing::warn!(error = %why, "telegram: a photo on the Bot API server's disk not read (said once)");
                }
            }
            return local;
        }
        if path.contains("..") {
            return Err("getFile named a path with `..`".to_owned());
        }
        Ok(crate::images::Download::Web {
            url: format!("{}/{path}", self.files),
            bearer: None,
        })
    }
}

impl BotApi {
    /// A file a server in `--local` mode names by its absolute path, when it is inside the
    /// `local_files` directory.
    async fn local_file(&self, path: &str) -> Result<crate::images::Download, String> {
        let dir = self.local_files.as_deref().ok_or(
            "getFile named a path on the Bot API server's disk (`--local` mode): set `local_files` to read it",
        )?;
        let (dir, named) = (dir.to_owned(), std::path::PathBuf::from(path));
        let (dir, file) =
            tokio::task::spawn_blocking(move || match (dir.canonicalize(), named.canonicalize()) {
                (Ok(dir), Ok(file)) => Ok((dir, file)),
                (Err(err), _) => Err(format!("local_files {}: {err}", dir.display())),
                (_, Err(err)) => Err(format!("{}: {err}", named.display())),
            })
            .await
            .map_err(|err| err.to_string())??;
        if !file.starts_with(&dir) {
            return Err(format!(
                "{path} is outside local_files ({}): not read",
                dir.display()
            ));
        }
        Ok(crate::images::Download::Local { dir, file })
    }
}
