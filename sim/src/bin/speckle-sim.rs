fn main() {
    std::process::exit(speckle_sim::cli_main(std::env::args_os()));
}
