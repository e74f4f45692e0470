//! Writes one NIST-fixture input (assess/tests/common/models.rs) to a file and prints its
//! FNV-1a checksum and bits per sample; assess/tests/fixtures/regen.sh runs NIST's tool on it.
//! Usage: fixture_input NAME FILE   (NAME: see models::NAMES; `list` prints them)

#[path = "../tests/common/models.rs"]
mod models;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("list") {
        println!("{}", models::NAMES.join(" "));
        return;
    }
    let [name, file] = &args[..] else {
        eprintln!("usage: fixture_input NAME FILE | fixture_input list");
        std::process::exit(2)
    };
    let Some((s, bits)) = models::generate(name) else {
        eprintln!("fixture_input: unknown input {name}");
        std::process::exit(2)
    };
    std::fs::write(file, &s).unwrap_or_else(|e| panic!("writing {file}: {e}"));
    println!("{:016x} {bits} {}", models::fnv1a(&s), s.len());
}
