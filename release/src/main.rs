//! `speckle-release`: writes, signs and verifies provenance statements (docs/release.md). make's
//! `release` and `prog-verify` targets (mk/release.mk) are its callers.

use clap::{Parser, Subcommand};
use speckle_release::statement::{self, BuildFacts};
use speckle_release::{ssh, statement_path, verify_artifact};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "speckle-release", about = "Provenance statements of Speckle release artifacts")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Write the in-toto statement (SLSA v1 provenance) of one artifact.
    Statement {
        #[arg(long)]
        artifact: PathBuf,
        /// Where to write it [default: ARTIFACT.intoto.json].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Source commit (40 hex digits).
        #[arg(long)]
        commit: String,
        #[arg(long)]
        source_uri: Option<String>,
        /// An external parameter, KEY=VALUE (the make command, target, board, ...); repeatable.
        #[arg(long = "param", value_parser = key_value)]
        params: Vec<(String, String)>,
        /// A tool and its version, NAME=VERSION; repeatable.
        #[arg(long = "tool", value_parser = key_value)]
        tools: Vec<(String, String)>,
        /// SOURCE_DATE_EPOCH (seconds): the time the statement records.
        #[arg(long)]
        epoch: i64,
        #[arg(long, default_value = statement::DEFAULT_BUILDER)]
        builder_id: String,
    },
    /// Sign statements with a local ssh key (writes FILE.sig next to each).
    Sign {
        /// The private ed25519 key.
        #[arg(long)]
        key: PathBuf,
        /// Local key only. Keyless sigstore signing (Fulcio + Rekor) is not implemented, so this
        /// must be given (docs/release.md).
        #[arg(long)]
        no_sigstore: bool,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Check an artifact against its signed statement; non-zero exit naming what is wrong.
    Verify {
        #[arg(long)]
        artifact: PathBuf,
        /// [default: ARTIFACT.intoto.json]
        #[arg(long)]
        statement: Option<PathBuf>,
        /// [default: STATEMENT.sig]
        #[arg(long)]
        signature: Option<PathBuf>,
        /// OpenSSH allowed_signers file holding the release key.
        #[arg(long)]
        allowed_signers: PathBuf,
    },
}

fn key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("expected KEY=VALUE, got {s:?}")),
    }
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Cmd::Statement { artifact, out, commit, source_uri, params, tools, epoch, builder_id } => {
            let name = artifact
                .file_name()
                .ok_or_else(|| format!("{}: not a file name", artifact.display()))?
                .to_string_lossy()
                .into_owned();
            let facts = BuildFacts {
                name,
                sha256: statement::sha256_file(&artifact)?,
                params,
                commit,
                source_uri,
                tools,
                epoch,
                builder_id,
            };
            let out = out.unwrap_or_else(|| statement_path(&artifact));
            std::fs::write(&out, statement::render(&facts)?)
                .map_err(|e| format!("{}: {e}", out.display()))?;
            println!("{}", out.display());
        }
        Cmd::Sign { key, no_sigstore, files } => {
            if !no_sigstore {
                return Err(
                    "keyless sigstore signing is not implemented; pass --no-sigstore to sign \
                            with the local key alone (docs/release.md)"
                        .into(),
                );
            }
            for f in files {
                println!("{}", ssh::sign(&key, &f)?.display());
            }
        }
        Cmd::Verify { artifact, statement, signature, allowed_signers } => {
            let statement = statement.unwrap_or_else(|| statement_path(&artifact));
            let signature = signature.unwrap_or_else(|| ssh::sig_path(&statement));
            let (c, signer) = verify_artifact(&artifact, &statement, &signature, &allowed_signers)?;
            println!(
                "{}: verified: sha256 {}, source commit {}, statement signed by {signer}",
                c.name, c.sha256, c.commit
            );
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("speckle-release: {e}");
            ExitCode::FAILURE
        }
    }
}
