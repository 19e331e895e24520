//! `sigida`: the command line. Thin: it parses arguments, opens the store, calls the
//! library crates, and turns failures into messages and exit codes.
//!
//! Exit codes: 0 success; 1 any other failure; 2 wrong usage (unknown command or option);
//! 3 a user's file is wrong (the message names file, sheet, row and column);
//! 4 the database cannot be opened or written.

mod backup;
mod clean;
mod estimate;
mod flows;
mod form;
mod geo;
mod import;
mod keys;
mod kobo;
mod notes;
mod register;
mod report;
mod serve;
mod sync;
mod users;
mod workbook;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "sigida",
    version,
    about = "Diagnostic communautaire participatif et plans d'action — participatory community diagnostics and action plans"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the data lives: the diagnostic's folder (embedded SQLite) or a PostgreSQL server.
#[derive(clap::Args, Clone, Debug)]
pub struct Place {
    /// The diagnostic's folder (its SQLite database is DIR/sigida.db).
    #[arg(long, default_value = ".")]
    pub dir: PathBuf,
    /// A PostgreSQL server instead of the folder's SQLite file (postgres://user:pass@host/db).
    #[arg(long, env = "SIGIDA_DATABASE_URL")]
    database: Option<String>,
    /// The diagnostic's key (default: DIR.key beside the folder). Personal data is sealed
    /// with it; keep it outside the folder.
    #[arg(long, env = "SIGIDA_KEY_FILE")]
    key_file: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Creates a diagnostic in DIR (its database is created on first use).
    Init {
        dir: PathBuf,
        /// The diagnostic's name (default: the folder's name).
        #[arg(long)]
        name: Option<String>,
        /// ISO 3166 alpha-3 code of the country.
        #[arg(long, default_value = "MLI")]
        country: String,
        /// Disclosure threshold: a published cell resting on fewer respondents is suppressed.
        #[arg(long, default_value_t = sigida_core::disclosure::DEFAULT_MIN_CELL,
              value_parser = clap::value_parser!(u64).range(1..))]
        min_cell: u64,
        #[arg(long, env = "SIGIDA_DATABASE_URL")]
        database: Option<String>,
        /// The diagnostic's key, made if it does not exist (default: DIR.key beside the
        /// folder; required with --database).
        #[arg(long, env = "SIGIDA_KEY_FILE")]
        key_file: Option<PathBuf>,
        /// Also write the instrument kit (XLSForms for Kobo or ODK) to DIR/instruments/.
        #[arg(long)]
        instruments: bool,
    },
    /// Builds the demonstration diagnostic (Kayes and Gao, synthetic data) and writes its reports.
    Demo {
        #[arg(long, default_value = "sigida-demo")]
        dir: PathBuf,
        /// Serve the web interface once the demo is built.
        #[arg(long)]
        serve: bool,
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// The demonstration's key, made if it does not exist (default: DIR.key beside it).
        #[arg(long, env = "SIGIDA_KEY_FILE")]
        key_file: Option<PathBuf>,
    },
    /// Serves the web interface and the JSON API.
    Serve {
        #[command(flatten)]
        place: Place,
        /// Address to listen on; 0.0.0.0:8080 lets phones on the local Wi-Fi connect.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// Serve the staff's pages over HTTPS on --addr, the phones' over HTTP on
        /// --phones-addr. The certificate: --cert and --cert-key, or one made for this laptop.
        #[arg(long)]
        tls: bool,
        #[arg(long, requires = "tls")]
        cert: Option<PathBuf>,
        #[arg(long, requires = "tls")]
        cert_key: Option<PathBuf>,
        #[arg(long, default_value = "0.0.0.0:8081")]
        phones_addr: String,
    },
    /// Geography: admin units with P-codes.
    Geo {
        #[command(subcommand)]
        command: GeoCommand,
    },
    /// Copies of the diagnostic brought together: sync files carried by hand between a field
    /// laptop and the central copy.
    #[command(args_conflicts_with_subcommands = true)]
    Sync {
        #[command(subcommand)]
        command: Option<sync::SyncCommand>,
        #[command(flatten)]
        place: Place,
    },
    /// Field laptops registered at the centre, each with a revocable sync token.
    Replica {
        #[command(subcommand)]
        command: sync::ReplicaCommand,
    },
    /// The team's key, kept outside the diagnostic's folder.
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// A consistent snapshot of the whole diagnostic, taken while the server runs, sealed with
    /// the team's key (--key-file) or a passphrase (asked, or SIGIDA_PASSPHRASE).
    Backup {
        #[arg(long)]
        out: PathBuf,
        /// Seal it with a passphrase (asked, or SIGIDA_PASSPHRASE) rather than the key.
        #[arg(long)]
        passphrase: bool,
        #[command(flatten)]
        place: Place,
    },
    /// Puts a backup back, after opening it whole and checking the database it holds; a
    /// folder's previous database is kept aside, renamed.
    Restore {
        file: PathBuf,
        /// It was sealed with a passphrase (asked, or SIGIDA_PASSPHRASE).
        #[arg(long)]
        passphrase: bool,
        #[command(flatten)]
        place: Place,
    },
    /// Erases a person's personal data on request: a meeting's participant (name and code), a
    /// stakeholder's contact, a service provider's phone, a survey respondent's personal
    /// answers (in every raw file that holds them). The record and its counts stay; the
    /// erasure is audited.
    Erase {
        /// participant, stakeholder, provider or respondent
        kind: String,
        /// The record's id (on its page, or in the registers' workbook); for a respondent,
        /// their submission's `_uuid` or instanceID.
        id: String,
        #[command(flatten)]
        place: Place,
    },
    /// The audit log: who saw personal data, who changed what.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Weighted survey estimates with design-based standard errors (R survey's numbers):
    /// proportions, means, select_multiple options, totals and ratios by domain.
    Estimate(estimate::EstimateArgs),
    /// Instruments and their data into the diagnostic.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// The cleaning log and clean data of an instrument.
    Clean {
        #[command(subcommand)]
        command: CleanCommand,
    },
    /// KoboToolbox servers.
    Kobo {
        #[command(subcommand)]
        command: KoboCommand,
    },
    /// Instruments: XLSForms.
    Form {
        #[command(subcommand)]
        command: FormCommand,
    },
    /// Writes the contextual analysis report of a community (or of every community, and the
    /// synthesis) under DIR/reports/.
    Report {
        /// The community's slug (e.g. diboli); every community and the synthesis when absent.
        #[arg(long)]
        community: Option<String>,
        /// fr or en; both when absent.
        #[arg(long)]
        lang: Option<String>,
        /// html or pdf; both when absent.
        #[arg(long)]
        format: Option<String>,
        #[command(flatten)]
        place: Place,
    },
    /// Accounts of the team and partners.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The diagnostic's communities: add, list, archive.
    Community {
        #[command(subcommand)]
        command: register::CommunityCommand,
    },
    /// A community's localities (villages, quarters, sites, border posts…).
    Locality {
        #[command(subcommand)]
        command: register::LocalityCommand,
    },
    /// The diagnostic workbook: template, export, import of the registers.
    Workbook {
        #[command(subcommand)]
        command: workbook::WorkbookCommand,
    },
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Writes a new key file (32 random bytes, mode 0600), never over an existing one.
    New {
        #[arg(long)]
        out: PathBuf,
    },
    /// Seals the diagnostic's personal data with a new key, made at --new-key-file (never over
    /// an existing file); the old key then opens only the backups taken before.
    Rotate {
        #[arg(long)]
        new_key_file: PathBuf,
        #[command(flatten)]
        place: Place,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Checks the audit log's hash chain: an entry edited, deleted or added behind Sigida's
    /// back is named with its place. Prints the chain's end to keep; exit 1 when it is broken.
    Verify {
        #[command(flatten)]
        place: Place,
    },
}

