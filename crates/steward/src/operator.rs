//! `steward operator`: the console's accounts from the command line. The first owner is made
//! here (`steward operator add NAME`), and a forgotten password is reset here.

use std::io::Read;

use clap::Subcommand;
use steward_domain::OperatorRole;
use steward_store::StoreError;
use steward_web::passwords;

use crate::config::Settings;
use crate::{Exit, ExitOn, Failure, open_database};

#[derive(Debug, Subcommand)]
pub enum OperatorCommand {
    /// Create an operator; prints a generated password unless --password-stdin is given
    Add {
        name: String,
        /// owner (everything, manages operators), operator (configures and acts), viewer (reads)
        #[arg(long, default_value = "owner")]
        role: OperatorRole,
        /// Read the password from standard input instead of generating one
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password; prints a generated one unless --password-stdin is given
    Passwd {
        name: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Make an API token for an operator; it is printed once and only its hash is kept
    Token {
        name: String,
        /// What the token is for, shown in the audit log
        #[arg(long, default_value = "api")]
        label: String,
    },
    /// List the operators
    List,
}

/// Length of generated passwords: about 93 bits.
const GENERATED_LENGTH: usize = 16;
const MAX_NAME_LENGTH: usize = 64;

fn failure(error: impl std::fmt::Display) -> Failure {
    Failure {
        exit: Exit::Failure,
        error: anyhow::anyhow!("{error}"),
    }
}

fn check_name(name: &str) -> Result<(), Failure> {
    let length = name.chars().count();
    if length == 0 || length > MAX_NAME_LENGTH || name.trim() != name {
        return Err(Failure {
            exit: Exit::Config,
            error: anyhow::anyhow!(
                "an operator name has 1 to {MAX_NAME_LENGTH} characters and no spaces at its ends"
            ),
        });
    }
    if name.chars().any(char::is_control) {
        return Err(Failure {
            exit: Exit::Config,
            error: anyhow::anyhow!("an operator name may not contain control characters"),
        });
    }
    Ok(())
}

/// The password from standard input (one line), or a generated one, which is then `shown`.
fn obtain_password(from_stdin: bool) -> Result<(String, bool), Failure> {
    if from_stdin {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(failure)?;
        let password = text.trim_end_matches(['\r', '\n']).to_owned();
        Ok((password, false))
    } else {
        Ok((
            passwords::generate(GENERATED_LENGTH).map_err(failure)?,
            true,
        ))
    }
}

pub async fn run(settings: &Settings, command: OperatorCommand) -> Result<(), Failure> {
    let database = open_database(settings).await?;
    match command {
        OperatorCommand::Add {
            name,
            role,
            password_stdin,
        } => {
            check_name(&name)?;
            let (password, generated) = obtain_password(password_stdin)?;
            let created = tokio::task::spawn_blocking(move || {
                let hash = passwords::hash(&password).map_err(failure)?;
                let now = chrono::Utc::now();
                match database.create_operator(&name, &hash, role, now) {
                    Ok(_) => {
                        database
                            .record_audit(
                                "command line",
                                "operator_created",
                                Some(&name),
                                Some(role.as_str()),
                                now,
                            )
                            .exit_on(Exit::Database)?;
                        Ok((name, password))
                    }
                    Err(StoreError::Conflict(message)) => Err(failure(message)),
                    Err(err) => Err(Failure {
                        exit: Exit::Database,
                        error: err.into(),
                    }),
                }
            })
            .await
            .exit_on(Exit::Failure)??;
            println!("operator {} ({role}) created", created.0);
            if generated {
                println!("password: {}", created.1);
            }
            Ok(())
        }
        OperatorCommand::Passwd {
            name,
            password_stdin,
        } => {
            let (password, generated) = obtain_password(password_stdin)?;
            let shown = password.clone();
            let changed = tokio::task::spawn_blocking(move || {
                let hash = passwords::hash(&password).map_err(failure)?;
                let changed = database
                    .set_operator_password(&name, &hash)
                    .exit_on(Exit::Database)?;
                if changed {
                    database
                        .record_audit(
                            "command line",
                            "password_changed",
                            Some(&name),
                            None,
                            chrono::Utc::now(),
                        )
                        .exit_on(Exit::Database)?;
                }
                Ok((changed, name))
            })
            .await
            .exit_on(Exit::Failure)??;
            match changed {
                (true, name) => {
                    println!("password of {name} changed");
                    if generated {
                        println!("password: {shown}");
                    }
                    Ok(())
                }
                (false, name) => Err(failure(format!("there is no operator named `{name}`"))),
            }
        }
        OperatorCommand::Token { name, label } => {
            let token = steward_web::session::new_token().map_err(failure)?;
            let hash = steward_web::session::token_hash(&token);
            let made = tokio::task::spawn_blocking(move || {
                let Some(operator) = database.operator_by_name(&name).exit_on(Exit::Database)?
                else {
                    return Err(failure(format!("there is no operator named `{name}`")));
                };
                let now = chrono::Utc::now();
                database
                    .create_api_token(&hash, operator.id, &label, now)
                    .exit_on(Exit::Database)?;
                database
                    .record_audit(
                        "command line",
                        "api_token_created",
                        Some(&name),
                        Some(&label),
                        now,
                    )
                    .exit_on(Exit::Database)?;
                Ok(name)
            })
            .await
            .exit_on(Exit::Failure)??;
            println!("API token for {made} (shown once): {token}");
            Ok(())
        }
        OperatorCommand::List => {
            let operators = tokio::task::spawn_blocking(move || database.operators())
                .await
                .exit_on(Exit::Failure)?
                .exit_on(Exit::Database)?;
            for operator in operators {
                let state = if operator.disabled { " (disabled)" } else { "" };
                println!("{}\t{}{state}", operator.name, operator.role);
            }
            Ok(())
        }
    }
}
