//! Verilates every generated Verilog file under rtl/ (plus rtl-sim's own fixtures) and links the
//! models into this crate, so that Rust tests can drive the exact Verilog that `speckle-hdl` wrote.
//!
//! Each file is verilated into its own prefixed C++ class and compiled into its own static
//! library, cached under a directory keyed by a hash of the file's content and of everything else
//! that shapes the object code, so touching one block re-verilates and recompiles only that block.
//! The cache sits beside the profile directories of the cargo target dir, so `cargo test` and
//! `cargo bench` (different OUT_DIRs) share it: the C++ is always built at -O2 anyway.
//!
//! Without Verilator the build still succeeds with an empty table and the cfg
//! `rtl_sim_no_verilator`; a file that Verilator rejects becomes a table entry carrying the error,
//! so one bad block does not break every crate that depends on this one.

#[path = "build/codegen.rs"]
mod codegen;
#[path = "build/ports.rs"]
mod ports;

use codegen::Entry;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

/// Bump when the shim, the flags or the cache layout change.
const CACHE_VERSION: &str = "rtl-sim-cache-2";
const VL_INCLUDE: &str = "/usr/share/verilator/include";

struct Source {
    profile: String,
    module: String,
    path: PathBuf,
}

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap());
    let rtl = manifest.join("../rtl");
    let fixtures = manifest.join("fixtures");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build");
    println!("cargo:rerun-if-changed={}", rtl.display());
    println!("cargo:rerun-if-changed={}", fixtures.display());
    println!("cargo:rerun-if-env-changed=SPECKLE_VERILATOR");
    println!("cargo:rerun-if-env-changed=RTL_SIM_CACHE");
    println!("cargo::rustc-check-cfg=cfg(rtl_sim_no_verilator)");

    let sources = discover(&rtl, &fixtures);
    let wanted = env::var("SPECKLE_VERILATOR").unwrap_or_else(|_| "verilator".into());
    let resolved = resolve_verilator(&wanted);
    let verilator = resolved.as_ref().map_or(wanted.clone(), |p| p.display().to_string());
    let version = resolved.as_ref().and_then(|path| {
        Command::new(path)
            .arg("--version")
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    });
    // The stamp names the Verilator this build used; tests compare it with what is installed now.
    let stamp = match (&resolved, &version) {
        (Some(path), Some(v)) => format!("{}\n{v}", path.display()),
        _ => String::new(),
    };
    fs::write(out_dir.join("verilator.stamp"), &stamp).expect("write verilator.stamp");

    let mut entries = Vec::new();
    let mut reason = String::new();
    match version {
        None => {
            println!("cargo:rustc-cfg=rtl_sim_no_verilator");
            println!("cargo:warning=rtl-sim: `{verilator}` not found; RTL models are unavailable");
            reason = format!(
                "`{verilator}` was not found on PATH when rtl-sim was built, so no Verilog was \
                 verilated. Install Debian's `verilator` (see .ci/apt-packages), then \
                 `touch rtl-sim/build.rs` and rebuild."
            );
        }
        Some(version) => {
            let cache = cache_root(&out_dir);
            fs::create_dir_all(&cache).expect("create rtl-sim cache dir");
            let salt = format!("{CACHE_VERSION}\n{version}\n{}", cxx_id());
            let runtime = build_runtime(&cache, &salt);
            entries = build_models(&sources, &cache, &salt, &verilator);
            // Model libraries first, the runtime they use after them.
            println!("cargo:rustc-link-search=native={}", runtime.display());
            println!("cargo:rustc-link-lib=static=rtlsim_vlrt");
            println!("cargo:rustc-link-lib=dylib=stdc++");
            println!("cargo:rustc-link-lib=dylib=pthread");
        }
    }
    if entries.is_empty() && reason.is_empty() {
        reason = format!(
            "no Verilog found under {} when rtl-sim was built: run `make rtl`",
            rtl.display()
        );
    }
    let mut table = codegen::rust_table(&entries);
    table.push_str(&format!("pub(crate) const UNAVAILABLE: &str = {reason:?};\n"));
    table.push_str(&format!("pub(crate) const VERILATOR_STAMP: &str = {stamp:?};\n"));
    fs::write(out_dir.join("modules.rs"), table).expect("write modules.rs");
}