#[derive(Subcommand)]
enum GeoCommand {
    /// Imports a COD-AB list of P-codes (CSV or XLSX, long or wide layout) in one transaction.
    Import {
        file: PathBuf,
        /// The COD version, when the file does not say (it must agree when it does).
        #[arg(long)]
        cod_version: Option<String>,
        #[command(flatten)]
        place: Place,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// An instrument's XLSForm (a new version when the file changed).
    Form {
        file: PathBuf,
        /// The instrument's name in the diagnostic (e.g. "Enquête ménage").
        #[arg(long)]
        instrument: String,
        /// household_survey, key_informant, focus_group, flow_registry, flow_survey,
        /// service_mapping or community_profile.
        #[arg(long, default_value = "household_survey")]
        kind: String,
        #[command(flatten)]
        place: Place,
    },
    /// A flow monitoring sheet (CSV or XLSX; columns by HXL hashtags, wherever their row
    /// is, or by French/English headers) into a community's flow counts, all or nothing.
    Flows {
        file: PathBuf,
        /// The community's slug (e.g. diboli, gao-chateau).
        #[arg(long)]
        community: String,
        /// The workbook's sheet (default: the first).
        #[arg(long)]
        sheet: Option<String>,
        #[command(flatten)]
        place: Place,
    },
    /// Interview and group-discussion notes with their coded excerpts: an XLSX workbook with
    /// sheets notes (code, type, groupe, sexe, date, texte), codes (code, libellé, thème) and
    /// extraits (note, extrait, codes), all or nothing.
    Notes {
        file: PathBuf,
        /// The community's slug (e.g. diboli, gao-chateau).
        #[arg(long)]
        community: String,
        #[command(flatten)]
        place: Place,
    },
    /// A Kobo/ODK export (CSV or XLSX with its repeat sheets, or ODK Central's ZIP),
    /// checked against the instrument's form; only submissions not seen before (by _uuid) are
    /// added. ODK's repeat CSVs come after the main file: MAIN.csv REPEAT.csv …
    Data {
        #[arg(required = true, num_args = 1..)]
        files: Vec<PathBuf>,
        #[arg(long)]
        instrument: String,
        /// Import even if values break the form (they are listed for cleaning).
        #[arg(long)]
        accept_warnings: bool,
        #[command(flatten)]
        place: Place,
    },
}

#[derive(Subcommand)]
enum CleanCommand {
    /// Runs the checks (outliers, duration, duplicates, "other" answers, personal data in
    /// text, values against the form) and adds what they find to the cleaning log.
    Check {
        #[arg(long)]
        instrument: String,
        /// Look for outliers within each value of this column (e.g. the stratum).
        #[arg(long)]
        stratum: Option<String>,
        /// Also write the whole log (REACH layout, CSV or XLSX) to decide on it.
        #[arg(long)]
        log_out: Option<PathBuf>,
        #[command(flatten)]
        place: Place,
    },
    /// Makes clean data: raw data with the log's decisions applied. With --log, first takes
    /// the decisions of a filled-in log (REACH layout).
    Apply {
        #[arg(long)]
        instrument: String,
        #[arg(long)]
        log: Option<PathBuf>,
        /// Write the clean data (CSV or XLSX).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Add an HXL hashtag row under the headers.
        #[arg(long)]
        hxl: bool,
        /// Keep the personal-data columns (the export is written to the audit log).
        #[arg(long)]
        with_personal: bool,
        /// Write a CSV's cells as they are, for R or a script: without it a cell that starts
        /// like a spreadsheet formula (= + - @) is written with a leading ' so that a
        /// spreadsheet shows it and does not run it.
        #[arg(long)]
        raw: bool,
        #[command(flatten)]
        place: Place,
    },
}

#[derive(Subcommand)]
enum KoboCommand {
    /// Fetches a form (asset) and all its submissions through the API v2, keeps them raw and
    /// imports them: a new version of the form if it changed, the submissions not seen yet.
    Pull {
        /// The server, e.g. https://kf.kobotoolbox.org or https://eu.kobotoolbox.org.
        #[arg(long)]
        server: String,
        /// The account's API key.
        #[arg(long, env = "KOBO_TOKEN", hide_env_values = true)]
        token: String,
        /// The asset's uid (in the project's address).
        #[arg(long)]
        asset: String,
        #[arg(long)]
        instrument: String,
        #[arg(long, default_value = "household_survey")]
        kind: String,
        #[command(flatten)]
        place: Place,
    },
}

#[derive(Subcommand)]
enum FormCommand {
    /// Reports an XLSForm's questions, types, groups and repeats, choice lists, languages and
    /// personal-data questions, or the errors found with sheet, row and column.
    Inspect {
        file: PathBuf,
        /// The whole form model as JSON.
        #[arg(long)]
        json: bool,
        /// Language of the labels shown (a code such as fr, or a column's language).
        #[arg(long, default_value = "fr")]
        lang: String,
    },
    /// Prints the form's ODK XForm (XML), as pyxform writes it: what ODK Collect and Enketo
    /// read.
    Xform { file: PathBuf },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Creates a user. Asks for the password on a terminal, reads one line from standard
    /// input otherwise, or generates one with --generate-password.
    Add {
        username: String,
        /// coordinator, analyst, facilitator, data_clerk, partner_viewer or admin.
        #[arg(long)]
        role: String,
        #[arg(long)]
        name: Option<String>,
        /// The organisation (a partner viewer sees the actions it leads).
        #[arg(long, default_value = "")]
        organisation: String,
        #[arg(long)]
        generate_password: bool,
        #[command(flatten)]
        place: Place,
    },
    /// Disables a user: they can no longer sign in, and their open sessions end at once.
    Disable {
        username: String,
        #[command(flatten)]
        place: Place,
    },
    /// Gives a user a new password (asked, read from standard input, or generated); their open
    /// sessions end.
    Passwd {
        username: String,
        #[arg(long)]
        generate_password: bool,
        #[command(flatten)]
        place: Place,
    },
}

/// A failure with the exit code it deserves.
#[derive(Debug)]
pub enum Failure {
    /// A user's file or argument is wrong.
    Input(String),
    Database(String),
    Other(String),
}

/// The command line's language: French (its own messages are French; the libraries' errors
/// come through the catalogue, as on the web).
pub fn tr() -> sigida_report::Tr {
    sigida_report::Tr::new(sigida_report::Lang::Fr)
}

impl From<sigida_store::StoreError> for Failure {
    fn from(e: sigida_store::StoreError) -> Self {
        use sigida_store::StoreError;
        let text = tr().refusal(&e.refusal());
        match e {
            // What the person named is not there, or taken: theirs to correct.
            StoreError::Refused(_)
            | StoreError::Rule(_)
            | StoreError::RiskReport(_)
            | StoreError::NotFound { .. }
            | StoreError::Conflict { .. } => Failure::Input(text),
            _ => Failure::Database(text),
        }
    }
}

/// A refusal is the user's to fix; other failures keep their kind.
impl From<sigida_app::AppError> for Failure {
    fn from(e: sigida_app::AppError) -> Self {
        use sigida_app::AppError;
        match e {
            AppError::Refused(_) | AppError::File(_) | AppError::Form(_) | AppError::Export(_) => {
                Failure::Input(e.text(tr()))
            }
            AppError::Store(e) => Failure::from(e),
            AppError::Dataset(e) => Failure::from(e),
            AppError::Password(_) | AppError::Write { .. } | AppError::Pdf { .. } => {
                Failure::Other(e.text(tr()))
            }
        }
    }
}

impl From<sigida_app::common::clean_data::DatasetError> for Failure {
    fn from(e: sigida_app::common::clean_data::DatasetError) -> Self {
        use sigida_app::common::clean_data::DatasetError;
        match e {
            DatasetError::Store(e) => Failure::from(e),
            DatasetError::Worker(_) => Failure::Other(e.text(tr())),
            other => Failure::Input(other.text(tr())),
        }
    }
}

impl From<sigida_demo::DemoError> for Failure {
    fn from(e: sigida_demo::DemoError) -> Self {
        use sigida_demo::DemoError;
        match e {
            DemoError::App(e) => Failure::from(e),
            DemoError::Format(e) => Failure::from(e),
            DemoError::Io(e) => Failure::from(e),
            DemoError::Script(_) => Failure::Other(e.to_string()),
        }
    }
}

impl From<sigida_app::Refusal> for Failure {
    fn from(r: sigida_app::Refusal) -> Self {
        Failure::from(sigida_app::AppError::from(r))
    }
}

impl From<sigida_formats::FormatError> for Failure {
    fn from(e: sigida_formats::FormatError) -> Self {
        Failure::Input(tr().format_error(&e))
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Other(e.to_string())
    }
}

impl Place {
    /// The diagnostic's key: `--key-file`, or the file beside the folder (`None`: no key).
    pub fn key(&self) -> Result<Option<sigida_vault::Key>, Failure> {
        keys::for_opening(self.key_file.as_deref(), &self.dir, self.database.is_none())
    }

