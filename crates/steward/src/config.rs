//! `steward.toml` and how it meets the command line: command line beats environment beats file
//! beats default. Every key is documented in `docs/configuration.md`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;
use steward_adapters::matrix::MatrixConfig;
use steward_adapters::telegram::TelegramConfig;
use steward_engine::PipelineConfig;
use steward_engine::features::FeaturesConfig;
use steward_store::Durability;
use steward_web::ConsoleConfig;
use steward_web::onebot::OneBotConfig;

/// The file as written. Unknown keys are errors, so that a typo is not silently ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub data: Option<PathBuf>,
    pub database: Option<String>,
    pub durability: DurabilitySetting,
    pub log: Option<String>,
    pub pipeline: PipelineConfig,
    pub features: FeaturesConfig,
    pub console: ConsoleConfig,
    pub onebot: OneBotConfig,
    pub telegram: Vec<TelegramConfig>,
    pub matrix: Vec<MatrixConfig>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DurabilitySetting {
    #[default]
    Normal,
    Full,
}

/// What the command line and environment said (clap reads both). Global: a command with
/// subcommands takes them after the subcommand too (`steward operator token demo --data DIR`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CommonArgs {
    /// Configuration file [default: ./steward.toml when it exists]
    #[arg(long, env = "STEWARD_CONFIG", value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// Directory for the SQLite file and other state [default: ./steward-data; for `demo`,
    /// ./steward-demo]
    #[arg(long, env = "STEWARD_DATA", value_name = "DIR", global = true)]
    pub data: Option<PathBuf>,
    /// sqlite://PATH or postgres://USER:PASSWORD@HOST/DB [default: sqlite://DATA/steward.db]
    #[arg(long, env = "STEWARD_DATABASE_URL", value_name = "URL", global = true)]
    pub database: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub data: PathBuf,
    pub database_url: String,
    pub durability: Durability,
    pub log: String,
    pub pipeline: PipelineConfig,
    pub features: FeaturesConfig,
    pub console: ConsoleConfig,
    pub onebot: OneBotConfig,
    pub telegram: Vec<TelegramConfig>,
    pub matrix: Vec<MatrixConfig>,
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DATA: &str = "./steward-data";
pub const DEFAULT_CONFIG: &str = "steward.toml";

impl Settings {
    /// Resolves the settings; `listen` is the command line's `--listen` (or `STEWARD_LISTEN`).
    pub fn resolve(common: &CommonArgs, listen: Option<&str>) -> anyhow::Result<Settings> {
        Settings::resolve_with_data(common, listen, DEFAULT_DATA)
    }

    /// As [`Settings::resolve`], with another default data directory (`steward demo` keeps its
    /// community apart from a real one).
    pub fn resolve_with_data(
        common: &CommonArgs,
        listen: Option<&str>,
        default_data: &str,
    ) -> anyhow::Result<Settings> {
        let file = match &common.config {
            Some(path) => read_file(path)?,
            None if Path::new(DEFAULT_CONFIG).exists() => read_file(Path::new(DEFAULT_CONFIG))?,
            None => FileConfig::default(),
        };
        let listen_text = listen
            .map(str::to_owned)
            .or(file.listen.clone())
            .unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
        let listen: SocketAddr = listen_text.parse().with_context(|| {
            format!("listen address `{listen_text}` is not IP:PORT (for example 127.0.0.1:8080)")
        })?;
        let data = common
            .data
            .clone()
            .or(file.data.clone())
            .unwrap_or_else(|| default_data.into());
        let database_url = common
            .database
            .clone()
            .or(file.database.clone())
            .unwrap_or_else(|| format!("sqlite://{}", data.join("steward.db").display()));
        steward_store::Backend::parse(&database_url)?;
        if file.pipeline.batch_max == 0 || file.pipeline.queue == 0 || file.pipeline.writers == 0 {
            bail!("[pipeline] queue, batch_max and writers must be at least 1");
        }
        for (index, account) in file.telegram.iter().enumerate() {
            account.check().map_err(anyhow::Error::msg)?;
            if file.telegram[..index]
                .iter()
                .any(|other| other.name == account.name)
            {
                bail!(
                    "two [[telegram]] accounts are named `{}`: give each its own `name`",
                    account.name
                );
            }
        }
        for (index, account) in file.matrix.iter().enumerate() {
            account.check().map_err(anyhow::Error::msg)?;
            if file.matrix[..index]
                .iter()
                .any(|other| other.user == account.user)
            {
                bail!("[[matrix]] account `{}` is given twice", account.user);
            }
        }
        Ok(Settings {
            listen,
            data,
            database_url,
            durability: match file.durability {
                DurabilitySetting::Normal => Durability::Normal,
                DurabilitySetting::Full => Durability::Full,
            },
            log: file.log.unwrap_or_else(|| "info".to_owned()),
            pipeline: file.pipeline,
            features: file.features,
            console: file.console,
            onebot: file.onebot,
            telegram: file.telegram,
            matrix: file.matrix,
        })
    }
}