/// Finds the Verilator this build would run: `wanted` itself when it names a path, else the first
/// match on PATH. A build made without Verilator must not outlive its installation (an
/// `apt-get install verilator` puts it into a PATH directory without changing PATH), so cargo is
/// told to rerun this script when the resolved program changes, or, while there is none, when a
/// program of that name could appear in any PATH directory (cargo reruns a build script whose
/// `rerun-if-changed` path does not exist, and no-Verilator runs of this script are cheap).
/// PATH itself is not tracked: shells that order it differently would rebuild every dependent
/// crate; a Verilator reached only through a new PATH entry is caught by the stamp test instead.
fn resolve_verilator(wanted: &str) -> Option<PathBuf> {
    let candidates: Vec<PathBuf> = if wanted.contains('/') {
        vec![PathBuf::from(wanted)]
    } else {
        env::var_os("PATH")
            .map(|p| env::split_paths(&p).map(|d| d.join(wanted)).collect())
            .unwrap_or_default()
    };
    let found = candidates.iter().find(|p| p.is_file()).cloned();
    match &found {
        Some(path) => println!("cargo:rerun-if-changed={}", path.display()),
        None => candidates.iter().for_each(|p| println!("cargo:rerun-if-changed={}", p.display())),
    }
    found
}

/// rtl/<profile>/speckle_core.v, rtl/<profile>/blocks/*.v and fixtures/*.v (profile `fixture`).
fn discover(rtl: &Path, fixtures: &Path) -> Vec<Source> {
    let mut found = Vec::new();
    let mut add = |profile: &str, path: PathBuf| {
        if path.extension().is_some_and(|e| e == "v") {
            let module = path.file_stem().unwrap().to_string_lossy().into_owned();
            found.push(Source { profile: profile.to_string(), module, path });
        }
    };
    for profile_dir in sorted_dir(rtl).into_iter().filter(|p| p.is_dir()) {
        let profile = profile_dir.file_name().unwrap().to_string_lossy().into_owned();
        for f in sorted_dir(&profile_dir) {
            add(&profile, f);
        }
        for f in sorted_dir(&profile_dir.join("blocks")) {
            add(&profile, f);
        }
    }
    for f in sorted_dir(fixtures) {
        add("fixture", f);
    }
    found
}

fn sorted_dir(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// `<target>/rtl-sim-cache`, i.e. beside target/debug and target/release; `RTL_SIM_CACHE`
/// overrides it (a test that builds this crate in a scratch target dir shares the warm cache).
fn cache_root(out_dir: &Path) -> PathBuf {
    if let Some(dir) = env::var_os("RTL_SIM_CACHE") {
        return PathBuf::from(dir);
    }
    out_dir
        .ancestors()
        .find(|a| a.file_name().is_some_and(|n| n == "build"))
        .and_then(|build| build.parent()?.parent())
        .map(|target| target.join("rtl-sim-cache"))
        .unwrap_or_else(|| out_dir.join("rtl-sim-cache"))
}

fn cxx_id() -> String {
    let cxx = cc::Build::new().cpp(true).get_compiler();
    let v = Command::new(cxx.path()).arg("--version").output();
    v.map(|o| String::from_utf8_lossy(&o.stdout).lines().next().unwrap_or("").to_string())
        .unwrap_or_default()
}

/// FNV-1a, 64 bit: a cache key, not a security boundary.
fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ *b as u64).wrapping_mul(0x100_0000_01b3))
}

fn compiler(include: &[&Path]) -> cc::Build {
    let mut b = cc::Build::new();
    b.cpp(true)
        .opt_level(2)
        .debug(false)
        .warnings(false)
        .cargo_metadata(false)
        .include(VL_INCLUDE)
        .include(format!("{VL_INCLUDE}/vltstd"))
        .define("VM_TRACE", "1")
        .define("VM_TRACE_VCD", "1")
        .define("VM_TRACE_FST", "0")
        .define("VM_COVERAGE", "0")
        .define("VM_SC", "0")
        .flag_if_supported("-std=gnu++17")
        .flag_if_supported("-faligned-new")
        .flag_if_supported("-fcf-protection=none");
    for i in include {
        b.include(i);
    }
    b
}