    pub async fn open(&self) -> Result<sigida_store::Store, Failure> {
        self.open_with(self.key()?).await
    }

    /// Opens the diagnostic with a key already read ([`Place::key`]).
    pub async fn open_with(
        &self,
        key: Option<sigida_vault::Key>,
    ) -> Result<sigida_store::Store, Failure> {
        let keyless = key.is_none();
        let opened = match &self.database {
            Some(url) => sigida_store::Store::connect_with(url, key).await,
            None => {
                if !self.dir.join(sigida_store::SQLITE_FILE).exists() {
                    return Err(Failure::Input(format!(
                        "{} ne contient pas de diagnostic : créez-le avec « sigida init {} »",
                        self.dir.display(),
                        self.dir.display()
                    )));
                }
                sigida_store::Store::open_dir_with(&self.dir, key).await
            }
        };
        let store = opened.map_err(|e| {
            Failure::Database(format!(
                "{} : {e}",
                self.database
                    .as_deref()
                    .map(sigida_store::redact_url)
                    .unwrap_or_else(|| self
                        .dir
                        .join(sigida_store::SQLITE_FILE)
                        .display()
                        .to_string())
            ))
        })?;
        if keyless {
            // Opened without a key: a diagnostic made before keys existed, in clear (a sealed
            // one refuses to open without its key).
            let how = match &self.database {
                Some(_) => "« sigida key new --out FICHIER » puis --key-file FICHIER".to_owned(),
                None => format!(
                    "« sigida key new --out {} » puis toute commande",
                    keys::beside(&self.dir).display()
                ),
            };
            eprintln!(
                "attention : ce diagnostic n'est pas chiffré (aucune clé) : ses données \
                 personnelles sont en clair sur le disque ; {how} les chiffre"
            );
        }
        Ok(store)
    }
}

/// When what reads Sigida's output closes it (`sigida … | head`), Sigida stops as Unix tools
/// do, with status 141 (128 + SIGPIPE) and no panic message; any other panic is reported as
/// usual.
fn stop_quietly_on_closed_output() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failed printing to std") && message.contains("Broken pipe") {
            std::process::exit(141);
        }
        report(info);
    }));
}

