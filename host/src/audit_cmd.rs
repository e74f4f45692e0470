//! `speckle audit --source SRC`: the source plumbing of the audit. The battery and its report are
//! in speckle-audit, which cannot depend on this crate (this crate depends on it); reading a
//! board, a simulated one or a replay needs the host's source code, so that part lives here.

use crate::capture;
use speckle_audit::AuditArgs;

/// Runs `speckle audit`: a file through speckle-audit, a source read here first.
pub fn run(args: AuditArgs) -> Result<(), String> {
    let Some(source) = args.source.clone() else {
        return speckle_audit::run(args);
    };
    speckle_audit::check_args(&args)?;
    let n = if args.raw { args.bits } else { args.bits.div_ceil(8) } * args.sequences;
    let bytes = capture::read_source(&source, args.raw, n, args.sim_seed, args.timeout)?;
    let report = speckle_audit::audit_reader(&args, &bytes[..], &source)?;
    speckle_audit::finish(&args, &report, &source)
}