fn read_file(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read configuration file {}", path.display()))?;
    parse(&text).with_context(|| format!("configuration file {}", path.display()))
}

pub fn parse(text: &str) -> anyhow::Result<FileConfig> {
    Ok(toml::from_str(text)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_file_and_no_flags_give_working_defaults() {
        let settings = Settings::resolve(
            &CommonArgs {
                config: Some("/dev/null".into()),
                ..CommonArgs::default()
            },
            None,
        )
        .unwrap();
        assert_eq!(settings.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(settings.database_url, "sqlite://./steward-data/steward.db");
        assert_eq!(settings.pipeline, PipelineConfig::default());
    }

    #[test]
    fn the_command_line_beats_the_file() {
        let dir = std::env::temp_dir().join(format!("steward-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("steward.toml");
        std::fs::write(
            &path,
            "listen = \"127.0.0.1:9000\"\ndata = \"/srv/steward\"\n",
        )
        .unwrap();
        let common = CommonArgs {
            config: Some(path),
            ..CommonArgs::default()
        };
        let from_file = Settings::resolve(&common, None).unwrap();
        assert_eq!(from_file.listen.to_string(), "127.0.0.1:9000");
        assert_eq!(from_file.database_url, "sqlite:///srv/steward/steward.db");
        let from_flag = Settings::resolve(&common, Some("0.0.0.0:7000")).unwrap();
        assert_eq!(from_flag.listen.to_string(), "0.0.0.0:7000");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn mistakes_in_the_file_are_named() {
        let check = |text: &str, expected: &str| {
            let error = format!("{:#}", parse(text).unwrap_err());
            assert!(error.contains(expected), "{text:?} gave {error:?}");
        };
        check("lisen = \"x\"", "unknown field `lisen`");
        check("[pipeline]\nbatch_max = \"big\"", "invalid type");
        check("durability = \"sometimes\"", "unknown variant `sometimes`");
        check("listen = ", "line 1, column 10");
    }

    #[test]
    fn telegram_accounts_are_checked_when_read() {
        let dir = std::env::temp_dir().join(format!("steward-telegram-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("steward.toml");
        let resolve = |text: &str| {
            std::fs::write(&path, text).unwrap();
            Settings::resolve(
                &CommonArgs {
                    config: Some(path.clone()),
                    ..CommonArgs::default()
                },
                None,
            )
            .map_err(|err| format!("{err:#}"))
        };
        let two = resolve(
            "[[telegram]]\ntoken = \"1:a\"\n[[telegram]]\nname = \"b\"\ntoken = \"2:b\"\nmode = \"webhook\"\nwebhook_url = \"https://x/telegram/b/webhook\"\nwebhook_secret = \"s_1\"\n",
        )
        .unwrap();
        assert_eq!(two.telegram.len(), 2);
        assert_eq!(two.telegram[0].name, "telegram");
        assert_eq!(two.telegram[0].api_url, "https://api.telegram.org");
        assert_eq!(two.telegram[0].group_calls_per_minute, 20);
        for (text, expected) in [
            (
                "[[telegram]]\ntoken = \"1:a\"\n[[telegram]]\ntoken = \"2:b\"\n",
                "two [[telegram]] accounts are named `telegram`",
            ),
            ("[[telegram]]\ntoken = \"abc\"\n", "not a bot token"),
            (
                "[[telegram]]\ntoken = \"1:a\"\nmode = \"webhook\"\n",
                "needs webhook_secret",
            ),
            (
                "[[telegram]]\ntoken = \"1:a\"\nname = \"a/b\"\n",
                "name `a/b`",
            ),
            (
                "[[telegram]]\ntoken = \"1:a\"\npoll_timeot = 5\n",
                "unknown field `poll_timeot`",
            ),
            (
                "[[telegram]]\ntoken = \"1:a\"\nlocal_files = \"bot-api/files\"\n",
                "local_files must be an absolute directory",
            ),
        ] {
            let error = resolve(text).unwrap_err();
            assert!(error.contains(expected), "{text:?} gave {error:?}");
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}