/// Logs go to standard error: warnings and errors by default, more with `SIGIDA_LOG`
/// (`SIGIDA_LOG=info`, `SIGIDA_LOG=sigida_web=debug`).
fn start_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SIGIDA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

fn main() -> ExitCode {
    stop_quietly_on_closed_output();
    start_logging();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("erreur : démarrage impossible : {e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Init {
                dir,
                name,
                country,
                min_cell,
                database,
                key_file,
                instruments,
            } => {
                init(dir.clone(), name, country, min_cell, database, key_file).await?;
                if instruments {
                    write_kit(&dir)?;
                }
                Ok(())
            }
            Command::Demo {
                dir,
                serve,
                addr,
                key_file,
            } => {
                let (key, key_path, made) = keys::for_new(key_file.as_deref(), &dir)?;
                let logins = sigida_demo::run(&dir, key.clone()).await?;
                keys::say_where(&key_path, &key, made);
                println!("{logins}");
                if serve {
                    let place = Place {
                        dir: dir.clone(),
                        database: None,
                        key_file: Some(key_path),
                    };
                    serve::run(place.open().await?, &addr, Some(logins), None).await
                } else {
                    println!(
                        "Pour ouvrir l'interface : sigida serve --dir {} --key-file {}",
                        dir.display(),
                        key_path.display()
                    );
                    Ok(())
                }
            }
            Command::Serve {
                place,
                addr,
                tls,
                cert,
                cert_key,
                phones_addr,
            } => {
                let tls = if tls {
                    Some(serve::TlsOptions {
                        files: serve::tls_files(cert.as_deref(), cert_key.as_deref())?,
                        dir: place.dir.clone(),
                        phones_addr,
                    })
                } else {
                    None
                };
                let store = place.open().await?;
                serve::run(store, &addr, None, tls).await
            }
            Command::Geo {
                command:
                    GeoCommand::Import {
                        file,
                        cod_version,
                        place,
                    },
            } => geo::import(&place, &file, cod_version.as_deref()).await,
            Command::Estimate(args) => estimate::run(args),
            Command::Audit {
                command: AuditCommand::Verify { place },
            } => verify_audit(&place).await,
            Command::Erase { kind, id, place } if kind == "respondent" => {
                let store = place.open().await?;
                let done = sigida_app::register::erasure::erase_respondent(
                    &store,
                    &id,
                    None,
                    None,
                    sigida_core::Timestamp::now(),
                )
                .await;
                store.close().await;
                let done = done?;
                println!(
                    "Réponses personnelles du répondant {id} effacées ({} : {} fichier(s) brut(s) remplacé(s) par une copie expurgée, {} valeur(s) vidée(s) ; l'effacement est inscrit au journal d'audit).",
                    done.instrument, done.files, done.cells
                );
                Ok(())
            }
            Command::Erase { kind, id, place } => {
                use sigida_store::Erasable;
                let kind = match kind.as_str() {
                    "participant" => Erasable::Participant,
                    "stakeholder" => Erasable::Stakeholder,
                    "provider" => Erasable::ServiceProvider,
                    other => {
                        return Err(Failure::Input(format!(
                            "« {other} » : attendu participant, stakeholder, provider ou respondent"
                        )));
                    }
                };
                let store = place.open().await?;
                let done = sigida_app::register::erasure::erase(
                    &store,
                    kind,
                    &id,
                    None,
                    sigida_core::Timestamp::now(),
                )
                .await;
                store.close().await;
                done?;
                println!(
                    "Données personnelles de {} {id} effacées (l'effacement est inscrit au journal d'audit).",
                    kind.code()
                );
                Ok(())
            }
            Command::Sync {
                command: Some(command),
                ..
            } => sync::run(command).await,
            Command::Sync {
                command: None,
                place,
            } => sync::online(&place).await,
            Command::Replica { command } => sync::replica(command).await,
            Command::Key {
                command: KeyCommand::New { out },
            } => backup::new_key(&out),
            Command::Key {
                command:
                    KeyCommand::Rotate {
                        new_key_file,
                        place,
                    },
            } => backup::rotate(&place, &new_key_file).await,
            Command::Backup {
                out,
                passphrase,
                place,
            } => backup::backup(&place, &out, passphrase).await,
            Command::Restore {
                file,
                passphrase,
                place,
            } => backup::restore_file(&place, &file, passphrase).await,
            Command::Community { command } => command.run().await,
            Command::User {
                command: UserCommand::Disable { username, place },
            } => users::disable(&place, &username).await,
            Command::User {
                command:
                    UserCommand::Passwd {
                        username,
                        generate_password,
                        place,
                    },
            } => users::passwd(&place, &username, generate_password).await,
            Command::Locality { command } => command.run().await,
            Command::Workbook { command } => command.run().await,
            Command::Report {
                community,
                lang,
                format,
                place,
            } => {
                report::run(
                    &place,
                    community.as_deref(),
                    lang.as_deref(),
                    format.as_deref(),
                )
                .await
            }
            Command::Import {
                command:
                    ImportCommand::Form {
                        file,
                        instrument,
                        kind,
                        place,
                    },
            } => import::form(&place, &file, &instrument, &kind).await,
            Command::Import {
                command:
                    ImportCommand::Data {
                        files,
                        instrument,
                        accept_warnings,
                        place,
                    },
            } => import::data(&place, &files, &instrument, accept_warnings).await,
            Command::Import {
                command:
                    ImportCommand::Flows {
                        file,
                        community,
                        sheet,
                        place,
                    },
            } => flows::import(&place, &file, &community, sheet.as_deref()).await,
            Command::Import {
                command:
                    ImportCommand::Notes {
                        file,
                        community,
                        place,
                    },
            } => notes::import(&place, &file, &community).await,
            Command::Clean {
                command:
                    CleanCommand::Check {
                        instrument,
                        stratum,
                        log_out,
                        place,
                    },
            } => clean::check(&place, &instrument, stratum, log_out.as_deref()).await,
            Command::Clean {
                command:
                    CleanCommand::Apply {
                        instrument,
                        log,
                        out,
                        hxl,
                        with_personal,
                        raw,
                        place,
                    },
            } => {
                let options = clean::ApplyOptions {
                    log: log.as_deref(),
                    out: out.as_deref(),
                    hxl,
                    with_personal,
                    cells: if raw {
                        sigida_formats::write::Cells::Raw
                    } else {
                        sigida_formats::write::Cells::FormulaSafe
                    },
                };
                clean::apply(&place, &instrument, options).await
            }
            Command::Kobo {
                command:
                    KoboCommand::Pull {
                        server,
                        token,
                        asset,
                        instrument,
                        kind,
                        place,
                    },
            } => {
                let pull = kobo::Pull {
                    server: &server,
                    token: &token,
                    asset: &asset,
                    instrument: &instrument,
                    kind: &kind,
                };
                kobo::pull(&place, pull).await
            }
            Command::Form {
                command: FormCommand::Inspect { file, json, lang },
            } => form::inspect(&file, json, &lang),
            Command::Form {
                command: FormCommand::Xform { file },
            } => form::xform(&file),
            Command::User {
                command:
                    UserCommand::Add {
                        username,
                        role,
                        name,
                        organisation,
                        generate_password,
                        place,
                    },
            } => {
                users::add(
                    &place,
                    &username,
                    &role,
                    name,
                    &organisation,
                    generate_password,
                )
                .await
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let (code, message) = match failure {
                Failure::Input(m) => (3, m),
                Failure::Database(m) => (4, m),
                Failure::Other(m) => (1, m),
            };
            eprintln!("erreur : {message}");
            ExitCode::from(code)
        }
    }
}

