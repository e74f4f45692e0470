//! `[uart]` and the core clock: every shipped board runs the rate its bridge carries at a clock its
//! profile's divisor turns into exactly that rate; each way of getting that wrong is refused naming
//! the file and the field.

use super::*;

fn refused(board: &str, tag: &str, edit: impl Fn(String) -> String, want: &str) {
    let (dir, file) = variant_of(board, tag, edit);
    let e = Board::load(&file).unwrap_err();
    assert!(
        e.starts_with(&format!("{}: ", file.display())) && e.contains(want),
        "{board} {tag}: {e}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn shipped_boards_run_their_bridge_rate() {
    for (board, bridge, max, baud, clock) in [
        ("icebreaker", "FT2232H channel B", 12_000_000, 6_000_000, 30_000_000),
        ("hx8k-breakout", "FT2232H channel B", 12_000_000, 6_000_000, 30_000_000),
        ("ecp5-evn", "FT2232H channel B", 12_000_000, 12_000_000, 96_000_000),
        ("ulx3s", "FT231X", 3_000_000, 3_000_000, 24_000_000),
        ("custom", "FT231X", 3_000_000, 3_000_000, 24_000_000),
    ] {
        let b = Board::load(&repo().join(format!("boards/{board}.toml"))).unwrap();
        let u = &b.uart;
        assert_eq!((u.bridge.as_str(), u.bridge_max_baud, u.baud), (bridge, max, baud), "{board}");
        assert_eq!(b.target_hz, clock, "{board}");
        // The invariants, against the profile itself rather than the numbers above.
        let p = CoreParams::profile(&b.profile).unwrap();
        assert_eq!(u.divisor, p.baud_divisor() as u64, "{board}");
        assert!(u.divisor >= 4, "{board}: uart_rx needs 4 clocks per bit");
        assert_eq!(b.target_hz, u.baud * u.divisor, "{board}");
        assert!(b.target_hz <= p.clock_hz && u.baud <= u.bridge_max_baud, "{board}");
    }
}

#[test]
fn a_baud_above_the_bridge_is_refused() {
    refused(
        "ulx3s",
        "fast",
        |t| t.replace("\nbaud = 3_000_000", "\nbaud = 6_000_000"),
        "uart.baud: 6000000 baud is more than the FT231X carries reliably (3000000 baud, uart.bridge_max_baud)",
    );
}

#[test]
fn a_clock_that_does_not_make_the_baud_is_refused() {
    // 20 MHz / 5 is 4 Mbaud, not the 6 Mbaud the board says.
    refused(
        "icebreaker",
        "slow",
        |t| t.replace("target_hz = 30_000_000", "target_hz = 20_000_000"),
        "uart.baud: 6000000 baud needs clock.target_hz = 30000000 (profile `ice40`'s UART divisor is 5 clocks per bit); clock.target_hz = 20000000 gives 4000000 baud",
    );
    // 12 Mbaud on an ice40 core needs 60 MHz, above what it is generated for.
    refused(
        "hx8k-breakout",
        "12m",
        |t| t.replace("baud = 6_000_000", "baud = 12_000_000"),
        "uart.baud: 12000000 baud needs clock.target_hz = 60000000 (profile `ice40`'s UART divisor is 5 clocks per bit), above profile `ice40`'s clock_hz 30000000 Hz: choose a lower baud",
    );
    // The ULX3S's 3 Mbaud at the profile's full 96 MHz would be 12 Mbaud.
    refused(
        "ulx3s",
        "96",
        |t| t.replace("target_hz = 24_000_000", "target_hz = 96_000_000"),
        "clock.target_hz = 96000000 gives 12000000 baud",
    );
}

#[test]
fn a_clock_above_the_profile_is_refused() {
    refused(
        "ecp5-evn",
        "100",
        |t| t.replace("target_hz = 96_000_000", "target_hz = 100_000_000"),
        "clock.target_hz: 100000000 Hz is above profile `ecp5`'s clock_hz 96000000 Hz, the clock rtl/ecp5/ is generated and timed for",
    );
}

#[test]
fn missing_uart_fields_are_refused() {
    for (tag, from, want) in [
        ("nobaud", "\nbaud = 6_000_000", "uart.baud: missing"),
        ("nomax", "bridge_max_baud = 12_000_000", "uart.bridge_max_baud: missing"),
        ("nobridge", "bridge = \"FT2232H channel B\"", "uart.bridge: missing"),
        ("zero", "\nbaud = 6_000_000", "uart.baud: 0: give a rate in baud"),
        ("typo", "\nbaud = 6_000_000", "unknown field `bauds`"),
    ] {
        let to = match tag {
            "zero" => "\nbaud = 0",
            "typo" => "\nbauds = 6_000_000",
            _ => "\n",
        };
        refused("icebreaker", tag, |t| t.replacen(from, to, 1), want);
    }
    refused(
        "icebreaker",
        "nouart",
        |t| {
            let (head, rest) = t.split_once("\n[uart]\n").unwrap();
            format!("{head}{}", &rest[rest.find("\n[pins]\n").unwrap()..])
        },
        "uart: missing section [uart]",
    );
}
