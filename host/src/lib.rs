//! The Speckle host daemon as a library, so integration tests and tools can drive its parts; the
//! `speckle` binary (main.rs) is a thin front end.

pub mod attest;
pub mod audit_cmd;
pub mod audit_tap;
pub mod bench;
pub mod capture;
pub mod cli;
pub mod credit;
pub mod daemon;
pub mod egd;
pub mod fanout;
pub mod features;
pub mod health;
pub mod ingest;
pub mod log;
pub mod mainloop;
pub mod manpages;
pub mod metrics;
pub mod mix;
pub mod notify;
pub mod provenance;
pub mod rawtap;
pub mod recovery;
pub mod row;
pub mod sink;
pub mod source;
pub mod status_socket;
pub mod summary;
pub mod telemetry;
// Without the `gpu` feature, stand-ins that are never made: `--whiten gpu` is refused, `auto` is
// the CPU.
#[cfg_attr(not(feature = "gpu"), path = "whiten_off.rs")]
pub mod whiten;
pub mod wordhealth;