/// The instrument kit into `dir/instruments/`, each form named as the kit names it.
/// `sigida audit verify`.
async fn verify_audit(place: &Place) -> Result<(), Failure> {
    use sigida_store::AuditBreak;
    let store = place.open().await?;
    let check = store.verify_audit().await?;
    store.close().await;
    println!(
        "Journal d'audit : {} entrées chaînées (copie {}), fin de chaîne {}",
        check.entries,
        if check.replica.is_empty() {
            "—"
        } else {
            &check.replica
        },
        if check.head.is_empty() {
            "—"
        } else {
            &check.head
        }
    );
    if check.breaks.is_empty() {
        println!("Chaîne intacte : aucune entrée modifiée, supprimée ni ajoutée hors de Sigida.");
        return Ok(());
    }
    for b in &check.breaks {
        let said = match b {
            AuditBreak::Edited { seq, id } => {
                format!("entrée n° {seq} ({id}) : modifiée après son écriture")
            }
            AuditBreak::Missing { from, to } if from == to => {
                format!("entrée n° {from} : supprimée")
            }
            AuditBreak::Missing { from, to } => format!("entrées n° {from} à {to} : supprimées"),
            AuditBreak::Unchained { id } => {
                format!(
                    "entrée {id} : ajoutée hors de Sigida (elle n'a pas de place dans la chaîne)"
                )
            }
            AuditBreak::Truncated { head_seq, last } => format!(
                "fin de chaîne : {head_seq} entrées écrites, la dernière trouvée est la n° {last} (des entrées de la fin ont été supprimées ou la fin réécrite)"
            ),
        };
        eprintln!("  ✗ {said}");
    }
    Err(Failure::Other(format!(
        "le journal d'audit a été modifié hors de Sigida ({} anomalie(s))",
        check.breaks.len()
    )))
}