/// Verilator's runtime, compiled once per Verilator and compiler version.
fn build_runtime(cache: &Path, salt: &str) -> PathBuf {
    let dir = cache.join(format!("runtime-{:016x}", fnv(salt.as_bytes())));
    if !dir.join("librtlsim_vlrt.a").exists() {
        let tmp = fresh_tmp(&dir);
        let mut b = compiler(&[]);
        for f in ["verilated.cpp", "verilated_vcd_c.cpp", "verilated_threads.cpp"] {
            b.file(format!("{VL_INCLUDE}/{f}"));
        }
        b.out_dir(&tmp).compile("rtlsim_vlrt");
        publish(&tmp, &dir);
    }
    dir
}

/// A scratch directory beside `dir`, renamed onto it when complete so that concurrent builds
/// (cargo test and cargo bench at once) never see a half-written cache entry.
fn fresh_tmp(dir: &Path) -> PathBuf {
    let tmp = dir.with_extension(format!("tmp{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(&tmp).expect("create cache scratch dir");
    tmp
}

fn publish(tmp: &Path, dir: &Path) {
    if fs::rename(tmp, dir).is_err() {
        // Another build published the same entry first; theirs is as good as ours.
        let _ = fs::remove_dir_all(tmp);
    }
}

struct Job<'a> {
    src: &'a Source,
    prefix: String,
    dir: PathBuf,
    ports: Vec<ports::Port>,
}

fn build_models(sources: &[Source], cache: &Path, salt: &str, verilator: &str) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut jobs = Vec::new();
    for src in sources {
        let text = fs::read_to_string(&src.path).unwrap_or_default();
        let prefix = format!("V{}_{}", sanitize(&src.profile), sanitize(&src.module));
        let mut entry = Entry {
            profile: src.profile.clone(),
            module: src.module.clone(),
            source: src.path.display().to_string(),
            ports: Vec::new(),
            prefix: None,
            error: None,
        };
        match ports::parse_ports(&text, &src.module) {
            Err(e) => entry.error = Some(format!("{}: {e}", src.path.display())),
            Ok(ports) => {
                let key = fnv(format!("{salt}\n{prefix}\n{text}").as_bytes());
                let dir = cache.join(format!("{prefix}-{key:016x}"));
                entry.ports = ports.clone();
                jobs.push(Job { src, prefix, dir, ports });
            }
        }
        entries.push(entry);
    }
    let todo: Vec<&Job> = jobs.iter().filter(|j| !j.dir.join("ok").exists()).collect();
    let workers = env::var("NUM_JOBS").ok().and_then(|n| n.parse().ok()).unwrap_or(2usize);
    // Verilator runs are single-threaded: run several at once, then compile each model with cc's
    // own parallelism.
    let verilated: Vec<Result<PathBuf, String>> = std::thread::scope(|s| {
        let chunks: Vec<Vec<&Job>> = (0..workers.max(1))
            .map(|w| todo.iter().copied().skip(w).step_by(workers.max(1)).collect())
            .collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|j| (j.prefix.clone(), verilate(j, verilator)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all: Vec<(String, Result<PathBuf, String>)> =
            handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
        all.sort_by_key(|(p, _)| todo.iter().position(|j| &j.prefix == p));
        all.into_iter().map(|(_, r)| r).collect()
    });
    let mut failed = std::collections::HashMap::new();
    for (job, result) in todo.iter().zip(verilated) {
        match result.and_then(|tmp| compile_model(job, &tmp)) {
            Ok(tmp) => {
                fs::write(tmp.join("ok"), "").expect("write ok marker");
                publish(&tmp, &job.dir);
            }
            Err(e) => {
                println!("cargo:warning=rtl-sim: {}: {}", job.src.path.display(), first_line(&e));
                failed.insert(job.prefix.clone(), e);
            }
        }
    }
    prune(cache, &jobs);
    for job in &jobs {
        let entry = entries
            .iter_mut()
            .find(|e| e.profile == job.src.profile && e.module == job.src.module)
            .unwrap();
        if let Some(e) = failed.remove(&job.prefix) {
            entry.error = Some(format!("{}: {e}", job.src.path.display()));
            continue;
        }
        println!("cargo:rustc-link-search=native={}", job.dir.display());
        println!("cargo:rustc-link-lib=static=rtlsim_{}", job.prefix);
        entry.prefix = Some(job.prefix.clone());
    }
    entries
}

fn first_line(s: &str) -> &str {
    s.lines().find(|l| l.contains("%Error")).or(s.lines().next()).unwrap_or("")
}

fn sanitize(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect()
}

/// Runs Verilator into a fresh scratch directory and returns it.
fn verilate(job: &Job, verilator: &str) -> Result<PathBuf, String> {
    let tmp = fresh_tmp(&job.dir);
    let out = Command::new(verilator)
        .args(["--cc", "--trace", "-O2", "--no-timing", "-Wno-fatal", "-Wno-lint", "-Wno-style"])
        .args(["--prefix", &job.prefix, "--top-module", &job.src.module, "--Mdir"])
        .arg(&tmp)
        .arg(&job.src.path)
        .output()
        .map_err(|e| format!("cannot run {verilator}: {e}"))?;
    let log = String::from_utf8_lossy(&out.stderr).into_owned();
    let _ = fs::write(tmp.join("verilator.log"), &log);
    if !out.status.success() {
        return Err(format!("verilator failed:\n{log}"));
    }
    let header = fs::read_to_string(tmp.join(format!("{}.h", job.prefix))).unwrap_or_default();
    let members =
        job.ports.iter().map(|p| member_name(&header, &p.name)).collect::<Result<Vec<_>, _>>()?;
    fs::write(tmp.join("shim.cpp"), codegen::shim_cpp(&job.prefix, &job.ports, &members))
        .map_err(|e| e.to_string())?;
    Ok(tmp)
}

/// Compiles Verilator's output plus the shim into lib rtlsim_<prefix>.a inside `tmp`.
fn compile_model(job: &Job, tmp: &Path) -> Result<PathBuf, String> {
    let mut b = compiler(&[tmp]);
    for f in sorted_dir(tmp) {
        if f.extension().is_some_and(|e| e == "cpp") {
            b.file(f);
        }
    }
    b.out_dir(tmp)
        .try_compile(&format!("rtlsim_{}", job.prefix))
        .map_err(|e| format!("C++ compile failed: {e}"))?;
    Ok(tmp.to_path_buf())
}

/// The C++ member Verilator made for `port`: the port's own name, or `__SYM__<name>` when the
/// name is a C++ word (e.g. `abort`), which Verilator renames (its SYMRSVDWORD warning).
fn member_name(header: &str, port: &str) -> Result<String, String> {
    [port.to_string(), format!("__SYM__{port}")]
        .into_iter()
        .find(|m| header.contains(&format!("(&{m},")))
        .ok_or_else(|| format!("port `{port}` not found among the Verilated model's members"))
}

/// Removes cache entries that an edit of rtl/ superseded, and scratch dirs of dead builds, once
/// they are an hour old (a build of another profile still running on the old content may be
/// linking them). Any build that linked an old entry reruns this script, since rtl/ changed.
fn prune(cache: &Path, jobs: &[Job]) {
    let old = |p: &Path| {
        fs::metadata(p)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > 3600)
    };
    for path in sorted_dir(cache) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let superseded = jobs.iter().any(|j| {
            name.starts_with(&format!("{}-", j.prefix))
                && path != j.dir
                && !name[j.prefix.len() + 1..].contains('_')
        });
        if (superseded || name.contains(".tmp")) && old(&path) {
            let _ = fs::remove_dir_all(&path);
        }
    }
}