fn write_kit(dir: &std::path::Path) -> Result<(), Failure> {
    let folder = dir.join("instruments");
    std::fs::create_dir_all(&folder)?;
    for form in &sigida_app::diagnostic::kit::KIT {
        std::fs::write(folder.join(form.file), form.bytes)?;
        println!(
            "  ✓ {} — {}",
            folder.join(form.file).display(),
            tr().t(form.about)
        );
    }
    println!("{}", tr().t("kit.next"));
    Ok(())
}

async fn init(
    dir: PathBuf,
    name: Option<String>,
    country: String,
    min_cell: u64,
    database: Option<String>,
    key_file: Option<PathBuf>,
) -> Result<(), Failure> {
    sigida_app::diagnostic::check_country(&country.to_ascii_uppercase())?;
    if database.is_some() && key_file.is_none() {
        return Err(Failure::Input(
            "--key-file : la clé du diagnostic central (créée si elle n'existe pas), gardée hors du serveur de base de données".into(),
        ));
    }
    std::fs::create_dir_all(&dir)
        .map_err(|e| Failure::Input(format!("{} : création impossible : {e}", dir.display())))?;
    let (key, key_path, made) = keys::for_new(key_file.as_deref(), &dir)?;
    let store = match &database {
        Some(url) => sigida_store::Store::connect_with(url, Some(key.clone())).await?,
        None => sigida_store::Store::open_dir_with(&dir, Some(key.clone())).await?,
    };
    keys::say_where(&key_path, &key, made);
    if let Ok(existing) = store.main_diagnostic().await {
        println!(
            "{} contient déjà le diagnostic « {} ».",
            dir.display(),
            existing.name
        );
        return Ok(());
    }
    let name = name.unwrap_or_else(|| {
        std::fs::canonicalize(&dir)
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "Diagnostic".to_owned())
    });
    let diagnostic = sigida_core::diagnostic::Diagnostic {
        id: sigida_core::Id::new(),
        name: name.clone(),
        country_iso3: country.to_ascii_uppercase(),
        programme: String::new(),
        synthetic: false,
        min_cell,
        created_at: sigida_core::Timestamp::now(),
        period_start: None,
        period_end: None,
        languages: sigida_core::diagnostic::default_languages(),
    };
    sigida_app::diagnostic::create_diagnostic(&store, &diagnostic).await?;
    println!("Diagnostic « {name} » créé dans {}.", dir.display());
    println!(
        "Ensuite : sigida geo import FICHIER --dir {0}   puis   sigida user add NOM --role coordinator --dir {0}",
        dir.display()
    );
    Ok(())
}
